"""Accuracy of every hidden layer's discrete, continuous (and combined) classifier, on
train and test, beside the network's own."""

import torch

from actstudy.core.config import Architecture
from actstudy.core.io import write_csv
from actstudy.core.logs import job_logging
from actstudy.metrics.classifiers import classifier_accuracies
from actstudy.training.device import pick_device

with job_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    arch = Architecture.parse(snakemake.wildcards.dataset, snakemake.wildcards.arch)
    table = classifier_accuracies(snakemake.input.train, snakemake.input.test, arch.activation, pick_device(), log,
                                  threshold=snakemake.params.threshold)  # fmt: skip
    write_csv(table, snakemake.output[0])
    log.info("accuracies (%%):\n%s", table.to_string(index=False))
