"""One set of training files over every round of the learning-rate refinement: histories
and summaries concatenated, saved states (init, best, snapshots) of every run together."""

from pathlib import Path

import pandas as pd

from actstudy.core.io import read_table, write_csv
from actstudy.core.logs import job_logging
from actstudy.training.states import merge_state_files

with job_logging(snakemake.log[0]) as log:
    rounds = [Path(path).parent for path in snakemake.input.summaries]
    out = snakemake.output
    for kind in ("history", "summary"):
        tables = [read_table(folder / f"{kind}.csv", kind) for folder in rounds]
        write_csv(pd.concat(tables, ignore_index=True), out[kind])
    for name in ("init", "best"):
        merge_state_files([folder / Path(out[name]).name for folder in rounds], out[name])
    for path in out.snapshots:
        merge_state_files([folder / Path(path).name for folder in rounds], path)
    log.info("merged %d rounds: %s", len(rounds), ", ".join(str(r) for r in rounds))
