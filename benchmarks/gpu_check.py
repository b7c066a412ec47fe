"""Checks that need a GPU, for a session lent one (see benchmarks/device_run.sh).

1. The batched trainer on CUDA gives the CPU's results: same per-epoch losses and
   accuracies within float tolerance (TF32 off, as PyTorch's default for matmuls);
   the CUDA-graph step gives the eager step's results, with the default (foreach) and
   the compiled Adam update; and how far TF32 matmuls move the losses.
2. Real MNIST (raw files under --mnist): 4x200 ReLU and sigmoid, no batch norm, the
   study's three learning rates, one seed, --epochs epochs; prints the selected
   learning rate's test accuracy, and writes histories and summaries to --out.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from actstudy.core.config import Architecture, RunGrid
from actstudy.data.splits import Splits, prepare
from actstudy.training.selection import select_learning_rate
from actstudy.training.trainer import TrainSettings, train


def cuda_matches_cpu() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 600)
    x = rng.integers(0, 60, (600, 40)).astype(np.uint8)
    x[np.arange(600), 4 * y] += 150
    splits = Splits(x[:400], y[:400], x[400:500], y[400:500], x[500:], y[500:], 255.0, 0)
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    for bn in (False, True):
        for act in ("relu", "sigmoid"):
            arch = Architecture("tiny", 3, 32, bn, act)
            grid = RunGrid((0.01, 0.001), (0, 1))
            settings = TrainSettings(5, 64, 0.99)
            reference = train(arch, grid, splits, settings, 10, cpu).history
            runs = {
                "cuda graph": train(arch, grid, splits, settings, 10, cuda),
                "cuda eager": train(arch, grid, splits, settings, 10, cuda, cuda_graphs=False),
                "cuda graph compiled": train(arch, grid, splits, settings, 10, cuda, adam_update="compiled"),
            }
            torch.backends.cuda.matmul.allow_tf32 = True
            runs["cuda graph tf32"] = train(arch, grid, splits, settings, 10, cuda)
            torch.backends.cuda.matmul.allow_tf32 = False
            for name, result in runs.items():
                loss = np.max(np.abs(reference["train_loss"].to_numpy() - result.history["train_loss"].to_numpy()))
                acc = np.max(np.abs(reference["val_acc"].to_numpy() - result.history["val_acc"].to_numpy()))
                print(f"{arch.name} {name:>16} vs cpu: max |train loss diff| {loss:.2e}, max |val acc diff| {acc:.4f}")
                if "tf32" not in name:
                    assert loss < 1e-3, (name, loss)
            graph_vs_eager = np.max(
                np.abs(runs["cuda graph"].history["train_loss"] - runs["cuda eager"].history["train_loss"])
            )
            print(f"{arch.name} cuda graph vs cuda eager: max |train loss diff| {graph_vs_eager:.2e}")
            compiled = np.max(
                np.abs(runs["cuda graph"].history["train_loss"] - runs["cuda graph compiled"].history["train_loss"])
            )
            print(f"{arch.name} cuda graph foreach vs compiled Adam: max |train loss diff| {compiled:.2e}")


def real_mnist(raw: Path, epochs: int, out: Path) -> None:
    splits = prepare("mnist", raw, split_seed=0)
    for act in ("relu", "sigmoid"):
        arch = Architecture("mnist", 4, 200, False, act)
        began = time.perf_counter()
        result = train(arch, RunGrid((0.01, 0.001, 0.0001), (0,)), splits, TrainSettings(epochs, 64, 0.99), 10)
        seconds = time.perf_counter() - began
        choice = select_learning_rate(result.summary)
        chosen = result.summary.set_index("run").loc[choice["runs"][0]]
        print(
            f"MNIST {arch.label}: {epochs} epochs in {seconds:.1f}s; selected lr {choice['learning_rate']:g}; "
            f"best epoch {chosen['best_epoch']}; val {chosen['val_acc']:.4f}; test {chosen['test_acc']:.4f}; "
            f"train {chosen['train_acc']:.4f}"
        )
        result.history.to_csv(out / f"mnist_{arch.name}_history.csv", index=False)
        result.summary.to_csv(out / f"mnist_{arch.name}_summary.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, required=True, help="folder with the four MNIST .gz files")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}")
    cuda_matches_cpu()
    real_mnist(args.mnist, args.epochs, args.out)


if __name__ == "__main__":
    main()
