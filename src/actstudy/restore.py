"""Restore a results bundle instead of retraining (docs/bundle.md).

    python -m actstudy.restore BUNDLE [--directory DIR] [--configfile FILE ...]
                               [--accept-different-code] [--accept-different-config]

In this order, stopping at the first problem: every member of the archive is checked
against its manifest (nothing written yet); the bundle's code digests are compared with
this checkout's source files and its nets' training settings with the config's (the
``--configfile`` files merged onto ``DIR/config.yaml`` as Snakemake merges them), and a
difference is refused, named, unless a flag accepts it; the files are written; then
``snakemake --touch --forceall`` over the restored nets' selections (and Parquet files of z) records them in
Snakemake's metadata as made by this code and config, with their times in the order of
the DAG (so a dry run has nothing to do for them, and a later change to a net's training
settings retrains that net). ``results/restored.json`` says what was restored from which
bundle (its SHA-256) and what was accepted; the scorecard's provenance reports it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml
from snakemake.utils import update_config

from actstudy import bundle
from actstudy.core.config import Architecture, ConfigError
from actstudy.core.io import write_json
from actstudy.core.provenance import RESTORED
from actstudy.validation import check_config_file, load_schema, validate


def load_config(workdir: Path, repo: Path, configfiles: list[str]) -> dict:
    """The config Snakemake would run with: ``config.yaml`` of the working directory,
    then each ``--configfile`` merged onto it, validated against the schema."""
    config: dict = {}
    for path in [workdir / "config.yaml", *map(Path, configfiles)]:
        check_config_file(path)
        update_config(config, yaml.safe_load(path.read_text()))
    validate(config, load_schema(repo / "workflow/schemas/config.schema.yaml"))
    return config


def problems(manifest: dict, repo: Path, config: dict) -> tuple[list[str], list[str]]:
    """(code differences, config differences) between a bundle and this checkout."""
    code = bundle.differences(manifest["code"], bundle.code_digests(repo), "code")
    nets = bundle.differences(manifest["networks"], bundle.network_records(config), "network")
    data = bundle.differences(manifest["datasets"], bundle.dataset_records(config), "dataset")
    return code, nets + data


def touch(repo: Path, workdir: Path, configfiles: list[str], targets: list[str]) -> None:
    """Record the restored files in Snakemake's metadata as made by this code and config."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(repo / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "1",
        "--touch",
        "--forceall",
        *(["--configfile", *configfiles] if configfiles else []),
        "--",
        *targets,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise bundle.BundleError(f"snakemake --touch failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def restore(
    path: Path,
    workdir: Path,
    repo: Path,
    configfiles: list[str],
    accept_code: bool = False,
    accept_config: bool = False,
    log=print,
) -> dict:
    """Verify, compare, write, and record a bundle (see the module's docstring). Returns
    the record written to ``results/restored.json``."""
    log(f"verifying {path} ...")
    manifest = bundle.verify(path)
    config = load_config(workdir, repo, configfiles)
    code, settings = problems(manifest, repo, config)
    for lines, accepted, flag in (
        (code, accept_code, "--accept-different-code"),
        (settings, accept_config, "--accept-different-config"),
    ):
        if lines and not accepted:
            shown = "\n  ".join(lines[:20]) + (f"\n  ... and {len(lines) - 20} more" if len(lines) > 20 else "")
            raise bundle.BundleError(
                f"{path} was made by other code or settings:\n  {shown}\n"
                f"Check out the bundle's commit ({manifest.get('git_commit')}) and its config, "
                f"or pass {flag} to restore it anyway (recorded in the provenance)."
            )
    written = bundle.extract(path, workdir, manifest)
    log(f"wrote {len(written)} files; recording them in Snakemake's metadata ...")
    nets = [Architecture.parse(*key.split("/")) for key in manifest["networks"]]
    selections = [f"results/train/{arch.dataset}/{arch.name}/selected.json" for arch in nets]
    z_files = [p for p in written if p.startswith("results/z/")]
    touch(repo, workdir, configfiles, selections + z_files)
    record = {
        "bundle": str(path),
        "bundle_sha256": bundle.sha256_file(path),
        "bundle_git_commit": manifest.get("git_commit"),
        "restored_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "networks": sorted(manifest["networks"]),
        "files": len(written),
        "accepted_differences": (code if accept_code else []) + (settings if accept_config else []),
    }
    write_json(record, workdir / RESTORED)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actstudy.restore", description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--directory", type=Path, default=Path("."), help="the working directory (default: here)")
    parser.add_argument("--snakefile", type=Path, help="the workflow (default: DIRECTORY/Snakefile)")
    parser.add_argument("--configfile", nargs="+", default=[], help="config files, as given to snakemake")
    parser.add_argument("--accept-different-code", action="store_true")
    parser.add_argument("--accept-different-config", action="store_true")
    args = parser.parse_args(argv)
    workdir = args.directory.resolve()
    repo = (args.snakefile or workdir / "Snakefile").resolve().parent
    configfiles = [str(Path(f).resolve()) for f in args.configfile]
    try:
        record = restore(
            args.bundle.resolve(), workdir, repo, configfiles, args.accept_different_code, args.accept_different_config
        )
    except (bundle.BundleError, ConfigError, OSError) as error:
        print(f"restore refused: {error}", file=sys.stderr)
        return 1
    print(
        f"restored {record['files']} files of {len(record['networks'])} nets from {args.bundle} "
        f"(SHA-256 {record['bundle_sha256']}); `snakemake -n` shows what is left to run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
