"""What a training job asks a scheduler for, from its architecture and run grid.

Plain Python (the workflow calls it while planning). The numbers are upper estimates
from benchmarks/RESULTS.md (GPU epochs of an H200, a 2-3x margin), so that a job is
not killed for its runtime or memory on a cluster; a cluster profile can override any
of them per rule (``set-resources``).
"""

from __future__ import annotations

import math

from actstudy.core.config import Architecture, RunGrid
from actstudy.data.datasets import info

BASE_MEM_MB = 2_000  # Python, torch and the CUDA libraries
# Below this many parameters a job's work is a second or two, under its Python start-up
# (single-threaded): a second core would idle, and hold back another job.
TINY_NET = 50_000


def n_parameters(arch: Architecture) -> int:
    n_in = info(arch.dataset).n_features
    widths = [n_in] + [arch.width] * arch.depth
    weights = sum(a * b for a, b in zip(widths, widths[1:])) + arch.width * 10
    return weights + (2 * arch.width * arch.depth if arch.batch_norm else arch.width)  # BN: weight, bias


def train_mem_mb(arch: Architecture, grid: RunGrid) -> int:
    """Host memory: base + the dataset (uint8 + float32) + per run its parameters,
    gradients, two Adam moments, the best state and the checkpoint copy (6 copies)."""
    n_train, n_in = info(arch.dataset).n_train, info(arch.dataset).n_features
    data_mb = n_train * n_in * 5 * 1.2 / 1e6
    runs_mb = len(grid.runs) * n_parameters(arch) * 4 * 6 / 1e6
    return int(math.ceil((BASE_MEM_MB + data_mb + runs_mb) / 100) * 100)


def train_runtime_min(arch: Architecture, grid: RunGrid, epochs: int) -> int:
    """Minutes: 10 to start, plus per epoch a GPU-measured cost scaled by depth, width,
    runs and samples, with a 2-3x margin over the GPU epochs measured."""
    n_train, n_in = info(arch.dataset).n_train, info(arch.dataset).n_features
    size = (arch.width / 800) ** 2 + arch.width * n_in / (800 * 784) / arch.depth
    seconds_per_epoch = (n_train / 55_000) * (1 + 0.12 * arch.depth * len(grid.runs) * size)
    return 10 + int(math.ceil(epochs * seconds_per_epoch / 60))


def train_cpus(arch: Architecture) -> int:
    """CPU cores beside the GPU: 1 for tiny nets, 2 for small ones, 4 from width 200 on
    (and for a CPU fallback)."""
    if n_parameters(arch) < TINY_NET:
        return 1
    return 2 if arch.width < 200 else 4


def analysis_cpus(arch: Architecture) -> int:
    """Threads of a layer-classifier job: 1 for tiny nets, else 2."""
    return 1 if n_parameters(arch) < TINY_NET else 2
