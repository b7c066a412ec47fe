from pathlib import Path

import numpy as np
import pytest

from actstudy.data import Splits

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def tiny_splits() -> Splits:
    """A small, learnable 10-class problem: class c lights up feature block c."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 10, n)
        x = rng.integers(0, 60, (n, 20))
        x[np.arange(n), 2 * y] += 150
        return x.astype(np.uint8), y.astype(np.int64)

    x_train, y_train = make(150)  # 150 = 2 batches of 64 + a partial one of 22
    x_val, y_val = make(40)
    x_test, y_test = make(40)
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test, scale=255.0, split_seed=0)
