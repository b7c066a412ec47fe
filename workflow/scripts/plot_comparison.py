"""Draw one comparison (cmp_*) and write the numbers it draws beside it."""

from actstudy.core.io import write_csv
from actstudy.core.logs import job_logging
from actstudy.figures.comparison_numbers import numbers
from actstudy.figures.draw import render, save

with job_logging(snakemake.log[0]) as log:
    table = numbers(snakemake.params.kind, snakemake.params.networks)
    write_csv(table, snakemake.output.csv)
    save(render(snakemake.params.figure, table), snakemake.output.png, snakemake.output.pdf)
    log.info(
        "%s drawn from %d networks:\n%s",
        snakemake.params.figure,
        len(snakemake.params.networks),
        table.to_string(index=False),
    )
