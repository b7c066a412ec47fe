"""Node metrics of every (seed, state) of one network its analysis plan lists
(actstudy.analysis.run.measure_nodes)."""

from actstudy.analysis.plan import StateWork
from actstudy.analysis.run import measure_nodes
from actstudy.core.config import Architecture
from actstudy.core.logs import job_logging
from actstudy.data.datasets import info

with job_logging(snakemake.log[0]) as log:
    params = snakemake.params
    arch = Architecture.parse(*params.network)
    works = [StateWork.from_params(work) for work in params.works]
    n_classes = info(arch.dataset).n_classes
    readings = params.on_at_zero, params.include_dead, params.with_validation, params.threshold
    measure_nodes(arch, works, *readings, n_classes, log)
