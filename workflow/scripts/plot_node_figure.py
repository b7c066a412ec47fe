"""Draw one Chapter 4/5/6 figure from the node metrics, classifier accuracies or
activations it needs."""

from actstudy.core.config import Architecture
from actstudy.core.logs import job_logging
from actstudy.figures.draw import render, save
from actstudy.figures.nodes import NodeInputs

with job_logging(snakemake.log[0]) as log:
    figure = snakemake.params.figure
    items = [
        NodeInputs(Architecture.parse(i["dataset"], i["arch"]), i["seed"], i["state"], i["files"], i["layer"])
        for i in snakemake.params.networks
    ]
    save(render(figure, items), snakemake.output.png, snakemake.output.pdf)
    log.info("%s drawn from %d networks", figure, len(items))
