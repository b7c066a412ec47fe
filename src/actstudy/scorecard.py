"""Did it reproduce? Our results beside each of the study's numbers, with a verdict.

``measure`` reads our results into one long table (one value per network, seed, metric
and layer); ``score`` and ``run_checks`` are pure functions of that table and the study's
rows (``actstudy.study``); ``to_markdown`` lays the page out. The rule, fixed in
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
from pathlib import Path

import numpy as np
import pandas as pd

from actstudy.config import Architecture, expand_selection
from actstudy.io import read_json
from actstudy.metrics.activity import mean_se
from actstudy.study import SUMMARY_METRICS

MEASURED_COLUMNS = ["dataset", "network", "seed", "metric", "layer", "value"]
VERDICTS = ("agree", "disagree", "protocol differs", "not run")
CHECK_VERDICTS = ("holds", "fails", "not run")


# -- our results, read from the workflow's files (I/O) -----------------------------------------


def _summary_values(item: dict) -> list[dict]:
    summary = pd.read_csv(item["summary"])
    runs = set(read_json(item["selection"])["runs"])
    rows = []
    for run in summary[summary["run"].isin(runs)].itertuples(index=False):
        for metric in SUMMARY_METRICS:
            rows.append(
                {"seed": int(run.seed), "metric": metric, "layer": pd.NA, "value": 100.0 * getattr(run, metric)}
            )
    return rows


def _layer_values(path: str, seed: int, init: bool) -> list[dict]:
    layers = pd.read_csv(path)
    metric = "sparsity_init" if init else "sparsity"
    rows = [{"seed": seed, "metric": metric, "layer": int(r.layer), "value": float(r.sparsity)}
            for r in layers.itertuples(index=False)]  # fmt: skip
    if not init:
        dead = float((layers["dead_pct"] * layers["n_nodes"]).sum() / layers["n_nodes"].sum())
        rows.append({"seed": seed, "metric": "dead_pct", "layer": pd.NA, "value": dead})
    return rows


def _classifier_values(path: str, seed: int) -> list[dict]:
    """Per system: the last hidden layer's test accuracy minus the network's own."""
    frame = pd.read_csv(path)
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


def summary_line(scores: pd.DataFrame, checks: pd.DataFrame) -> str:
    counts = scores["verdict"].value_counts()
    check_counts = checks["verdict"].value_counts()
    numbers = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    claims = ", ".join(f"{int(check_counts.get(v, 0))} {v}" for v in CHECK_VERDICTS)
    return f"{len(scores)} numbers of the study: {numbers}. {len(checks)} claims: {claims}."


def _fmt(mean: float, se: float) -> str:
    if not np.isfinite(mean):
        return ""
    return f"{mean:.2f} ± {se:.2f}" if np.isfinite(se) and se > 0 else f"{mean:.2f}"


def _display(scores: pd.DataFrame) -> pd.DataFrame:
    """The numbers as the page shows them: one text column each, mean ± SE, signed differences."""
    return pd.DataFrame({
        "source": scores["source"], "dataset": scores["dataset"], "network": scores["network"],
        "metric": scores["metric"], "layer": scores["layer"].astype("string").fillna(""),
        "study": [_fmt(m, s) for m, s in zip(scores["study"], scores["study_se"])],
        "ours": [_fmt(m, s) for m, s in zip(scores["ours"], scores["ours_se"])],
        "difference": [f"{d:+.2f}" if np.isfinite(d) else "" for d in scores["difference"]],
        "allowed": [f"{a:.2f}" if np.isfinite(a) else "" for a in scores["allowed"]],
        "verdict": scores["verdict"], "note": scores["note"],
    })  # fmt: skip


CLAIM_COLUMNS = ["check", "source", "verdict", "claim", "details", "protocol"]


def to_markdown(scores: pd.DataFrame, checks: pd.DataFrame, readings: str = "") -> str:
    table, claims = _display(scores), checks[CLAIM_COLUMNS]
    parts = ["# Scorecard: the study's numbers beside ours", "", f"**{summary_line(scores, checks)}**", ""]
    if readings:
        parts += [f"Definitions used: {readings}", ""]
    parts += ["Ours: mean ± standard error over seeds of the selected learning rate. `allowed`: the largest "
              "difference that still agrees, max(2·√(SE_ours² + SE_study²), tolerance).", "",
              "## Qualitative claims", "", claims.to_markdown(index=False), "",
              "## Numbers", "", table.to_markdown(index=False), ""]  # fmt: skip
    return "\n".join(parts)


_VERDICT_COLOURS = {"agree": "#d9f2d9", "holds": "#d9f2d9", "disagree": "#f8d0d0", "fails": "#f8d0d0",
                    "protocol differs": "#fdf0c8", "not run": "#eeeeee"}  # fmt: skip


def to_html(scores: pd.DataFrame, checks: pd.DataFrame, readings: str = "") -> str:
    """The same page as ``to_markdown``, standalone HTML with each verdict coloured (the
    report shows it as it is)."""
    import html

    def colour(frame: pd.DataFrame) -> str:
        table = frame.to_html(index=False, escape=True, na_rep="", border=0)
        for verdict, background in _VERDICT_COLOURS.items():
            table = table.replace(
                f"<td>{html.escape(verdict)}</td>", f'<td style="background:{background}">{verdict}</td>'
            )
        return table

    numbers, claims = _display(scores), checks[CLAIM_COLUMNS]
    style = ("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}th{background:#f4f4f4}")  # fmt: skip
    readings_line = f"<p>Definitions used: {html.escape(readings)}</p>" if readings else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Scorecard</title><style>{style}</style></head>"
            f"<body><h1>Scorecard: the study's numbers beside ours</h1><p><b>{html.escape(summary_line(scores, checks))}</b></p>"
            f"{readings_line}<p>Ours: mean ± standard error over seeds of the selected learning rate. <i>allowed</i>: "
            "the largest difference that still agrees, max(2·√(SE_ours² + SE_study²), tolerance).</p>"
            f"<h2>Qualitative claims</h2>{colour(claims)}<h2>Numbers</h2>{colour(numbers)}</body></html>")  # fmt: skip


def write(scores: pd.DataFrame, checks: pd.DataFrame, paths: dict[str, str | Path], readings: str = "") -> None:
    """The scorecard as ``csv`` (numbers), ``checks`` (claims, CSV), ``md`` and ``html``."""
    from actstudy.io import atomic_path, write_csv

    write_csv(scores, paths["csv"])
    write_csv(checks, paths["checks"])
    for key, text in (("md", to_markdown(scores, checks, readings)), ("html", to_html(scores, checks, readings))):
        with atomic_path(paths[key]) as tmp:
            tmp.write_text(text)
