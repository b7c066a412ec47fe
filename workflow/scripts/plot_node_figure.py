"""Draw one Chapter 4/5/6 figure from the node metrics, classifier accuracies or
activations it needs."""

from actstudy.config import Architecture
from actstudy.figures import NODE_FIGURE_KINDS, save
from actstudy.figures.catalog import FIGURE_KINDS
from actstudy.figures.nodes import NodeInputs
from actstudy.logs import job_logging

with job_logging(snakemake.log[0]) as log:
    figure = snakemake.wildcards.figure
    items = [
        NodeInputs(Architecture.parse(i["dataset"], i["arch"]), i["seed"], i["state"], i["files"], i["layer"])
        for i in snakemake.params.networks
    ]
    save(NODE_FIGURE_KINDS[FIGURE_KINDS[figure]](items), snakemake.output.png, snakemake.output.pdf)
    log.info("%s drawn from %d networks", figure, len(items))
