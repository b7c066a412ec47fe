"""Pack the data and every trained net into one checksummed archive (docs/bundle.md)."""

from pathlib import Path

from actstudy import bundle
from actstudy.core.config import Architecture
from actstudy.core.logs import job_logging
from actstudy.core.provenance import collect

with job_logging(snakemake.log[0]) as log:
    repo = Path(snakemake.scriptdir).resolve().parents[1]
    nets = [Architecture.parse(*key.split("/")) for key in snakemake.params.networks]
    files = bundle.bundled_files(".", nets, snakemake.params.z)
    made = collect(repo, snakemake.config)
    header = {
        "git_commit": made["git_commit"],
        "git_dirty": made["git_dirty"],
        "python": made["python"],
        "packages": made["packages"],
        "code": bundle.code_digests(repo),
        "networks": snakemake.params.networks,
        "datasets": bundle.dataset_records(snakemake.config),
    }
    manifest = bundle.write(snakemake.output[0], ".", files, header)
    size = sum(entry["size"] for entry in manifest["files"])
    log.info("bundled %d files of %d nets, %.1f MB", len(files), len(nets), size / 1e6)
