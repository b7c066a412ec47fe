"""Write the hidden pre-activations z of one analysed run (one state: the selected run of
the seed, or its run at the learning-rate reading's rate) to Parquet, one file per split
the rule names as an output (train, test; or val)."""

import torch

from actstudy.core.config import Architecture
from actstudy.core.io import read_selection
from actstudy.core.logs import job_logging
from actstudy.data.splits import load_splits
from actstudy.extraction.extract import write_activations
from actstudy.training.device import pick_device
from actstudy.training.models import reference_mlp
from actstudy.training.selection import analysed_run
from actstudy.training.states import load_state

with job_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    wildcards = snakemake.wildcards
    arch = Architecture.parse(wildcards.dataset, wildcards.arch)
    how = snakemake.params.extraction  # batch_norm, z_at, learning_rate: the analysis readings
    run = analysed_run(read_selection(snakemake.input.selection), int(wildcards.seed), how["learning_rate"])
    splits = load_splits(snakemake.input.data)
    model = reference_mlp(arch, splits.x_train.shape[1])
    model.load_state_dict(load_state(snakemake.input.states, run))
    batch_norm, z_at, device = how["batch_norm"], how["z_at"], pick_device()
    for split, path in snakemake.output.items():
        x, y = splits.split(split)
        write_activations(model, x, y, splits.scale, path, device=device, batch_norm=batch_norm,
                          batch_size=snakemake.params.batch_size, z_at=z_at)  # fmt: skip
        log.info("%s %s run %s, state %s, %s split: %d samples, batch norm %s, z at the %s", arch.dataset,
                 arch.name, run, wildcards.state, split, len(y), batch_norm,
                 "activation's input" if z_at == "activation" else "linear output")  # fmt: skip
