"""The official raw files: fetched (from the internet or a mirror) with md5 checks,
re-verified before use, and read as arrays (their formats: ``actstudy.data.raw_formats``)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse
from urllib.request import url2pathname

import numpy as np

from actstudy.data.datasets import DOWNLOADABLE, DataError, info

log = logging.getLogger(__name__)


def _torchvision_class(dataset: str):
    """torchvision's class of a downloaded dataset (its file lists, URLs and md5 sums: the
    registry's ``source``); any other name is an error that names it."""
    from torchvision import datasets

    if dataset not in DOWNLOADABLE:
        raise DataError(f"{dataset!r} is not a downloaded dataset (downloaded: {', '.join(DOWNLOADABLE)})")
    return getattr(datasets, info(dataset).source)


# --------------------------------------------------------------------------- download


def _local_path(url: str) -> Path:
    """The file system path of a file:// URL (percent-escapes such as %20 decoded)."""
    return Path(url2pathname(urlparse(url).path))


def _mirror_base(mirror: str, dataset: str) -> str | None:
    """URL (ending in '/') of the dataset's folder inside a mirror, or None if absent."""
    parsed = urlparse(mirror)
    if parsed.scheme in ("", "file"):
        root = (_local_path(mirror) if parsed.scheme == "file" else Path(mirror)).expanduser().resolve()
        if not root.is_dir():
            raise DataError(f"data.mirror: {mirror} is not a folder")
        for folder in info(dataset).mirror_folders:
            if (root / folder).is_dir():
                return (root / folder).as_uri() + "/"
        return None
    return mirror.rstrip("/") + "/" + info(dataset).mirror_folders[0] + "/"


def _fetch(urls: list[str], folder: Path, filename: str, md5: str | None) -> None:
    """Download ``filename`` from the first URL that gives a file with the right md5."""
    from torchvision.datasets.utils import check_integrity, download_url

    errors = []
    for url in urls:
        try:
            if url.startswith("file://"):  # torchvision's downloader needs an HTTP response
                shutil.copyfile(_local_path(url), folder / filename)
            else:
                download_url(url, str(folder), filename, md5)
        except Exception as error:  # OSError, URLError, HTTPError, RuntimeError from torchvision
            errors.append(f"{url}: {error}")
            (folder / filename).unlink(missing_ok=True)
            continue
        if md5 is None or check_integrity(str(folder / filename), md5):
            return
        errors.append(f"{url}: md5 mismatch (expected {md5})")
        (folder / filename).unlink(missing_ok=True)
    raise DataError(f"could not obtain {filename} with md5 {md5}:\n  " + "\n  ".join(errors))


def download(dataset: str, raw_dir: str | Path, mirror: str | None = None, allow_partial: bool = False) -> dict:
    """Put the dataset's official files in ``raw_dir``, checksums verified.

    Returns a manifest (file name -> md5, and whether the data is partial).
    """
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    cls = _torchvision_class(dataset)
    base = _mirror_base(mirror, dataset) if mirror else None
    if mirror and base is None:
        raise DataError(
            f"data.mirror: {mirror} has none of the folders {list(info(dataset).mirror_folders)} for {dataset}"
        )
    partial = False
    if info(dataset).source == "CIFAR10":
        partial = _download_cifar10(cls, raw_dir, base, allow_partial)
    else:  # mnist, fmnist: IDX files (_torchvision_class refused any other name)
        mirrors = [base] if base else list(cls.mirrors)
        for filename, md5 in cls.resources:
            _fetch([m + filename for m in mirrors], raw_dir, filename, md5)
    from torchvision.datasets.utils import calculate_md5

    files = sorted(p for p in raw_dir.rglob("*") if p.is_file())
    return {
        "dataset": dataset,
        "source": base or "official",
        "partial": partial,
        "files": {str(p.relative_to(raw_dir)): calculate_md5(str(p)) for p in files},
    }


def _download_cifar10(cls, raw_dir: Path, base: str | None, allow_partial: bool) -> bool:
    """CIFAR-10: the official archive (md5-checked), or a mirror's extracted batches."""
    from torchvision.datasets.utils import check_integrity, extract_archive

    extracted = _local_path(base) / cls.base_folder if base else None
    if extracted is None or not extracted.is_dir():
        url = base + cls.filename if base else cls.url
        _fetch([url], raw_dir, cls.filename, cls.tgz_md5)
        extract_archive(str(raw_dir / cls.filename), str(raw_dir))
        (raw_dir / cls.filename).unlink()
        return False
    target = raw_dir / cls.base_folder
    target.mkdir(exist_ok=True)
    problems = []
    for filename, md5 in cls.train_list + cls.test_list + [[cls.meta["filename"], cls.meta["md5"]]]:
        source = extracted / filename
        if not source.is_file():
            problems.append(f"{source}: missing")
            continue
        shutil.copyfile(source, target / filename)
        if not check_integrity(str(target / filename), md5):
            problems.append(f"{source}: md5 differs from the official {md5}")
    if problems and not allow_partial:
        raise DataError(
            "CIFAR-10 mirror is incomplete or altered (set data.allow_partial: true to use it anyway):\n  "
            + "\n  ".join(problems)
        )
    for problem in problems:
        log.warning("partial CIFAR-10, accepted because data.allow_partial is set: %s", problem)
    return bool(problems)


def load_raw(dataset: str, raw_dir: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test) of the official split, x flattened to [N, features],
    by the dataset's loader in the registry."""
    from actstudy.data import loaders

    return getattr(loaders, info(dataset).loader)(Path(raw_dir))


def _refetch(manifest_path: Path) -> str:
    return f"rebuild with: snakemake {manifest_path} --forcerun download"


def recorded_files(manifest_path: str | Path) -> dict[Path, str]:
    """The raw files a download's ``manifest.json`` lists, each with its md5. The manifest
    is data: it may name only files inside its own folder, and each must be there; else
    the problem is named with the command that fetches the files again."""
    manifest_path = Path(manifest_path)
    try:
        files = json.loads(manifest_path.read_text())["files"]
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise TypeError("'files' is not a mapping of file names to md5 sums")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise DataError(f"{manifest_path}: not a download manifest ({error}); {_refetch(manifest_path)}") from None
    out = {}
    for name, md5 in files.items():
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
            raise DataError(
                f"{manifest_path}: lists {name!r}, not a file inside its own folder; {_refetch(manifest_path)}"
            )
        if name == "manifest.json":
            continue
        path = manifest_path.parent / name
        if not path.is_file():
            raise DataError(f"{path}: missing, though the download recorded it; {_refetch(manifest_path)}")
        out[path] = md5
    return out


def verify_raw(dataset: str, raw_dir: Path) -> None:
    """Check every raw file against the md5 the download recorded in ``manifest.json``
    (itself checked against the official sums there): a file swapped or altered since
    the download is named, with the command that fetches it again."""
    from torchvision.datasets.utils import calculate_md5

    manifest_path = raw_dir / "manifest.json"
    if not manifest_path.is_file():
        return
    for path, md5 in recorded_files(manifest_path).items():
        if calculate_md5(str(path)) != md5:
            raise DataError(
                f"{path}: changed since it was downloaded (md5 differs from {md5}); {_refetch(manifest_path)}"
            )
