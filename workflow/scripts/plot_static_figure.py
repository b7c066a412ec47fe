"""Draw a figure that needs no data (fig1_1)."""

from actstudy.figures import STATIC_FIGURES, save
from actstudy.logs import job_logging

with job_logging(snakemake.log[0]):
    save(STATIC_FIGURES[snakemake.wildcards.figure](), snakemake.output.png, snakemake.output.pdf)
