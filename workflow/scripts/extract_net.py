"""z of every (seed, state) of one network its analysis plan lists, to Parquet
(actstudy.analysis.run.extract_network)."""

import torch

from actstudy.analysis.plan import StateWork
from actstudy.analysis.run import extract_network
from actstudy.core.config import Architecture
from actstudy.core.io import read_selection
from actstudy.core.logs import job_logging
from actstudy.data.datasets import info

with job_logging(snakemake.log[0]) as log:
    params = snakemake.params
    arch = Architecture.parse(*params.network)
    works = [StateWork.from_params(work) for work in params.works]
    torch.set_num_threads(snakemake.threads)
    log.info("%s %s: %d (seed, state) pairs, %d threads", arch.dataset, arch.name, len(works), snakemake.threads)
    extract_network(
        arch,
        works,
        read_selection(snakemake.input.selection),
        snakemake.input.data,
        params.extraction,
        params.batch_size,
        info(arch.dataset).n_classes,
        log,
    )
