"""Table 5.1 (dead nodes) or 5.2 (layer sparsity) from every seed's layer metrics."""

import pandas as pd

from actstudy.config import Architecture
from actstudy.logs import job_logging
from actstudy.tables import dead_nodes_table, sparsity_table, write_table

CAPTIONS = {
    "table5_1": "Dead nodes (% of all hidden nodes, on for no training sample), mean ± SE over seeds",
    "table5_2": "Layer sparsity (% of training samples a non-dead node is off for, averaged over the layer), mean ± SE over seeds",
}

with job_logging(snakemake.log[0]) as log:
    frames = []
    for item in snakemake.params.networks:
        arch = Architecture.parse(item["dataset"], item["arch"])
        frame = pd.read_csv(item["layers"])
        frames.append(
            frame.assign(depth=arch.depth, activation=arch.activation, batch_norm=arch.batch_norm, seed=item["seed"])
        )
    layers = pd.concat(frames, ignore_index=True)
    name = snakemake.params.table
    table = dead_nodes_table(layers) if name == "table5_1" else sparsity_table(layers)
    out = snakemake.output
    write_table(table, out.csv, out.md, out.tex, CAPTIONS[name])
    log.info("%s\n%s", name, table.to_string())
