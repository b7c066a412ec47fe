"""Facts about the datasets, in one place: classes, input sizes and scale, split sizes,
mirror folder names (docs/protocol.md, "Data"). No heavy imports: the workflow reads it
while it plans."""

from __future__ import annotations

from dataclasses import dataclass

N_CLASSES = 10


class DataError(RuntimeError):
    """A dataset file is missing, damaged or of the wrong shape; the message names it."""


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    n_features: int
    scale: float  # raw value that maps to 1.0
    n_train_official: int  # official training samples (train + validation)
    n_val: int  # validation samples carved out of the official training set
    n_test: int
    mirror_folders: tuple[str, ...] = ()

    @property
    def n_train(self) -> int:
        """Training samples after the validation (and, for digits, the test) split."""
        held_out = self.n_val + (self.n_test if self.name == "digits" else 0)  # digits: one pool of 1 797
        return self.n_train_official - held_out


DATASETS = {
    "digits": DatasetInfo("digits", 64, 16.0, 1797, 180, 360),
    "mnist": DatasetInfo("mnist", 784, 255.0, 60000, 5000, 10000, ("mnist",)),
    "fmnist": DatasetInfo("fmnist", 784, 255.0, 60000, 5000, 10000, ("fashion-mnist",)),
    "cifar10": DatasetInfo("cifar10", 3072, 255.0, 50000, 5000, 10000, ("cifar-10", "cifar-10-subset")),
}
DOWNLOADABLE = ("mnist", "fmnist", "cifar10")


def info(dataset: str) -> DatasetInfo:
    try:
        return DATASETS[dataset]
    except KeyError:
        raise DataError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}") from None
