"""The dataset registry, in one place: per dataset its input size and scale, split sizes,
number of classes, the function that reads its raw files (``actstudy.data.loaders``),
where its files and their md5 sums come from, and its folder names in a mirror
(docs/protocol.md, "Data"; README, "Add a dataset"). No heavy imports: the workflow reads
it while it plans."""

from __future__ import annotations

from dataclasses import dataclass


class DataError(RuntimeError):
    """A dataset file is missing, damaged or of the wrong shape; the message names it."""


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    n_features: int
    scale: float  # raw value that maps to 1.0
    n_train_official: int  # official training samples (train + validation; a pooled set: all of it)
    n_val: int  # validation samples carved out of the official training set
    n_test: int
    n_classes: int  # labels 0 .. n_classes - 1
    loader: str  # the function of actstudy.data.loaders that reads its raw files
    source: str | None = None  # the torchvision class whose file list and md5 sums it downloads; None: bundled
    mirror_folders: tuple[str, ...] = ()
    pooled: bool = False  # no official test split: the test set is carved out of one pool too

    @property
    def n_train(self) -> int:
        """Training samples after the validation (and, for a pooled set, the test) split."""
        return self.n_train_official - self.n_val - (self.n_test if self.pooled else 0)


DATASETS = {
    "digits": DatasetInfo("digits", 64, 16.0, 1797, 180, 360, 10, "digits", pooled=True),
    "mnist": DatasetInfo("mnist", 784, 255.0, 60000, 5000, 10000, 10, "idx_images", "MNIST", ("mnist",)),
    "fmnist": DatasetInfo(
        "fmnist", 784, 255.0, 60000, 5000, 10000, 10, "idx_images", "FashionMNIST", ("fashion-mnist",)
    ),
    "cifar10": DatasetInfo(
        "cifar10", 3072, 255.0, 50000, 5000, 10000, 10, "cifar_batches", "CIFAR10", ("cifar-10", "cifar-10-subset")
    ),
}
DOWNLOADABLE = tuple(name for name, dataset in DATASETS.items() if dataset.source)


def info(dataset: str) -> DatasetInfo:
    try:
        return DATASETS[dataset]
    except KeyError:
        raise DataError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}") from None
