"""Copy a finished run's small outputs into a reproduction folder (no checkpoints, no Parquet).

    python reproduction/collect.py RESULTS_DIR DEST [--dataset mnist]

RESULTS_DIR is a workflow's ``results/`` folder, DEST e.g. ``reproduction/mnist-4x200``.
Copied: every network's history, summary and selection (and each round's history,
summary and plan, for a learning-rate search); the node metrics (per-node and
per-layer CSVs) and layer-classifier accuracies of every seed and state; the scorecard
(CSV, claims CSV, Markdown, HTML, PNG); the tables (CSV, Markdown, LaTeX); the figures (PNG, and the numbers
of the comparison figures as CSV). Each file keeps
its path below ``results/`` so a reader finds it where the workflow put it.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

PATTERNS = [
    "train/{dataset}/*/history.csv",
    "train/{dataset}/*/summary.csv",
    "train/{dataset}/*/selected.json",
    "train/{dataset}/*/round*/history.csv",  # a learning-rate search's rounds
    "train/{dataset}/*/round*/summary.csv",
    "train/{dataset}/*/round*/plan.json",
    "metrics/{dataset}/*/seed*/*_layers.csv",
    "metrics/{dataset}/*/seed*/*_nodes.csv",
    "metrics/{dataset}/*/seed*/*_classifiers.csv",
    "scorecard.csv",
    "scorecard_checks.csv",
    "scorecard.md",
    "scorecard.html",
    "scorecard.png",
    "tables/*.csv",
    "tables/*.md",
    "tables/*.tex",
    "figures/*.png",
    "figures/cmp_*.csv",
]


def collect(results: Path, dest: Path, dataset: str) -> list[Path]:
    copied = []
    for pattern in PATTERNS:
        for source in sorted(results.glob(pattern.format(dataset=dataset))):
            target = dest / "results" / source.relative_to(results)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            copied.append(target)
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--dataset", default="mnist")
    args = parser.parse_args()
    copied = collect(args.results, args.dest, args.dataset)
    print(f"{len(copied)} files copied to {args.dest / 'results'}")


if __name__ == "__main__":
    main()
