"""Plan one round of the learning-rate refinement: which rates it trains (none: stop)."""

import pandas as pd

from actstudy.core.io import read_json, read_table, write_json
from actstudy.core.logs import job_logging
from actstudy.training.selection import refinement_plan

with job_logging(snakemake.log[0]) as log:
    summaries = pd.concat([read_table(path, "summary") for path in snakemake.input.summaries], ignore_index=True)
    previous = read_json(snakemake.input.previous, ["winner"]) if "previous" in snakemake.input.keys() else None
    plan = refinement_plan(summaries, int(snakemake.wildcards.round), snakemake.params.rounds, previous)
    log.info(
        "round %s: best so far %s; %s",
        plan["round"],
        plan["winner"],
        f"trains {plan['learning_rates']}" if plan["learning_rates"] else f"stops: {plan['why']}",
    )
    write_json(plan, snakemake.output[0])
