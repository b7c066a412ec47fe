"""Train every (learning rate, seed) run of one architecture as one batched model (the
config's learning rates, or in a refinement round those of its plan).

The job saves its full state to params.checkpoint every training.checkpoint_every
epochs and on SIGTERM (cluster preemption, wall time), and resumes from it when run
again; the checkpoint is not a declared output, so Snakemake keeps it across reruns.
"""

import signal
from pathlib import Path

from actstudy.core.config import Architecture, RunGrid
from actstudy.core.io import write_csv
from actstudy.core.logs import job_logging
from actstudy.data.datasets import info
from actstudy.data.splits import load_splits
from actstudy.training.checkpoint import stop_on_signals
from actstudy.training.device import configure_process
from actstudy.training.selection import planned_learning_rates
from actstudy.training.states import save_states, snapshot_name
from actstudy.training.trainer import Trainer, TrainSettings

configure_process(snakemake.threads)
with job_logging(snakemake.log[0]) as log, stop_on_signals(signal.SIGTERM) as stop:
    params = snakemake.params.training
    arch = Architecture.parse(snakemake.wildcards.dataset, snakemake.wildcards.arch)
    planned = planned_learning_rates(snakemake.input.plan) if "plan" in snakemake.input.keys() else None
    grid = RunGrid(tuple(planned or params["learning_rates"]), tuple(params["seeds"]))
    splits = load_splits(snakemake.input.data, info(arch.dataset).n_classes)
    trainer = Trainer(arch, grid, splits, TrainSettings.from_config(params), info(arch.dataset).n_classes)
    # operational, not part of the job's identity: read from the config, not params
    every = snakemake.config["training"]["checkpoint_every"]
    result = trainer.run(checkpoint=snakemake.params.checkpoint, every=every, stop=stop)
    out = snakemake.output
    save_states(result.states["init"], out.init)
    save_states(result.states["best"], out.best)
    for epoch, path in zip(sorted(params["snapshot_epochs"]), out.snapshots):
        save_states(result.states[snapshot_name(epoch)], path)
    write_csv(result.history, out.history)
    write_csv(result.summary, out.summary)
    Path(snakemake.params.checkpoint).unlink(missing_ok=True)
    log.info("summary at the best epoch:\n%s", result.summary.to_string(index=False))
