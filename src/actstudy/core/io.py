"""Small file helpers shared by every writer: nothing appears half-written."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    The temporary file lives in the same folder, so the final rename is atomic: a
    reader (or Snakemake after a crash) sees either no file or the complete one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        os.replace(tmp, path)
    except Exception as error:
        tmp.unlink(missing_ok=True)
        _raise_if_disk_full(path, error)
        raise
    finally:
        tmp.unlink(missing_ok=True)


FULL_DISK_BYTES = 1 << 20  # under this much free space a failed write is put down to a full disk


def _raise_if_disk_full(path: Path, error: Exception) -> None:
    """A writer that fails on a full disk (torch.save raises a C++ 'file write failed',
    numpy or pyarrow their own) becomes one OSError naming the file and the disk."""
    import errno
    import shutil

    full = isinstance(error, OSError) and error.errno == errno.ENOSPC
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if full or (free is not None and free < FULL_DISK_BYTES):
        mount = path.parent.resolve()
        while not os.path.ismount(mount):
            mount = mount.parent
        raise OSError(
            errno.ENOSPC,
            f"no space left writing {path}: the disk mounted at {mount} has {free} bytes free "
            f"({type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''})",
        ) from error


class DamagedFileError(RuntimeError):
    """A file the workflow wrote is truncated, damaged or not what it should be; the
    message names it and the command that rebuilds it."""


def rebuild_command(path: str | Path) -> str:
    """The command that writes ``path`` again, e.g. ``snakemake --force
    results/data/mnist.npz``: ``--force`` reruns the job that writes the file, whichever
    rule it is (a network's analysis job writes many; a raw download file is written
    again with its manifest)."""
    import re

    text = Path(path).as_posix()
    start = text.find("results/")
    relative = text[start:] if start >= 0 else text
    raw = re.match(r"results/data/raw/([^/]+)/", relative)
    if raw:
        relative = f"results/data/raw/{raw.group(1)}/manifest.json"
    return f"snakemake --force {relative}"


@contextmanager
def reading(path: str | Path, what: str) -> Iterator[None]:
    """Turn any failure to read ``path`` (a ``what``, e.g. "Parquet activations") into a
    DamagedFileError naming the file, the problem and how to rebuild it. The file is left
    as it is: nothing is deleted because it could not be read."""
    try:
        yield
    except FileNotFoundError:
        raise DamagedFileError(f"{path}: missing; build it with: {rebuild_command(path)}") from None
    except DamagedFileError:
        raise
    except Exception as error:  # noqa: BLE001 - every reader's library raises its own kinds
        detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise DamagedFileError(
            f"{path}: cannot be read as {what} ({type(error).__name__}: {detail}); "
            f"the file is damaged or truncated; rebuild it with: {rebuild_command(path)}"
        ) from None


def write_json(data: object, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_json(path: str | Path, keys: list[str] | None = None) -> object:
    """A JSON file the workflow wrote; a damaged one, or an object without the ``keys``
    its reader needs, is named with the command that rebuilds it."""
    with reading(path, "JSON"):
        data = json.loads(Path(path).read_text())
        missing = [k for k in keys or [] if not isinstance(data, dict) or k not in data]
        if missing:
            raise ValueError(f"keys {missing} missing")
    return data


def read_table(path: str | Path, kind: str):
    """A CSV table of one of the workflow's kinds (``actstudy.core.formats.COLUMNS``), checked
    for that kind's columns."""
    from actstudy.core.formats import COLUMNS, DESCRIPTIONS

    return read_csv(path, DESCRIPTIONS[kind], COLUMNS[kind])


def read_selection(path: str | Path) -> dict:
    """A learning-rate selection (``selected.json``), checked for its keys."""
    from actstudy.core.formats import SELECTION_KEYS

    return read_json(path, SELECTION_KEYS)


def read_csv(path: str | Path, what: str = "a CSV table", columns: list[str] | None = None):
    """A CSV the workflow wrote, as a DataFrame; a damaged one, or one without the
    ``columns`` its reader needs, is named with the command that rebuilds it."""
    import pandas as pd

    with reading(path, what):
        frame = pd.read_csv(path)
        missing = [c for c in columns or [] if c not in frame.columns]
        if missing:
            raise ValueError(f"columns {missing} missing")
    return frame


def write_csv(frame, path: str | Path) -> None:
    """A DataFrame as CSV (no index), atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def read_parquet(path: str | Path, what: str = "a metrics table"):
    """A Parquet table the workflow wrote, as a DataFrame (named if damaged)."""
    import pandas as pd

    with reading(path, what):
        return pd.read_parquet(path)
