"""Chapter 6 on real data through the package API (for a machine without Snakemake,
such as the lent GPU): prepare Fashion-MNIST from a mirror, train a 4x200 ReLU and a
4x200 sigmoid net (the study's three learning rates, one seed), select the learning
rate, extract the best state's z on train and test, and score every layer's systems
beside the network's own accuracy. The same steps the pipeline's rules run.

    python benchmarks/chapter6_check.py --mirror ../shared/datasets --epochs 30 --out results/ch6
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from actstudy.config import Architecture, RunGrid
from actstudy.data import prepare
from actstudy.device import pick_device
from actstudy.extract import write_activations
from actstudy.metrics.classifiers import classifier_accuracies
from actstudy.models import reference_mlp
from actstudy.raw import download
from actstudy.selection import select_learning_rate
from actstudy.training import TrainSettings, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--dataset", default="fmnist")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    device = pick_device()
    with tempfile.TemporaryDirectory() as folder:
        download(args.dataset, Path(folder) / "raw", mirror=args.mirror)
        splits = prepare(args.dataset, Path(folder) / "raw", split_seed=0)
        tables = []
        for activation in ("relu", "sigmoid"):
            arch = Architecture(args.dataset, 4, 200, False, activation)
            began = time.perf_counter()
            result = train(arch, RunGrid((0.01, 0.001, 0.0001), (0,)), splits,
                           TrainSettings(args.epochs, 64, 0.99), device)  # fmt: skip
            run = select_learning_rate(result.summary)["runs"][0]
            model = reference_mlp(arch, splits.x_train.shape[1])
            model.load_state_dict(result.states["best"][run])
            paths = {}
            for split in ("train", "test"):
                x, y = splits.split(split)
                paths[split] = Path(folder) / f"{arch.name}_{split}.parquet"
                write_activations(model, x, y, splits.scale, paths[split], device=device)
            table = classifier_accuracies(paths["train"], paths["test"], activation, device)
            chosen = result.summary.set_index("run").loc[run]
            print(f"{args.dataset} {arch.label}: {args.epochs} epochs, run {run}, best epoch {chosen['best_epoch']}, "
                  f"{time.perf_counter() - began:.1f} s on {device}")  # fmt: skip
            tables.append(table.assign(arch=arch.label, run=run, best_epoch=int(chosen["best_epoch"])))
        frame = pd.concat(tables, ignore_index=True)
        frame.to_csv(args.out / f"chapter6_{args.dataset}_4x200_{args.epochs}epochs.csv", index=False)
        for split in ("train", "test"):
            print(f"\n{split} accuracy (%), layers 1-4 and the network:")
            part = frame[frame["split"] == split]
            layers = part[part["system"] != "network"].astype({"layer": int})
            print(layers.pivot_table(index=["arch", "system"], columns="layer", values="accuracy").round(2).to_string())
            print(part[part["system"] == "network"][["arch", "accuracy"]].round(2).to_string(index=False))


if __name__ == "__main__":
    main()
