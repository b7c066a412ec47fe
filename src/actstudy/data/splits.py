"""Prepared datasets: the raw files (``actstudy.data.raw``) checked, the validation set carved
out of the official training set with a fixed stratified split, stored as one ``.npz`` of
uint8 features and labels (pixels are scaled to [0, 1] when loaded), and read back with
every field checked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actstudy.core.io import atomic_path, reading
from actstudy.data.datasets import DataError, info
from actstudy.data.raw import load_raw, verify_raw

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- prepared splits


@dataclass
class Splits:
    """A prepared dataset: uint8 features, int64 labels, per split."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    scale: float
    split_seed: int

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")


def _check_arrays(dataset: str, x: np.ndarray, y: np.ndarray, what: str) -> None:
    expected = info(dataset).n_features
    if x.ndim != 2 or x.shape[1] != expected:
        raise DataError(f"{dataset} {what}: features {x.shape}, expected [N, {expected}]")
    if len(x) != len(y):
        raise DataError(f"{dataset} {what}: {len(x)} samples but {len(y)} labels")
    n_classes = info(dataset).n_classes
    if len(y) and (y.min() < 0 or y.max() >= n_classes):
        raise DataError(f"{dataset} {what}: labels outside 0..{n_classes - 1} (found {y.min()}..{y.max()})")


def prepare(dataset: str, raw_dir: str | Path | None, split_seed: int) -> Splits:
    """Check the raw data and carve the validation set out of the official training set."""
    meta = info(dataset)
    if raw_dir is not None:
        verify_raw(dataset, Path(raw_dir))
    x_train, y_train, x_test, y_test = load_raw(dataset, raw_dir or ".")
    _check_arrays(dataset, x_train, y_train, "training set")
    _check_arrays(dataset, x_test, y_test, "test set")
    n_val, official = meta.n_val, meta.n_train_official - (meta.n_test if meta.pooled else 0)
    if len(x_train) != official:
        # A partial mirror (CIFAR-10 subset): keep the study's validation fraction.
        n_val = round(meta.n_val * len(x_train) / official)
        log.warning(
            "%s: %d training samples instead of %d; validation set of %d", dataset, len(x_train), official, n_val
        )
    from sklearn.model_selection import train_test_split  # here: every job reading splits would pay its 1 s import

    x_train, x_val, y_train, y_val = train_test_split(
        x_train, y_train, test_size=n_val, stratify=y_train, random_state=split_seed
    )
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test, meta.scale, split_seed)


def save_splits(splits: Splits, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                **{f"{k}_{s}": getattr(splits, f"{k}_{s}") for k in "xy" for s in ("train", "val", "test")},
                scale=np.float64(splits.scale),
                split_seed=np.int64(splits.split_seed),
            )


def load_splits(path: str | Path, n_classes: int | None = None) -> Splits:
    """A prepared dataset; a damaged file is named with the command that rebuilds it (and
    so is one with a label outside 0 .. ``n_classes`` - 1, when given)."""
    with reading(path, "a prepared dataset"), np.load(path, allow_pickle=False) as arrays:
        fields = {k: arrays[k] for k in arrays.files}
        splits = Splits(
            **{k: v for k, v in fields.items() if k.startswith(("x_", "y_"))},
            scale=float(fields["scale"]),
            split_seed=int(fields["split_seed"]),
        )
        _check_prepared(splits, n_classes)
        return splits


def _check_prepared(splits: Splits, n_classes: int | None) -> None:
    """What every prepared file holds: uint8 features of one width, labels beside them (in
    0 .. ``n_classes`` - 1, when given)."""
    width = splits.x_train.shape[1] if splits.x_train.ndim == 2 else None
    for name in ("train", "val", "test"):
        x, y = splits.split(name)
        if x.dtype != np.uint8 or y.dtype != np.int64:
            raise ValueError(f"{name}: features {x.dtype} / labels {y.dtype}, expected uint8 / int64")
        if x.ndim != 2 or x.shape[1] != width or y.shape != (len(x),):
            raise ValueError(f"{name}: features {x.shape} / labels {y.shape}, expected [N, {width}] / [N]")
        if len(y) and (y.min() < 0 or (n_classes is not None and y.max() >= n_classes)):
            allowed = f"0..{n_classes - 1}" if n_classes is not None else "0 or more"
            raise ValueError(f"{name}: labels outside {allowed}")
    if not (np.isfinite(splits.scale) and splits.scale > 0):
        raise ValueError(f"scale {splits.scale} is not a positive number")
