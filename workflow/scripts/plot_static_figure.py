"""Draw a figure that needs no data (fig1_1)."""

from actstudy.core.logs import job_logging
from actstudy.figures.draw import render, save

with job_logging(snakemake.log[0]):
    save(render(snakemake.params.figure, None), snakemake.output.png, snakemake.output.pdf)
