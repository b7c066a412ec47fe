"""Accuracy of every hidden layer's discrete, continuous (and combined) classifier, on
train and test, beside the network's own. NumPy only: this job runs no network."""

from threadpoolctl import threadpool_limits

from actstudy.core.config import Architecture
from actstudy.core.io import write_csv
from actstudy.core.logs import job_logging
from actstudy.metrics.classifiers import classifier_accuracies

# BLAS single-threaded: the job's threads score sample chunks side by side instead
with job_logging(snakemake.log[0]) as log, threadpool_limits(1):
    arch = Architecture.parse(snakemake.wildcards.dataset, snakemake.wildcards.arch)
    table = classifier_accuracies(snakemake.input.train, snakemake.input.test, arch.activation, log,
                                  threshold=snakemake.params.threshold, threads=snakemake.threads)  # fmt: skip
    write_csv(table, snakemake.output[0])
    log.info("accuracies (%%):\n%s", table.to_string(index=False))
