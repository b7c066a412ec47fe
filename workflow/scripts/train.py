"""Train every (learning rate, seed) run of one architecture as one batched model."""

import torch

from actstudy.config import Architecture, RunGrid
from actstudy.data import load_splits
from actstudy.logs import job_logging
from actstudy.training import TrainSettings, save_states, save_table, snapshot_name, train

with job_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    params = snakemake.params.training
    arch = Architecture.parse(snakemake.wildcards.dataset, snakemake.wildcards.arch)
    grid = RunGrid(tuple(params["learning_rates"]), tuple(params["seeds"]))
    result = train(arch, grid, load_splits(snakemake.input[0]), TrainSettings.from_config(params))
    out = snakemake.output
    save_states(result.states["init"], out.init)
    save_states(result.states["best"], out.best)
    for epoch, path in zip(sorted(params["snapshot_epochs"]), out.snapshots):
        save_states(result.states[snapshot_name(epoch)], path)
    save_table(result.history, out.history)
    save_table(result.summary, out.summary)
    log.info("summary at the best epoch:\n%s", result.summary.to_string(index=False))
