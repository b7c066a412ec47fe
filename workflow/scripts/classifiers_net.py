"""Layer classifiers of every (seed, state) of one network its analysis plan lists
(actstudy.analysis.run.score_classifiers). NumPy only: this job runs no network."""

from actstudy.analysis.plan import StateWork
from actstudy.analysis.run import score_classifiers
from actstudy.core.config import Architecture
from actstudy.core.logs import job_logging
from actstudy.data.datasets import info

with job_logging(snakemake.log[0]) as log:
    params = snakemake.params
    arch = Architecture.parse(*params.network)
    works = [StateWork.from_params(work) for work in params.works]
    score_classifiers(arch, works, params.threshold, info(arch.dataset).n_classes, snakemake.threads, log)
