"""Our results, read from the workflow's files (I/O) into one long table: one value per
network, seed, metric and layer (``measure``), which the scorecard's rows
(``actstudy.study.scorecard``) and claims (``actstudy.study.checks``) read."""

from __future__ import annotations

import pandas as pd

from actstudy.core.io import read_selection, read_table
from actstudy.metrics.activity import epoch_seed_se, first_layer_above, polarised_percentage
from actstudy.metrics.nodes import network_dead_pct
from actstudy.study.classifier_kinds import SPLIT_METRICS
from actstudy.study.numbers import SUMMARY_METRICS
from actstudy.study.plan import at_state

MEASURED_COLUMNS = ["dataset", "network", "seed", "metric", "layer", "value"]
# Per-layer columns of the node metrics read as they are (``actstudy.metrics.nodes``).
LAYER_COLUMNS = (
    "median_saturated_pct",
    "full_activity_drop",
    "class_high_pct",
    "classes_on",
    "class_separation",
    "mean_class_median",
)


def _analysed_runs(item: dict, summary: pd.DataFrame) -> set[str]:
    """The runs analysed: the selected ones, or those trained with the learning-rate
    reading's rate (``item['learning_rate']``; diverged runs left out)."""
    learning_rate = item.get("learning_rate")
    if learning_rate is None:
        return set(read_selection(item["selection"])["runs"])
    return set(summary.loc[(summary["learning_rate"] == learning_rate) & ~summary["diverged"].astype(bool), "run"])


def _summary_values(item: dict) -> list[dict]:
    """The accuracies of the analysed runs (``_analysed_runs``) and their best epochs
    (``best_epoch``: the epoch of highest validation accuracy, where the summary has it);
    with the training history, the seeds' spread of validation accuracy over the epochs
    (``val_acc_seed_se``: one value over the seeds, seed NA)."""
    summary = read_table(item["summary"], "summary")
    runs = _analysed_runs(item, summary)
    rows = []
    for run in summary[summary["run"].isin(runs)].itertuples(index=False):
        for metric in SUMMARY_METRICS:
            rows.append(
                {"seed": int(run.seed), "metric": metric, "layer": pd.NA, "value": 100.0 * getattr(run, metric)}
            )
        if "best_epoch" in summary:
            rows.append({"seed": int(run.seed), "metric": "best_epoch", "layer": pd.NA, "value": float(run.best_epoch)})
    if "history" in item:
        history = read_table(item["history"], "history")
        curves = history[history["run"].isin(runs)].pivot(index="run", columns="epoch", values="val_acc")
        spread = epoch_seed_se(100.0 * curves.to_numpy(dtype=float))
        rows.append({"seed": pd.NA, "metric": "val_acc_seed_se", "layer": pd.NA, "value": spread})
    return rows


def _network_row(layers: pd.DataFrame, column: str, metric: str, seed: int) -> dict:
    """A per-layer column over the whole network, layers weighted by their size."""
    whole = float((layers[column] * layers["n_nodes"]).sum() / layers["n_nodes"].sum())
    return {"seed": seed, "metric": metric, "layer": pd.NA, "value": whole}


def _layer_values(path: str, seed: int, init: bool) -> list[dict]:
    layers = read_table(path, "layers")
    metric = "sparsity_init" if init else "sparsity"
    rows = [
        {"seed": seed, "metric": metric, "layer": int(r.layer), "value": float(r.sparsity)}
        for r in layers.itertuples(index=False)
    ]
    for column in LAYER_COLUMNS:  # node metrics written before a column have none; ``_init`` for the untrained net
        if column in layers:
            metric = f"{column}_init" if init else column
            rows += [
                {"seed": seed, "metric": metric, "layer": int(r.layer), "value": float(getattr(r, column))}
                for r in layers.itertuples(index=False)
            ]
    if "mean_class_median" in layers:
        rows.append(_network_row(layers, "mean_class_median", "mean_class_median" + ("_init" if init else ""), seed))
    if not init:
        rows += [
            {"seed": seed, "metric": "dead_pct", "layer": int(r.layer), "value": float(r.dead_pct)}
            for r in layers.itertuples(index=False)
        ]
        rows.append({"seed": seed, "metric": "dead_pct", "layer": pd.NA, "value": network_dead_pct(layers)})
        if "class_polarised_pct" in layers:  # node metrics written before this column have none
            rows += [
                {
                    "seed": seed,
                    "metric": "class_polarised_pct",
                    "layer": int(r.layer),
                    "value": float(r.class_polarised_pct),
                }
                for r in layers.itertuples(index=False)
            ]
            rows.append(_network_row(layers, "class_polarised_pct", "class_polarised_pct", seed))
            first = first_layer_above(layers.sort_values("layer")["class_polarised_pct"])
            rows.append({"seed": seed, "metric": "polarised_from_layer", "layer": pd.NA, "value": first})
    return rows


def _init_node_values(path: str, seed: int) -> list[dict]:
    """The untrained net's share of polarised nodes (on for nearly all training samples or
    nearly none: ``polarised_pct_init``) per layer and over the network."""
    nodes = read_table(path, "nodes")
    metric = "polarised_pct_init"
    rows = [
        {"seed": seed, "metric": metric, "layer": int(layer), "value": polarised_percentage(group)}
        for layer, group in nodes.groupby("layer")["activity_train"]
    ]
    rows.append(
        {"seed": seed, "metric": metric, "layer": pd.NA, "value": polarised_percentage(nodes["activity_train"])}
    )
    return rows


def _classifier_values(path: str, seed: int) -> list[dict]:
    """Per system and layer its test accuracy (``layer_acc:<system>``) and training
    accuracy (``layer_train_acc:<system>``), the network's own (``network_acc``,
    ``network_train_acc``), per layer the spread over the systems' test accuracies (the
    best minus the worst: ``system_spread``), and the last hidden layer's minus the
    network's (``last_layer_gap:<system>``)."""
    frame = read_table(path, "classifiers")
    rows = []
    for split, (prefix, network_metric) in SPLIT_METRICS.items():
        part = frame[frame["split"] == split]
        network = float(part.loc[part["system"] == "network", "accuracy"].iloc[0])
        layers = part[part["system"] != "network"]
        rows += [_row(seed, f"{prefix}:{r.system}", int(r.layer), r.accuracy) for r in layers.itertuples(index=False)]
        rows.append(_row(seed, network_metric, pd.NA, network))
        if split == "test":
            last = layers[layers["layer"] == layers["layer"].max()]
            gaps = [_row(seed, f"last_layer_gap:{r.system}", pd.NA, r.accuracy - network) for r in last.itertuples()]
            spread = layers.groupby("layer")["accuracy"].agg(lambda acc: acc.max() - acc.min())
            rows += [_row(seed, "system_spread", int(layer), v) for layer, v in spread.items()]
    return rows + gaps


def _row(seed, metric: str, layer, value) -> dict:
    return {"seed": seed, "metric": metric, "layer": layer, "value": float(value)}


def measure(plan: list[dict]) -> pd.DataFrame:
    """Our values, one row per (network, seed, metric, layer). ``plan`` has per network:
    dataset, network, and the files it has: summary + selection, ``layers`` / ``init_layers``
    / ``init_nodes`` / ``classifiers`` as {seed: path}, ``classifiers_at`` as {state: {seed:
    path}} (their metrics named ``at_state``: ``layer_acc:discrete@epoch30``)."""
    rows = []
    for item in plan:
        values = []
        if "summary" in item:
            values += _summary_values(item)
        for seed, path in item.get("layers", {}).items():
            values += _layer_values(path, int(seed), init=False)
        for seed, path in item.get("init_layers", {}).items():
            values += _layer_values(path, int(seed), init=True)
        for seed, path in item.get("init_nodes", {}).items():
            values += _init_node_values(path, int(seed))
        for seed, path in item.get("classifiers", {}).items():
            values += _classifier_values(path, int(seed))
        for state, paths in item.get("classifiers_at", {}).items():  # a claim's other states: each metric @state
            for seed, path in paths.items():
                values += [{**v, "metric": at_state(v["metric"], state)} for v in _classifier_values(path, int(seed))]
        rows += [{"dataset": item["dataset"], "network": item["network"], **v} for v in values]
    frame = pd.DataFrame(rows, columns=MEASURED_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame
