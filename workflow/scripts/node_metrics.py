"""Class medians, activity, dead nodes and layer sparsity of one run's state, layer by layer."""

from actstudy.core.config import Architecture
from actstudy.core.io import atomic_path, write_csv
from actstudy.core.logs import job_logging
from actstudy.metrics.nodes import node_metrics

with job_logging(snakemake.log[0]) as log:
    arch = Architecture.parse(snakemake.wildcards.dataset, snakemake.wildcards.arch)
    params = snakemake.params
    tables = node_metrics(list(snakemake.input.train), snakemake.input.test, arch.activation,
                          on_at_zero=params.on_at_zero, include_dead=params.include_dead,
                          threshold=params.threshold)  # fmt: skip
    with atomic_path(snakemake.output.class_nodes) as tmp:
        tables["class_nodes"].to_parquet(tmp, index=False)
    for name in ("nodes", "layers"):
        write_csv(tables[name], snakemake.output[name])
    log.info("layers:\n%s", tables["layers"].to_string(index=False))
