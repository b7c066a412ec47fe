"""Table 5.1 (dead nodes) or 5.2 (layer sparsity) from every seed's layer metrics."""

from actstudy.core.logs import job_logging
from actstudy.figures.catalog import TARGETS, renderer
from actstudy.study.tables import CAPTIONS, network_layers, write_table

with job_logging(snakemake.log[0]) as log:
    name = snakemake.params.table
    kind = TARGETS[name].kind
    table = renderer(kind)(network_layers(snakemake.params.networks))
    out = snakemake.output
    write_table(table, out.csv, out.md, out.tex, CAPTIONS[kind])
    log.info("%s\n%s", name, table.to_string())
