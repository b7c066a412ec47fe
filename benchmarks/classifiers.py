"""The Chapter 6 layer-classifier analysis of one big net: time, peak memory, and the
binned KDE against the exact one.

An 8x800 ReLU net (He init, no batch norm, untrained: timing does not depend on the
weights) on the 55 000 training and 10 000 test images of real MNIST (the prepared split
of ``--mirror``), or on random MNIST-shaped data without one. Its z go to Parquet as the
pipeline writes them; then a fresh Python process runs ``classifier_accuracies``, which
fits every layer's three systems on the 55 000 and evaluates them on all 65 000 samples,
exactly as the pipeline's ``classifiers`` job does: its wall time and peak RSS are the
job's (imports included). ``--out`` keeps its table, to compare two versions' results. Finally the exact KDE (direct sum) is timed on a subsample of
evaluation samples for one layer and extrapolated to the full analysis, and its log
densities are compared with the binned ones on that subsample.

    python benchmarks/classifiers.py [--mirror ../shared/datasets] [--depth 8] [--width 800]
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from actstudy.core.config import Architecture
from actstudy.data.raw import download
from actstudy.data.splits import prepare
from actstudy.extraction.extract import write_activations
from actstudy.extraction.zparquet import read_layer
from actstudy.metrics.kde import FLOOR, BinnedKDE, exact_log_density
from actstudy.training.models import reference_mlp

ANALYSIS = """
import sys, time
began = time.perf_counter()
from threadpoolctl import threadpool_limits
from actstudy.metrics.classifiers import classifier_accuracies
with threadpool_limits(1):  # as the pipeline's job: its threads score sample chunks
    table = classifier_accuracies(sys.argv[1], sys.argv[2], "relu", 10, threads=int(sys.argv[3]))
table.to_csv(sys.argv[4], index=False)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))  # this process alone
print(f"{time.perf_counter() - began:.2f} {int(peak.split()[1]) / 1024:.0f}")
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mnist_arrays(mirror: str | None, folder: Path):
    if mirror is None:
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (65_000, 784), dtype=np.uint8)
        y = rng.integers(0, 10, 65_000)
        return (x[:55_000], y[:55_000]), (x[55_000:], y[55_000:])
    download("mnist", folder / "raw", mirror=mirror)
    splits = prepare("mnist", folder / "raw", split_seed=0)
    return splits.split("train"), splits.split("test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=None, help="folder with mnist/ (default: random data)")
    parser.add_argument("--depth", type=int, default=8)
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--exact-samples", type=int, default=40, help="evaluation samples timed exactly")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--out", help="write the accuracy table here (CSV)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    arch = Architecture("mnist", args.depth, args.width, False, "relu")
    model = reference_mlp(arch, 784, 10, torch.Generator().manual_seed(0))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (x_train, y_train), (x_test, y_test) = mnist_arrays(args.mirror, folder)
        train, test = folder / "train.parquet", folder / "test.parquet"
        write_activations(model, x_train, y_train, 255.0, train)
        write_activations(model, x_test, y_test, 255.0, test)
        print(
            f"{arch.label} on {'MNIST' if args.mirror else 'random data'}: fit on {len(y_train)}, "
            f"evaluate {len(y_train)} + {len(y_test)}; {args.threads} threads; "
            f"peak RSS after extraction {peak_rss_mb():.0f} MB"
        )
        out = Path(args.out) if args.out else folder / "accuracies.csv"
        began = time.perf_counter()
        job = subprocess.run(
            [sys.executable, "-c", ANALYSIS, str(train), str(test), str(args.threads), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        full_s = time.perf_counter() - began
        seconds, peak_mb = job.stdout.split()[-2:]
        print(
            f"full analysis (3 systems, {args.depth} layers; NumPy, no torch), in its own process: {full_s:.1f} s "
            f"wall (imports and analysis {seconds} s), peak RSS of that process {peak_mb} MB"
        )
        table = pd.read_csv(out)
        print(table[table["split"] == "test"].pivot(index="layer", columns="system", values="accuracy").round(2))

        # Exact KDE on a subsample of evaluation samples, layer 1.
        z, y = read_layer(train, 1)
        z_eval = z[: args.exact_samples]
        began = time.perf_counter()
        kde = BinnedKDE.fit(z, y, 10)
        binned = kde.log_density(z_eval)
        binned_s = time.perf_counter() - began
        began = time.perf_counter()
        exact = exact_log_density(z, y, z_eval, 10)
        exact_s = time.perf_counter() - began
        n_eval = len(y_train) + len(y_test)
        exact_total = exact_s * n_eval / args.exact_samples * args.depth
        above = exact > math.log(FLOOR)
        error = float(np.abs(binned - exact)[above].max())
        print(
            f"layer 1, {args.exact_samples} evaluation samples x {args.width} nodes x 10 classes: "
            f"exact {exact_s:.1f} s, binned (fit included) {binned_s:.1f} s; grid {kde.size} points, "
            f"spacing {kde.spacing_in_bandwidths:.4f} bandwidths"
        )
        print(
            f"largest |log binned - log exact| where the density is above the floor: {error:.2e} "
            f"({100 * float(above.mean()):.1f}% of the values)"
        )
        print(
            f"exact KDE extrapolated to the full analysis ({n_eval} samples x {args.depth} layers): "
            f"{exact_total / 3600:.1f} h = {exact_total / full_s:.0f}x the binned analysis "
            f"(which includes the discrete system and reading Parquet)"
        )


if __name__ == "__main__":
    main()
