"""Where a scorecard's results came from: the code (git commit, and whether the tree had
uncommitted changes), the software (Python and the packages that compute), the machine,
and a digest of the config. The scorecard job writes it beside the scorecard
(``results/provenance.json``) and the report's first page shows it.

Plain Python: versions are read from the installed packages' metadata (torch is not
imported), the GPU from ``nvidia-smi`` where there is one.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from actstudy.core.io import read_json

PACKAGES = ("snakemake", "snakemake-executor-plugin-slurm", "torch", "numpy", "pandas", "pyarrow", "scikit-learn")
RESTORED = "results/restored.json"  # what the last restore wrote (actstudy.restore), from which bundle
SAFE = re.compile(r"^[\w .:+/()\-,@=]*$")  # what a value may hold to be shown in the report


def config_digest(config: dict) -> str:
    """SHA-256 of the config as canonical JSON (key order does not matter)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def _git(repo: Path, *args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60)
    return done.stdout.strip() if done.returncode == 0 else None


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpus() -> list[str]:
    if shutil.which("nvidia-smi") is None:
        return []
    done = subprocess.run(
        ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=60
    )
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def collect(repo: Path, config: dict) -> dict:
    """The provenance of results computed here now, by the workflow in ``repo``."""
    commit = _git(repo, "rev-parse", "HEAD")
    restored = restored_record()
    status = _git(repo, "status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": commit or "unknown (not a git checkout)",
        "git_dirty": bool(status) if status is not None else None,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(), "gpus": _gpus(), "system": platform.platform()},
        "config_sha256": config_digest(config),
        "results": results_origin(restored),
        "restored_from": restored,
    }


def restored_record(workdir: str | Path = ".") -> dict | None:
    """What ``results/restored.json`` says was restored, or None when nothing was."""
    path = Path(workdir) / RESTORED
    return read_json(path, ["bundle_sha256", "networks", "files"]) if path.exists() else None


def results_origin(record: dict | None) -> str:
    """Which results were computed here and which restored from which bundle."""
    if record is None:
        return "computed by this workflow here (no restored bundle)"
    accepted = record.get("accepted_differences") or []
    return _origin_text(
        record["bundle_sha256"], record.get("bundle_git_commit"), len(record["networks"]), len(accepted)
    )


def _origin_text(sha256: str, commit: str | None, n_networks: int, n_accepted: int) -> str:
    return (
        f"the data and the training of {n_networks} nets restored from bundle SHA-256 {sha256} (made at commit "
        f"{commit}"
        + (f", {n_accepted} differences accepted" if n_accepted else "")
        + "), everything after training computed here"
    )


def _safe(value) -> str:
    text = str(value)
    return text if SAFE.match(text) and len(text) < 200 else "(not shown: unexpected characters)"


HEX = re.compile(r"^[0-9a-f]+$")


def _checked_origin(provenance: dict) -> str:
    """The results line, rebuilt from the restore record's checked fields (a SHA-256 of 64
    hex digits, a commit of hex digits, counts) rather than shown as the file gives it:
    it is longer than ``_safe`` allows, and it is the line a restore promises to show."""
    record = provenance.get("restored_from")
    if record is None:
        return _safe(provenance.get("results", "?"))
    try:
        sha, commit = str(record["bundle_sha256"]), record.get("bundle_git_commit")
        n_networks, n_accepted = len(record["networks"]), len(record.get("accepted_differences") or [])
    except (KeyError, TypeError):
        return "(not shown: the restore record is malformed)"
    if not (len(sha) == 64 and HEX.match(sha)) or not (commit is None or HEX.match(str(commit))):
        return "(not shown: the restore record is malformed)"
    return _origin_text(sha, commit, n_networks, n_accepted)


def report_lines(provenance: dict) -> list[str]:
    """The provenance as RST bullet lines for the report's first page. Every value is read
    from a results file (untrusted): one that holds anything but plain text is replaced,
    so nothing in it can become markup or a template expression."""
    packages = ", ".join(f"{_safe(k)} {_safe(v)}" for k, v in dict(provenance.get("packages", {})).items())
    machine = dict(provenance.get("machine", {}))
    gpus = ", ".join(_safe(g) for g in machine.get("gpus", [])) or "none"
    dirty = {True: " (with uncommitted changes)", False: "", None: " (state unknown)"}.get(
        provenance.get("git_dirty"), ""
    )
    return [
        "**Provenance** of this run's scorecard (``results/provenance.json``):",
        "",
        f"- code: git commit {_safe(provenance.get('git_commit', '?'))}{dirty}",
        f"- software: Python {_safe(provenance.get('python', '?'))}; {packages}",
        f"- machine: {_safe(machine.get('cpu', '?'))}, {_safe(machine.get('cores', '?'))} cores; GPUs: {gpus}",
        f"- config SHA-256: {_safe(provenance.get('config_sha256', '?'))}",
        f"- results: {_checked_origin(provenance)}",
    ]
