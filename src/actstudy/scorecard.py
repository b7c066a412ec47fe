"""Did it reproduce? Our results beside each of the study's numbers, with a verdict.

``measure`` reads our results into one long table (one value per network, seed, metric
and layer); ``score`` and ``run_checks`` are pure functions of that table and the study's
rows (``actstudy.study``); ``actstudy.scorecard_pages`` lays the pages out. The rule, fixed in
``workflow/study/numbers.yaml`` and docs/scorecard.md:

- ``agree``: |ours - study| <= max(sigma * sqrt(se_ours^2 + se_study^2), tolerance);
- ``disagree``: otherwise;
- ``protocol differs``: ours was trained with other epochs, seeds, learning rates, batch
  size or decay than the study (the note says which; ours and the difference still shown);
- ``not run``: the config trains no such network.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from actstudy.config import Architecture, expand_selection
from actstudy.io import read_csv, read_json
from actstudy.metrics.activity import mean_se
from actstudy.metrics.nodes import network_dead_pct
from actstudy.study import SUMMARY_METRICS

MEASURED_COLUMNS = ["dataset", "network", "seed", "metric", "layer", "value"]
VERDICTS = ("agree", "disagree", "protocol differs", "not run")
CHECK_VERDICTS = ("holds", "fails", "not run")


# -- our results, read from the workflow's files (I/O) -----------------------------------------


def _summary_values(item: dict) -> list[dict]:
    summary = read_csv(item["summary"], "a training summary", ["run", "test_acc"])
    runs = set(read_json(item["selection"])["runs"])
    rows = []
    for run in summary[summary["run"].isin(runs)].itertuples(index=False):
        for metric in SUMMARY_METRICS:
            rows.append(
                {"seed": int(run.seed), "metric": metric, "layer": pd.NA, "value": 100.0 * getattr(run, metric)}
            )
    return rows


def _layer_values(path: str, seed: int, init: bool) -> list[dict]:
    layers = read_csv(path, "a metrics table")
    metric = "sparsity_init" if init else "sparsity"
    rows = [{"seed": seed, "metric": metric, "layer": int(r.layer), "value": float(r.sparsity)}
            for r in layers.itertuples(index=False)]  # fmt: skip
    if not init:
        rows.append({"seed": seed, "metric": "dead_pct", "layer": pd.NA, "value": network_dead_pct(layers)})
    return rows


def _classifier_values(path: str, seed: int) -> list[dict]:
    """Per system: the last hidden layer's test accuracy minus the network's own."""
    frame = read_csv(path, "a metrics table")
    test = frame[frame["split"] == "test"]
    network = float(test.loc[test["system"] == "network", "accuracy"].iloc[0])
    layers = test[test["system"] != "network"]
    last = layers[layers["layer"] == layers["layer"].max()]
    return [{"seed": seed, "metric": f"last_layer_gap:{r.system}", "layer": pd.NA, "value": float(r.accuracy) - network}
            for r in last.itertuples(index=False)]  # fmt: skip


def measure(plan: list[dict]) -> pd.DataFrame:
    """Our values, one row per (network, seed, metric, layer). ``plan`` has per network:
    dataset, network, and the files it has: summary + selection, ``layers`` / ``init_layers``
    / ``classifiers`` as {seed: path}."""
    rows = []
    for item in plan:
        values = []
        if "summary" in item:
            values += _summary_values(item)
        for seed, path in item.get("layers", {}).items():
            values += _layer_values(path, int(seed), init=False)
        for seed, path in item.get("init_layers", {}).items():
            values += _layer_values(path, int(seed), init=True)
        for seed, path in item.get("classifiers", {}).items():
            values += _classifier_values(path, int(seed))
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


def score(
    rows: pd.DataFrame, measured: pd.DataFrame, protocol: dict[tuple[str, str], str], sigma: float
) -> pd.DataFrame:
    """The scorecard: ``rows`` (``study.study_rows``) with ours (mean ± SE over seeds),
    the difference, the tolerance applied and the verdict. ``protocol`` maps every
    trained (dataset, network) to how its training differs from the study ('' if not)."""
    out = []
    for row in rows.to_dict("records"):
        key = (row["dataset"], row["network"])
        values = _values(measured, row["dataset"], row["network"], row["metric"], row["layer"])
        ours, ours_se = mean_se(values) if len(values) else (float("nan"), float("nan"))
        finite = values[np.isfinite(values)]
        result = {
            **row,
            "ours": ours,
            "ours_se": ours_se,
            "n_seeds": int(finite.size),
            "difference": ours - row["study"],
        }
        if key not in protocol or finite.size == 0:
            why = "not trained by this config" if key not in protocol else "no finite value (every run diverged?)"
            result.update(verdict="not run", allowed=float("nan"), note=_join(row["note"], why))
        else:
            result["allowed"] = allowed_difference(ours_se, row["study_se"], row["tolerance"], sigma)
            if protocol[key]:
                result.update(verdict="protocol differs", note=_join(row["note"], protocol[key]))
            else:
                result["verdict"] = "agree" if abs(result["difference"]) <= result["allowed"] else "disagree"
        out.append(result)
    return pd.DataFrame(out)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# -- qualitative checks ---------------------------------------------------------------------------
# Each check returns comparisons (what, left, right, holds) over the trained networks it
# concerns; it holds when every comparison does, and was not run when none could be made.


def _mean(measured, arch: Architecture, metric: str, layer=pd.NA) -> float:
    values = _values(measured, arch.dataset, arch.name, metric, layer)
    return mean_se(values)[0] if len(values) else float("nan")


def _mean_over_layers(measured, arch: Architecture, metric: str) -> float:
    return float(np.nanmean([_mean(measured, arch, metric, layer) for layer in range(1, arch.depth + 1)]))


def _twin(arch: Architecture, **change) -> Architecture:
    return dataclasses.replace(arch, **change)


def _relu_sparser(archs, measured, check):
    out = []
    for relu in (a for a in archs if a.activation == "relu"):
        sigmoid = _twin(relu, activation="sigmoid")
        if sigmoid in archs:
            for layer in range(1, relu.depth + 1):
                left, right = _mean(measured, relu, "sparsity", layer), _mean(measured, sigmoid, "sparsity", layer)
                out.append(
                    (
                        f"{relu.dataset} {relu.depth}x{relu.width} layer {layer}: ReLU vs sigmoid",
                        left,
                        right,
                        left > right,
                    )
                )
    return out


def _bn_pairs(archs, value: Callable, what: Callable, claimed_lower: bool):
    """Each network with and without batch norm: (what, with BN, without, claim holds)."""
    out = []
    for plain in (a for a in archs if not a.batch_norm):
        bn = _twin(plain, batch_norm=True)
        if bn in archs:
            left, right = value(bn), value(plain)
            out.append((f"{what(plain)}: BN vs no BN", left, right, left < right if claimed_lower else left > right))
    return out


def _bn_lowers_sparsity(archs, measured, check):
    return _bn_pairs(archs, lambda a: _mean_over_layers(measured, a, "sparsity"), lambda a: a.label, claimed_lower=True)


def _deeper_more_dead(archs, measured, check):
    out = []
    for shallow in archs:
        for deep in archs:
            if deep == _twin(shallow, depth=deep.depth) and deep.depth > shallow.depth:
                left, right = _mean(measured, deep, "dead_pct"), _mean(measured, shallow, "dead_pct")
                out.append((f"{deep.label} vs {shallow.label}", left, right, left > right))
    return out


def _bn_raises_accuracy(archs, measured, check):
    return _bn_pairs(archs, lambda a: _mean(measured, a, "test_acc"), lambda a: f"{a.dataset} {a.label}",
                     claimed_lower=False)  # fmt: skip


def _classifiers_reach_network(archs, measured, check):
    out = []
    for arch in archs:
        rows = measured[(measured["dataset"] == arch.dataset) & (measured["network"] == arch.name)]
        for metric in sorted(m for m in rows["metric"].unique() if m.startswith("last_layer_gap:")):
            gap = _mean(measured, arch, metric)
            out.append((f"{arch.dataset} {arch.label} {metric.split(':')[1]} - network", gap, -check["tolerance"],
                        gap >= -check["tolerance"]))  # fmt: skip
    return out


CHECKS: dict[str, Callable] = {
    "relu_sparser_than_sigmoid": _relu_sparser,
    "batch_norm_lowers_sparsity": _bn_lowers_sparsity,
    "deeper_relu_more_dead": _deeper_more_dead,
    "batch_norm_raises_accuracy": _bn_raises_accuracy,
    "classifiers_reach_network": _classifiers_reach_network,
}


def run_checks(checks: list[dict], measured: pd.DataFrame, protocol: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per qualitative claim: holds / fails / not run, with every comparison made."""
    out = []
    for check in checks:
        archs = [a for a in expand_selection(check["networks"]) if (a.dataset, a.name) in protocol]
        comparisons = [
            c for c in CHECKS[check["id"]](archs, measured, check) if np.isfinite(c[1]) and np.isfinite(c[2])
        ]
        if comparisons:
            result = "holds" if all(c[3] for c in comparisons) else "fails"
        else:
            result = "not run"
        details = "; ".join(
            f"{what}: {left:.2f} vs {right:.2f}{'' if ok else ' ✗'}" for what, left, right, ok in comparisons
        )
        differing = sorted({protocol[(a.dataset, a.name)] for a in archs if protocol[(a.dataset, a.name)]})
        out.append({"check": check["id"], "source": check["source"], "claim": check["claim"], "verdict": result,
                    "comparisons": len(comparisons), "details": details,
                    "protocol": "; ".join(differing)})  # fmt: skip
    return pd.DataFrame(out, columns=["check", "source", "claim", "verdict", "comparisons", "details", "protocol"])


# -- the page -------------------------------------------------------------------------------------
