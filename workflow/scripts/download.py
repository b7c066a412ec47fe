"""Fetch one dataset's official files (or copy them from the mirror), checksums verified."""

from pathlib import Path

from actstudy.core.io import write_json
from actstudy.core.logs import job_logging
from actstudy.data.raw import download

with job_logging(snakemake.log[0]) as log:
    manifest_path = Path(snakemake.output[0])
    manifest = download(
        snakemake.wildcards.dataset,
        manifest_path.parent,
        mirror=snakemake.params.mirror,
        allow_partial=snakemake.params.allow_partial,
    )
    log.info("%s: %d files from %s", manifest["dataset"], len(manifest["files"]), manifest["source"])
    write_json(manifest, manifest_path)
