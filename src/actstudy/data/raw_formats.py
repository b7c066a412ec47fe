"""The official raw formats, read without running code from the data: IDX files (MNIST,
Fashion-MNIST; optionally gzipped) with their headers checked, and CIFAR-10's pickled
batches through an unpickler that allows only numpy's array reconstruction."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np

from actstudy.data.datasets import DataError

_IDX_DTYPE = {0x08: np.uint8}


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """Read an IDX file (MNIST's format, optionally gzipped) with its header checked."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise DataError(f"{path}: missing") from None
    except (OSError, EOFError) as error:
        raise DataError(f"{path}: cannot be read ({error}); the file is damaged or truncated") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPE or raw[3] != ndim:
        raise DataError(
            f"{path}: wrong magic number {raw[:4].hex() or '(empty file)'}; expected 0000 08 {ndim:02x} (IDX, uint8, {ndim}-d)"
        )
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(f"{path}: {len(raw)} bytes, but its header {shape} needs {expected}; the file is truncated")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


class _CifarUnpickler(pickle.Unpickler):
    """Unpickles a CIFAR-10 batch and nothing else: the official files are dicts of bytes
    keys, lists and numpy arrays, which need only numpy's array reconstruction. Any other
    global a file asks for (``os.system``, ``builtins.eval``, ...) is refused, so a crafted
    file in a mirror cannot run code, whatever its checksum says."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refused to load {module}.{name}: a CIFAR-10 batch holds only dicts, lists and arrays"
        )


def load_cifar_batch(path: Path) -> dict:
    with open(path, "rb") as handle:
        batch = _CifarUnpickler(handle, encoding="bytes").load()
    if not isinstance(batch, dict) or not {b"data", b"labels"} <= set(batch):
        raise DataError(f"{path}: not a CIFAR-10 batch (no data and labels)")
    return batch


def read_cifar_batches(folder: Path, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        try:
            batch = load_cifar_batch(path)  # the official format is a pickle: restricted
            x = np.asarray(batch[b"data"], dtype=np.uint8)
            y = np.asarray(batch[b"labels"], dtype=np.int64)
        except DataError:
            raise
        except Exception as error:
            raise DataError(
                f"{path}: not a CIFAR-10 batch ({error}); rebuild it with: snakemake --forcerun download"
            ) from None
        if x.ndim != 2 or x.shape[1] != 3072 or len(y) != len(x):
            raise DataError(f"{path}: data {x.shape} / labels {y.shape}; expected [N, 3072] and [N]")
        xs.append(x)
        ys.append(y)
    if not xs:
        raise DataError(f"{folder}: none of {names} present")
    return np.concatenate(xs), np.concatenate(ys)
