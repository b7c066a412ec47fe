"""Beyond the study: the numbers of a comparison (the ``cmp_*`` targets' CSVs).

``numbers(kind, networks)`` reads each network's files (its item: ``dataset``, ``arch``,
and as the kind needs them ``summary``, ``selection``, ``layers``, ``classifiers``) into
one tidy table, the figure's CSV; the kind's renderer (``actstudy.figures.comparisons``)
draws the figure from that table alone, so picture and numbers cannot disagree. Values:
mean ± SE over seeds, in percent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from actstudy.core.config import Architecture
from actstudy.core.io import read_selection, read_table
from actstudy.metrics.activity import mean_se
from actstudy.metrics.nodes import network_dead_pct

ID_COLUMNS = ["dataset", "network", "depth", "width", "activation", "batch_norm", "dropout", "weight_decay"]
COLUMNS = [*ID_COLUMNS, "metric", "layer", "mean", "se", "n"]
METRIC_LABELS = {
    "test_accuracy": "test accuracy (%)",
    "sparsity": "layer sparsity (% of samples off)",
    "dead": "dead nodes (%)",
    "mean_sparsity": "sparsity, mean over layers (%)",
}


def _identity(arch: Architecture) -> dict:
    return {
        "dataset": arch.dataset,
        "network": arch.name,
        "depth": arch.depth,
        "width": arch.width,
        "activation": arch.activation,
        "batch_norm": arch.batch_norm,
        "dropout": arch.dropout,
        "weight_decay": arch.weight_decay,
    }


def _row(arch: Architecture, metric: str, layer, values) -> dict:
    mean, se = mean_se(values)
    n = int(np.isfinite(np.asarray(values, dtype=float)).sum())
    return {**_identity(arch), "metric": metric, "layer": layer, "mean": mean, "se": se, "n": n}


def _test_accuracy(item: dict) -> list[float]:
    summary = read_table(item["summary"], "summary")
    runs = read_selection(item["selection"])["runs"]
    return (summary.loc[summary["run"].isin(runs), "test_acc"] * 100).tolist()


def _per_seed(paths: dict, kind: str) -> pd.DataFrame:
    """One metrics table of ``kind`` (``actstudy.core.formats``) over seeds, with a seed column."""
    return pd.concat([read_table(path, kind).assign(seed=int(seed)) for seed, path in paths.items()], ignore_index=True)


LAYER_COLUMNS = {"sparsity": "sparsity", "dead": "dead_pct"}  # metric -> column of the layers table


def _layer_rows(arch: Architecture, layers: pd.DataFrame, metric: str) -> list[dict]:
    return [_row(arch, metric, int(layer), group[LAYER_COLUMNS[metric]]) for layer, group in layers.groupby("layer")]


def _network_rows(arch: Architecture, layers: pd.DataFrame) -> list[dict]:
    """Net-level sparsity (mean over layers) and dead nodes (% of all hidden nodes), per seed."""
    per_seed = layers.groupby("seed")
    dead = [network_dead_pct(seed) for _, seed in per_seed]
    return [_row(arch, "mean_sparsity", pd.NA, per_seed["sparsity"].mean()), _row(arch, "dead", pd.NA, dead)]


def _classifier_rows(arch: Architecture, classifiers: pd.DataFrame) -> list[dict]:
    test = classifiers[classifiers["split"] == "test"]
    rows = []
    for (system, layer), group in test.groupby(["system", test["layer"].fillna(0)]):
        metric = "network_accuracy" if system == "network" else f"classifier_{system}"
        rows.append(_row(arch, metric, pd.NA if system == "network" else int(layer), group["accuracy"]))
    return rows


# One network's rows of each comparison kind's table (the catalog's ``Kind.numbers``).


def accuracy_rows(arch: Architecture, item: dict) -> list[dict]:
    return [_row(arch, "test_accuracy", pd.NA, _test_accuracy(item))]


def sparsity_rows(arch: Architecture, item: dict) -> list[dict]:
    return _layer_rows(arch, _per_seed(item["layers"], "layers"), "sparsity")


def dead_rows(arch: Architecture, item: dict) -> list[dict]:
    return _layer_rows(arch, _per_seed(item["layers"], "layers"), "dead")


def classifiers_rows(arch: Architecture, item: dict) -> list[dict]:
    return _classifier_rows(arch, _per_seed(item["classifiers"], "classifiers"))


def regularisation_rows(arch: Architecture, item: dict) -> list[dict]:
    return accuracy_rows(arch, item) + _network_rows(arch, _per_seed(item["layers"], "layers"))


def numbers(kind: str, networks: list[dict]) -> pd.DataFrame:
    """The tidy table of one comparison: one row per network, metric (and layer), by the
    kind's own function (an unknown kind is an error that names it)."""
    from actstudy.figures.catalog import numbers_of

    rows_of = numbers_of(kind)
    rows = [row for item in networks for row in rows_of(Architecture.parse(item["dataset"], item["arch"]), item)]
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["layer"] = table["layer"].astype("Int64")
    return table
