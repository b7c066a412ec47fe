"""Check the raw data, split off the validation set, store compact arrays."""

from pathlib import Path

from actstudy.core.logs import job_logging
from actstudy.data.splits import prepare, save_splits

with job_logging(snakemake.log[0]) as log:
    raw_dir = Path(snakemake.input[0]).parent if snakemake.input else None
    splits = prepare(snakemake.wildcards.dataset, raw_dir, snakemake.params.split_seed)
    log.info(
        "%s: train %d, validation %d, test %d samples, %d features (split seed %d)",
        snakemake.wildcards.dataset,
        len(splits.y_train),
        len(splits.y_val),
        len(splits.y_test),
        splits.x_train.shape[1],
        splits.split_seed,
    )
    save_splits(splits, snakemake.output[0])
