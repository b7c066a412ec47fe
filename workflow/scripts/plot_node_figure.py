"""Draw one Chapter 4/5 figure from the node metrics (or activations) it needs."""

from actstudy.config import Architecture
from actstudy.figures import NODE_FIGURE_KINDS, save
from actstudy.figures.catalog import NODE_FIGURES
from actstudy.figures.nodes import NodeInputs
from actstudy.logs import job_logging

with job_logging(snakemake.log[0]) as log:
    figure = snakemake.wildcards.figure
    items = [
        NodeInputs(Architecture.parse(i["dataset"], i["arch"]), i["seed"], i["state"], i["files"])
        for i in snakemake.params.networks
    ]
    save(NODE_FIGURE_KINDS[NODE_FIGURES[figure]](items), snakemake.output.png, snakemake.output.pdf)
    log.info("%s drawn from %d networks", figure, len(items))
