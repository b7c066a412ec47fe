"""Draw one Chapter 1/3 figure from the histories of the architectures it uses."""

from actstudy.core.config import Architecture
from actstudy.core.logs import job_logging
from actstudy.figures.draw import render, save
from actstudy.training.results import load_arch_results

with job_logging(snakemake.log[0]) as log:
    inputs = snakemake.input
    results = [
        load_arch_results(Architecture.parse(dataset, name), history, summary, selection)
        for (dataset, name), history, summary, selection in zip(
            snakemake.params.architectures, inputs.history, inputs.summary, inputs.selection
        )
    ]
    figure = snakemake.params.figure
    save(render(figure, results), snakemake.output.png, snakemake.output.pdf)
    log.info("%s drawn from %d architectures", figure, len(results))
