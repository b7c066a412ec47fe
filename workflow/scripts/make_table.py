"""Table 5.1 (dead nodes) or 5.2 (layer sparsity) from every seed's layer metrics."""

from actstudy.figures.catalog import TARGETS
from actstudy.logs import job_logging
from actstudy.tables import RENDERERS, network_layers, write_table

with job_logging(snakemake.log[0]) as log:
    name = snakemake.params.table
    build, caption = RENDERERS[TARGETS[name].kind]
    table = build(network_layers(snakemake.params.networks))
    out = snakemake.output
    write_table(table, out.csv, out.md, out.tex, caption)
    log.info("%s\n%s", name, table.to_string())
