"""Each dataset's reader of its raw files (named by its ``loader`` in the registry,
``actstudy.data.datasets``): ``(x_train, y_train, x_test, y_test)`` of the official split,
x flattened to [N, features] as uint8, y int64 in 0 .. n_classes - 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actstudy.data.datasets import DataError, info
from actstudy.data.raw_formats import read_cifar_batches, read_idx

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def pooled_split(dataset: str, x: np.ndarray, y: np.ndarray) -> Arrays:
    """A dataset without an official test split: a fixed, stratified test set of the
    registry's size, independent of ``data.split_seed``."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=info(dataset).n_test, stratify=y, random_state=0
    )
    return x_train, y_train, x_test, y_test


def digits(raw_dir: Path) -> Arrays:
    """scikit-learn's bundled 8x8 digits (pixel values 0..16): nothing to download."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return pooled_split("digits", bunch.data.astype(np.uint8), bunch.target.astype(np.int64))


def idx_images(raw_dir: Path) -> Arrays:
    """MNIST and Fashion-MNIST: the four IDX files, 28x28 images."""
    x_train, y_train, x_test, y_test = (
        read_idx(raw_dir / "train-images-idx3-ubyte.gz", 3),
        read_idx(raw_dir / "train-labels-idx1-ubyte.gz", 1),
        read_idx(raw_dir / "t10k-images-idx3-ubyte.gz", 3),
        read_idx(raw_dir / "t10k-labels-idx1-ubyte.gz", 1),
    )
    for images, labels, name in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if images.shape[1:] != (28, 28):
            raise DataError(f"{raw_dir}/{name}-images-idx3-ubyte.gz: images {images.shape[1:]}, expected 28x28")
        if len(images) != len(labels):
            raise DataError(f"{raw_dir}/{name}-*: {len(images)} images but {len(labels)} labels")
    flat = [x_train.reshape(len(x_train), -1), y_train.astype(np.int64), x_test.reshape(len(x_test), -1)]
    return flat[0], flat[1], flat[2], y_test.astype(np.int64)


def cifar_batches(raw_dir: Path) -> Arrays:
    """CIFAR-10: the five training batches and the test batch."""
    folder = raw_dir / "cifar-10-batches-py"
    x_train, y_train = read_cifar_batches(folder, [f"data_batch_{i}" for i in range(1, 6)])
    x_test, y_test = read_cifar_batches(folder, ["test_batch"])
    return x_train, y_train, x_test, y_test
