"""Did it reproduce? Our results beside each of the study's numbers, with a verdict.

``measure`` reads our results into one long table (one value per network, seed, metric
and layer); ``score`` is a pure function of that table and the study's rows
(``actstudy.study.numbers``), and ``actstudy.study.checks`` checks the study's claims on the same table;
``actstudy.study.pages`` lays the pages out. The rule, fixed in
``workflow/study/numbers.yaml`` and docs/scorecard.md:

- ``agree``: |ours - study| <= max(sigma * sqrt(se_ours^2 + se_study^2), tolerance), where
  for a range ``ours - study`` is ours' distance outside it (0 inside);
- ``disagree``: otherwise;
- ``partly run``: ours has values for fewer of the network's seeds than it trained;
- ``protocol differs``: ours was trained with other epochs, seeds, learning rates, batch
  size or decay than the study (the note says which; ours and the difference still shown);
- ``not run``: the config trains no such network.

``z`` says how far: the difference over sqrt(se_ours^2 + se_study^2), the tolerance
standing in for the study's SE where it prints none.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from actstudy.core.io import read_selection, read_table
from actstudy.metrics.activity import epoch_seed_se, first_layer_above, mean_se, polarised_percentage
from actstudy.metrics.nodes import network_dead_pct
from actstudy.study import checks
from actstudy.study.classifier_kinds import SPLIT_METRICS
from actstudy.study.numbers import SUMMARY_METRICS, at_state, study_rows

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
VERDICTS = ("agree", "disagree", "partly run", "protocol differs", "not run")
COMPUTED = ("agree", "disagree", "partly run", "protocol differs")  # verdicts of rows with a value of ours


# -- our results, read from the workflow's files (I/O) -----------------------------------------


def _analysed_runs(item: dict, summary: pd.DataFrame) -> set[str]:
    """The runs analysed: the selected ones, or those trained with the learning-rate
    reading's rate (``item['learning_rate']``; diverged runs left out)."""
    rate = item.get("learning_rate")
    if rate is None:
        return set(read_selection(item["selection"])["runs"])
    return set(summary.loc[(summary["learning_rate"] == rate) & ~summary["diverged"].astype(bool), "run"])


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
    rows = [{"seed": seed, "metric": metric, "layer": int(r.layer), "value": float(r.sparsity)}
            for r in layers.itertuples(index=False)]  # fmt: skip
    for column in LAYER_COLUMNS:  # node metrics written before a column have none; ``_init`` for the untrained net
        if column in layers:
            metric = f"{column}_init" if init else column
            rows += [{"seed": seed, "metric": metric, "layer": int(r.layer), "value": float(getattr(r, column))}
                     for r in layers.itertuples(index=False)]  # fmt: skip
    if "mean_class_median" in layers:
        rows.append(_network_row(layers, "mean_class_median", "mean_class_median" + ("_init" if init else ""), seed))
    if not init:
        rows += [{"seed": seed, "metric": "dead_pct", "layer": int(r.layer), "value": float(r.dead_pct)}
                 for r in layers.itertuples(index=False)]  # fmt: skip
        rows.append({"seed": seed, "metric": "dead_pct", "layer": pd.NA, "value": network_dead_pct(layers)})
        if "class_polarised_pct" in layers:  # node metrics written before this column have none
            rows += [{"seed": seed, "metric": "class_polarised_pct", "layer": int(r.layer),
                      "value": float(r.class_polarised_pct)} for r in layers.itertuples(index=False)]  # fmt: skip
            rows.append(_network_row(layers, "class_polarised_pct", "class_polarised_pct", seed))
            first = first_layer_above(layers.sort_values("layer")["class_polarised_pct"])
            rows.append({"seed": seed, "metric": "polarised_from_layer", "layer": pd.NA, "value": first})
    return rows


def _init_node_values(path: str, seed: int) -> list[dict]:
    """The untrained net's share of polarised nodes (on for nearly all training samples or
    nearly none: ``polarised_pct_init``) per layer and over the network."""
    nodes = read_table(path, "nodes")
    metric = "polarised_pct_init"
    rows = [{"seed": seed, "metric": metric, "layer": int(layer), "value": polarised_percentage(group)}
            for layer, group in nodes.groupby("layer")["activity_train"]]  # fmt: skip
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


# -- numbers --------------------------------------------------------------------------------------


def _values(measured: pd.DataFrame, dataset: str, network: str, metric: str, layer=pd.NA) -> np.ndarray:
    mask = (measured["dataset"] == dataset) & (measured["network"] == network) & (measured["metric"] == metric)
    mask &= measured["layer"].isna() if pd.isna(layer) else (measured["layer"] == layer).fillna(False)
    return measured.loc[mask, "value"].to_numpy(dtype=float)


def allowed_difference(ours_se: float, study_se: float, tolerance: float, sigma: float) -> float:
    """The largest |ours - study| that still agrees: sigma combined standard errors, or
    the tolerance where that is larger."""
    return max(sigma * math.hypot(ours_se, study_se), tolerance)


def difference(ours: float, low: float, high: float) -> float:
    """Ours minus the study's value; for a range, ours' distance outside it (negative
    below it, positive above, 0 inside)."""
    if not np.isfinite(ours):
        return float("nan")
    if ours < low:
        return ours - low
    if ours > high:
        return ours - high
    return 0.0 if low != high else ours - low


def z_score(diff: float, ours_se: float, study_se: float, tolerance: float) -> float:
    """How far, in combined standard errors: diff / sqrt(se_ours^2 + se_study^2), with the
    tolerance in place of the study's SE where it prints none."""
    ours_se = ours_se if np.isfinite(ours_se) else 0.0
    scale = math.hypot(ours_se, study_se if study_se > 0 else tolerance)
    return diff / scale if scale > 0 else float("nan")


def _agrees(ours: float, ours_se: float, low: float, high: float, study_se: float, tolerance: float,
            sigma: float) -> str:  # fmt: skip
    diff = difference(ours, low, high)
    return "agree" if abs(diff) <= allowed_difference(ours_se, study_se, tolerance, sigma) else "disagree"


def score(
    rows: pd.DataFrame, measured: pd.DataFrame, protocol: dict[tuple[str, str], str], sigma: float
) -> pd.DataFrame:
    """The scorecard: ``rows`` (``study.study_rows``) with ours (mean ± SE over seeds),
    the difference, the tolerance applied, the verdict and z. ``protocol`` maps every
    trained (dataset, network) to how its training differs from the study ('' if not). A
    row with values for fewer of its network's seeds than the network has is ``partly
    run``, never ``agree``; where the reading of a row changed after results existed, the
    verdict under the earlier reading is ``earlier_verdict``."""
    seeds = measured.groupby(["dataset", "network"])["seed"].nunique().to_dict()
    out = []
    for row in rows.to_dict("records"):
        key = (row["dataset"], row["network"])
        values = _values(measured, row["dataset"], row["network"], row["metric"], row["layer"])
        ours, ours_se = mean_se(values) if len(values) else (float("nan"), float("nan"))
        finite = values[np.isfinite(values)]
        diff = difference(ours, row["study_low"], row["study_high"])
        result = {**row, "ours": ours, "ours_se": ours_se, "n_seeds": int(finite.size), "difference": diff,
                  "z": z_score(diff, ours_se, row["study_se"], row["tolerance"]), "earlier_verdict": ""}  # fmt: skip
        note = _join(row["note"], f"study inconsistent: {row['inconsistent']}" if row["inconsistent"] else "")
        if key not in protocol or finite.size == 0:
            why = "not trained by this config" if key not in protocol else "no finite value (every run diverged?)"
            result.update(verdict="not run", allowed=float("nan"), z=float("nan"), note=_join(note, why))
        else:
            result["allowed"] = allowed_difference(ours_se, row["study_se"], row["tolerance"], sigma)
            if protocol[key]:
                result.update(verdict="protocol differs", note=_join(note, protocol[key]))
            elif finite.size < seeds.get(key, 0):
                why = f"values for {finite.size} of the network's {seeds[key]} seeds"
                result.update(verdict="partly run", note=_join(note, why))
            else:
                verdict = _agrees(ours, ours_se, row["study_low"], row["study_high"], row["study_se"],
                                  row["tolerance"], sigma)  # fmt: skip
                result.update(verdict=verdict, note=note)
                if row.get("earlier"):
                    result["earlier_verdict"] = _agrees(ours, ours_se, row["earlier_low"], row["earlier_high"],
                                                        row["earlier_se"], row["earlier_tolerance"], sigma)  # fmt: skip
        out.append(result)
    return pd.DataFrame(out)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def build(study: dict, plan: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard of a plan (``study.scorecard_plan``): the numbers and the claims."""
    protocol = {(item["dataset"], item["network"]): item["protocol"] for item in plan}
    measured = measure(plan)
    scores = score(study_rows(study), measured, protocol, study["verdict"]["sigma"])
    return scores, checks.run_checks(study["checks"], measured, protocol)
