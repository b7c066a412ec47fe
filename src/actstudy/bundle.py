"""A results bundle: one tar archive of what the later stages need to run without
training (the data the nets were trained on, every trained net's folder, its training
log, optionally the Parquet files of z), with a manifest of every file's SHA-256 and size, the
rule and wildcards that made it, and what made it: the code (a SHA-256 per source file),
the training settings of each net and the dataset split.

Plain Python (tarfile, hashlib): no torch. A bundle is untrusted input: ``verify`` reads
the whole archive and checks every member against the manifest before anything of it is
written (no links, no absolute or ``..`` paths, nothing outside ``results/``, nothing
unlisted, nothing missing). ``actstudy.restore`` puts a verified bundle in place.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from pathlib import Path, PurePosixPath

from actstudy.core.config import Architecture, run_grids, training_job
from actstudy.core.paths import train_dir, z_dir
from actstudy.data import raw

FORMAT = "actstudy-bundle/1"
MANIFEST = "manifest.json"
CODE = (
    "Snakefile",
    "pyproject.toml",
    "workflow/rules/*.smk",
    "workflow/scripts/*.py",
    "workflow/schemas/*.yaml",
    "src/actstudy/**/*.py",
)
MADE_BY = [  # path below results/ -> the rule that wrote it, with its wildcards
    (r"data/raw/(?P<dataset>[^/]+)/manifest\.json", "download"),
    (r"data/raw/(?P<dataset>[^/]+)/.+", "download (raw file its manifest lists)"),
    (r"data/(?P<dataset>[^/]+)\.npz", "prepare"),
    (r"train/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/selected\.json", "select"),
    (r"train/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/round0/.+", "train"),
    (r"train/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/round(?P<round>\d+)/plan\.json", "plan_round"),
    (r"train/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/round(?P<round>\d+)/.+", "train_round"),
    (r"train/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/[^/]+", "train or merge_rounds"),
    (r"logs/train/(?P<dataset>[^/]+)/(?P<arch>[^/]+?)(_round(?P<round>\d+))?\.log", "train (its log)"),
    (r"z/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/seed(?P<seed>\d+)/(?P<state>[^_/]+)_(?P<split>\w+)\.parquet",
     "extract_<dataset>_<arch> (its net's extraction job)"),
]  # fmt: skip
CHUNK = 1 << 20


class BundleError(Exception):
    """A bundle that cannot be used, and why."""


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def code_digests(root: str | Path) -> dict[str, str]:
    """SHA-256 of every source file of the workflow and the package, by path below ``root``."""
    root = Path(root)
    files = {path for pattern in CODE for path in root.glob(pattern) if path.is_file()}
    return {path.relative_to(root).as_posix(): sha256_file(path) for path in sorted(files)}


def network_records(config: dict) -> dict[str, dict]:
    """What defines each configured net's training (the train rule's params, and the
    number of refinement rounds), by ``dataset/name``."""
    rounds = config["training"].get("refine_rounds", 0)
    return {
        f"{arch.dataset}/{arch.name}": {"training": training_job(config["training"], grid), "refine_rounds": rounds}
        for arch, grid in run_grids(config).items()
    }


def selections(config: dict) -> list[str]:
    """Every configured net's ``selected.json``: what the bundle rule waits for (each is
    made after its net's training, every round of it, is complete)."""
    return [f"{train_dir(arch)}/selected.json" for arch in run_grids(config)]


def dataset_records(config: dict) -> dict[str, dict]:
    """What defines each dataset's prepared splits (the prepare rule's params)."""
    return {arch.dataset: {"split_seed": config["data"]["split_seed"]} for arch in run_grids(config)}


def made_by(path: str) -> dict:
    """The rule that wrote ``path`` (``results/...``) and its wildcards."""
    below = PurePosixPath(path).relative_to("results").as_posix()
    for pattern, rule in MADE_BY:
        match = re.fullmatch(pattern, below)
        if match:
            return {"rule": rule, "wildcards": {k: v for k, v in match.groupdict().items() if v is not None}}
    raise BundleError(f"{path}: no rule of the workflow writes such a file")


def bundled_files(workdir: str | Path, nets: list[Architecture], z: bool) -> list[str]:
    """The files a bundle of ``nets`` holds, as paths below ``workdir`` (``results/...``):
    each dataset's download and prepared splits, each net's training folder (every
    round) and training log, and, with ``z``, its Parquet files of z."""
    workdir = Path(workdir)
    found: set[Path] = set()
    for dataset in sorted({arch.dataset for arch in nets}):
        found.add(workdir / f"results/data/{dataset}.npz")
        manifest = workdir / f"results/data/raw/{dataset}/manifest.json"
        if manifest.exists():
            found |= {manifest, *raw.recorded_files(manifest)}
    for arch in nets:
        found |= set((workdir / train_dir(arch)).rglob("*"))
        found |= set((workdir / f"results/logs/train/{arch.dataset}").glob(f"{arch.name}.log"))
        found |= set((workdir / f"results/logs/train/{arch.dataset}").glob(f"{arch.name}_round*.log"))
        if z:
            found |= set((workdir / z_dir(arch)).rglob("*.parquet"))
    missing = [p for p in found if not p.exists()]
    if missing:
        raise BundleError(f"not built: {sorted(map(str, missing))[:5]}")
    return sorted(p.relative_to(workdir).as_posix() for p in found if p.is_file())


def write(out: str | Path, workdir: str | Path, files: list[str], header: dict) -> dict:
    """Write the bundle: ``manifest.json`` (the header, and every file's SHA-256, size and
    maker) first, then the files. Returns the manifest."""
    workdir = Path(workdir)
    entries = [
        {"path": f, "sha256": sha256_file(workdir / f), "size": (workdir / f).stat().st_size, **made_by(f)}
        for f in files
    ]
    manifest = {"format": FORMAT, **header, "files": entries}
    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    partial = Path(f"{out}.partial")
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for entry in entries:
            tar.add(workdir / entry["path"], arcname=entry["path"], recursive=False)
    partial.replace(out)
    return manifest


def _safe_member(member: tarfile.TarInfo) -> str:
    path = PurePosixPath(member.name)
    if not member.isfile():
        raise BundleError(f"{member.name}: not a plain file (links and folders are refused)")
    if path.is_absolute() or ".." in path.parts or path.parts[:1] != ("results",) or "\\" in member.name:
        raise BundleError(f"{member.name}: a path outside results/ (refused)")
    return path.as_posix()


def _members(tar: tarfile.TarFile):
    """The members after the manifest (iterating a TarFile starts again at its first)."""
    return (member for member in tar if member.offset != 0)


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BundleError(f"the first member is not {MANIFEST}: not an actstudy bundle")
    try:
        manifest = json.loads(tar.extractfile(first).read())
        if manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT!r}")
        for entry in manifest["files"]:
            if not {"path", "sha256", "size"} <= set(entry):
                raise ValueError(f"a file entry without path, sha256 and size: {entry}")
        for key in ("code", "networks", "datasets"):
            if not isinstance(manifest[key], dict):
                raise ValueError(f"{key!r} is not a mapping")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BundleError(f"{MANIFEST}: not a bundle manifest ({error})") from None
    return manifest


def verify(bundle: str | Path) -> dict:
    """Read the whole bundle and check every member against its manifest, writing nothing.
    Returns the manifest; raises BundleError naming the first member that does not match."""
    try:
        with tarfile.open(bundle, "r:") as tar:
            manifest = _read_manifest(tar)
            expected = {entry["path"]: entry for entry in manifest["files"]}
            seen = set()
            for member in _members(tar):
                path = _safe_member(member)
                entry = expected.get(path)
                if entry is None or path in seen:
                    raise BundleError(f"{path}: {'twice in' if path in seen else 'not listed in'} the manifest")
                digest = hashlib.sha256()
                handle = tar.extractfile(member)
                while block := handle.read(CHUNK):
                    digest.update(block)
                if member.size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    raise BundleError(f"{path}: its SHA-256 or size differs from the manifest's (damaged)")
                seen.add(path)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BundleError(f"{bundle}: not a readable tar archive ({error})") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BundleError(f"listed in the manifest but not in the archive: {missing[:5]}")
    return manifest


def differences(recorded: dict, here: dict, what: str) -> list[str]:
    """What differs between a bundle's record (of code, networks or datasets) and this
    checkout's, one line each. A net or dataset the bundle holds but the config does not
    train is a difference; one the config trains but the bundle lacks is not (it is
    simply not restored)."""
    lines = []
    for key, value in sorted(recorded.items()):
        if key not in here:
            lines.append(f"{what} {key}: in the bundle, not here")
        elif value != here[key]:
            lines.append(f"{what} {key}: " + _describe(value, here[key]))
    if what == "code":
        lines += [f"code {key}: here, not in the bundle" for key in sorted(set(here) - set(recorded))]
    return lines


def _describe(bundle_value, here_value) -> str:
    if isinstance(bundle_value, dict) and isinstance(here_value, dict):
        keys = sorted(set(bundle_value) | set(here_value))
        parts = [
            f"{k} {_describe(bundle_value.get(k), here_value.get(k))}"
            for k in keys
            if bundle_value.get(k) != here_value.get(k)
        ]
        return "; ".join(parts)
    if isinstance(bundle_value, str) and len(bundle_value) == 64:
        return "differs (SHA-256)"
    return f"{bundle_value!r} in the bundle, {here_value!r} here"


def extract(bundle: str | Path, workdir: str | Path, manifest: dict) -> list[str]:
    """Write a verified bundle's files below ``workdir``, each atomically (checked again as
    it is written, in case the archive changed since ``verify``). Returns their paths."""
    workdir = Path(workdir)
    expected = {entry["path"]: entry for entry in manifest["files"]}
    written = []
    with tarfile.open(bundle, "r:") as tar:
        _read_manifest(tar)
        for member in _members(tar):
            path = _safe_member(member)
            target = workdir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            digest = hashlib.sha256()
            with tar.extractfile(member) as source, open(partial, "wb") as sink:
                while block := source.read(CHUNK):
                    digest.update(block)
                    sink.write(block)
            if digest.hexdigest() != expected[path]["sha256"]:
                partial.unlink()
                raise BundleError(f"{path}: changed while restoring (its SHA-256 differs now)")
            partial.replace(target)
            written.append(path)
    return written
