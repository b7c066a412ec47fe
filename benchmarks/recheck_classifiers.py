"""Recompute every layer-classifier table of a finished run from its Parquet files with
this checkout's code, and compare each accuracy with the table the run wrote (exact
equality): a check that a change to the classifiers leaves every result unchanged.

    python benchmarks/recheck_classifiers.py RUN_FOLDER   # the folder holding results/

Reads the default definitions (on: z > 0); exits 1 if any table differs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from actstudy.core.config import Architecture
from actstudy.data.datasets import info
from actstudy.metrics.classifiers import classifier_accuracies


def main(folder: Path) -> int:
    began, checked, differ = time.perf_counter(), 0, 0
    for path in sorted(folder.glob("results/metrics/*/*/seed*/*_classifiers.csv")):
        dataset, arch, seed, state = *path.parts[-4:-1], path.name.removesuffix("_classifiers.csv")
        z = folder / "results/z" / dataset / arch / seed
        new = classifier_accuracies(
            z / f"{state}_train.parquet",
            z / f"{state}_test.parquet",
            Architecture.parse(dataset, arch).activation,
            info(dataset).n_classes,
        )
        old = pd.read_csv(path)
        checked += 1
        if not old["accuracy"].equals(new["accuracy"]):
            differ += 1
            print(f"differs: {path}\n{old.assign(now=new['accuracy']).to_string(index=False)}")
    print(f"{checked} tables recomputed, {differ} differ ({time.perf_counter() - began:.1f} s)")
    return 1 if differ or not checked else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
