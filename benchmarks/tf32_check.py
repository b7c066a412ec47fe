"""Do TF32 matmuls stay within tolerance of FP32? Measured against the seeds' spread.

Two trainings of the same job (the study's learning rates x 3 seeds, real MNIST), one
with FP32 matmuls (PyTorch's default) and one with TF32, for 4x200 and 8x800 ReLU nets.
Single trajectories part ways under any rounding change (the CPU and the GPU already
differ in the last bits), so the comparison is of what the study reports: per
learning rate, the test accuracy at the best validation epoch, and which learning rate
the selection picks. TF32 counts as within tolerance for a net when, for every
learning rate, the mean test accuracy over the seeds moves by less than the FP32
seeds' standard deviation, and the selected learning rate is the same.

    python benchmarks/tf32_check.py --mnist <folder with the MNIST .gz files> --epochs 20
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import torch

from actstudy.core.config import Architecture, RunGrid
from actstudy.data.splits import prepare
from actstudy.training.selection import select_learning_rate
from actstudy.training.trainer import Trainer, TrainSettings

LEARNING_RATES, SEEDS = (0.01, 0.001, 0.0001), (0, 1, 2)


def train_once(arch: Architecture, splits, epochs: int, tf32: bool) -> tuple[pd.DataFrame, float]:
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        trainer = Trainer(arch, RunGrid(LEARNING_RATES, SEEDS), splits, TrainSettings(epochs, 64, 0.99), 10)
        summary = trainer.run().summary
    finally:
        torch.backends.cuda.matmul.allow_tf32 = False
    return summary, sum(trainer.epoch_seconds[1:]) / max(1, len(trainer.epoch_seconds) - 1)


def compare(fp32: pd.DataFrame, tf32: pd.DataFrame) -> pd.DataFrame:
    """Per learning rate: FP32 and TF32 test accuracy (mean, sd over seeds), largest
    paired difference, and whether the mean moved by less than the FP32 sd."""
    both = fp32.merge(tf32, on=["run", "learning_rate", "seed"], suffixes=("_fp32", "_tf32"))
    both["paired"] = (both["test_acc_tf32"] - both["test_acc_fp32"]).abs()
    table = both.groupby("learning_rate").agg(
        fp32_mean=("test_acc_fp32", "mean"),
        fp32_sd=("test_acc_fp32", "std"),
        tf32_mean=("test_acc_tf32", "mean"),
        tf32_sd=("test_acc_tf32", "std"),
        max_paired=("paired", "max"),
    )
    table["within"] = (table["tf32_mean"] - table["fp32_mean"]).abs() < table["fp32_sd"]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, required=True, help="folder with the four MNIST .gz files")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--archs", nargs="+", default=["4x200", "8x800"], help="DEPTHxWIDTH")
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("TF32 is a GPU matmul mode: run this where CUDA is available")
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}; {args.epochs} epochs", flush=True)
    splits = prepare("mnist", args.mnist, split_seed=0)
    verdicts = []
    for spec in args.archs:
        depth, width = (int(v) for v in spec.split("x"))
        arch = Architecture("mnist", depth, width, False, "relu")
        (fp32, fp32_s), (tf32, tf32_s) = (
            train_once(arch, splits, args.epochs, False),
            train_once(arch, splits, args.epochs, True),
        )
        for name, summary in (("fp32", fp32), ("tf32", tf32)):
            summary.to_csv(args.out / f"tf32_check_{spec}_{name}_summary.csv", index=False)
        table = compare(fp32, tf32)
        same_lr = select_learning_rate(fp32)["learning_rate"] == select_learning_rate(tf32)["learning_rate"]
        print(f"\n{spec} ReLU, 9 runs per job: FP32 {fp32_s:.3f} s/epoch, TF32 {tf32_s:.3f} s/epoch")
        print(table.to_string(float_format=lambda v: f"{v:.4f}"))
        print(f"same selected learning rate: {same_lr}")
        verdicts.append(f"{spec}: {'within' if table['within'].all() and same_lr else 'NOT within'} tolerance")
    print("\n" + "\n".join(verdicts))


if __name__ == "__main__":
    main()
