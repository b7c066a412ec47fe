"""Pick the architecture's learning rate: best mean validation accuracy over seeds."""

from actstudy.core.io import read_table, write_json
from actstudy.core.logs import job_logging
from actstudy.training.selection import select_learning_rate

with job_logging(snakemake.log[0]) as log:
    selection = select_learning_rate(read_table(snakemake.input[0], "summary"))
    if selection["learning_rate"] is None:
        log.warning("every run diverged: nothing selected")
    log.info("selected %s", selection)
    write_json(selection, snakemake.output[0])
