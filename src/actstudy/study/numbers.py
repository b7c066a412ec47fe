"""The study's own numbers (``workflow/study/numbers.yaml``): loading, and one row per
number (which of our files each needs: ``actstudy.study.plan``).

Plain Python and pandas (no torch): the workflow calls this while it plans the DAG.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import yaml

from actstudy.core.config import Architecture, expand_networks

ROW_COLUMNS = [
    "source",
    "dataset",
    "network",
    "depth",
    "width",
    "batch_norm",
    "activation",
    "metric",
    "layer",
    "split",
    "state",
    "unit",
    "study",
    "study_low",
    "study_high",
    "study_se",
    "tolerance",
    "note",
    "inconsistent",
    "earlier",
    "earlier_low",
    "earlier_high",
    "earlier_se",
    "earlier_tolerance",
]
# Metrics read from per-run accuracies in the training summary (the others from a
# node-metrics ``layers`` table of one network state).
SUMMARY_METRICS = ("test_acc", "train_acc", "val_acc")


class StudyError(ValueError):
    """The study's numbers file is malformed; the message names the file and the entry."""


def load_study(path: str | Path, schema_path: str | Path) -> dict:
    """The numbers file, checked against its JSON schema."""
    import jsonschema

    path = Path(path)
    study = yaml.safe_load(path.read_text())
    schema = yaml.safe_load(Path(schema_path).read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(study), key=str)
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise StudyError(f"{path}: {where}: {errors[0].message}")
    for part in ("numbers", "statements"):
        for i, number in enumerate(study.get(part, [])):
            if number["metric"] not in study["metrics"]:
                raise StudyError(f"{path}: {part}.{i}: metric {number['metric']!r} is not defined under 'metrics'")
    ids = [check["id"] for check in study["checks"]]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise StudyError(f"{path}: checks: id {twice[0]!r} is given twice")
    return study


def _arch(entry: dict) -> Architecture:
    return Architecture(
        entry["dataset"], entry["depth"], entry["width"], bool(entry["batch_norm"]), entry["activation"]
    )


def networks_of(networks: dict | list[dict]) -> list[Architecture]:
    """The networks of one networks spec, or of a list of them (in order, once each)."""
    blocks = networks if isinstance(networks, list) else [networks]
    return list(dict.fromkeys(arch for block in blocks for arch in expand_networks(block)))


def _statement_entries(statement: dict) -> list[dict]:
    """One numbers entry per network (and layer, where ``per_layer``) a statement covers."""
    shared = {
        k: statement[k] for k in ("source", "metric", *READINGS, "tolerance", "note", "inconsistent") if k in statement
    }
    entries = []
    for arch in networks_of(statement["networks"]):
        network = {
            "dataset": arch.dataset,
            "depth": arch.depth,
            "width": arch.width,
            "batch_norm": arch.batch_norm,
            "activation": arch.activation,
        }
        layers = range(1, arch.depth + 1) if statement.get("per_layer") else [None]
        entries += [{**shared, **network, "layer": layer} for layer in layers]
    return entries


# How a row gives the study's number: one value, a range, or a one-sided bound.
READINGS = ("value", "range", "at_most", "at_least")


def reading_bounds(entry: dict) -> tuple[float, float, float]:
    """(low, high, the study's value as shown) of a row: a value has low = high; a range
    its ends and its middle; ``at_most`` / ``at_least`` an open end (agree on that side
    whatever the distance)."""
    if "range" in entry:
        low, high = (float(x) for x in entry["range"])
        return low, high, (low + high) / 2
    if "at_most" in entry:
        return -math.inf, float(entry["at_most"]), float(entry["at_most"])
    if "at_least" in entry:
        return float(entry["at_least"]), math.inf, float(entry["at_least"])
    return float(entry["value"]), float(entry["value"]), float(entry["value"])


def _earlier(changes: list[dict], metric: str, arch: Architecture, min_tolerance: float) -> dict:
    """The row's earlier reading, where one of ``reading_changes`` covers it (else empty)."""
    for change in changes:
        if change["metric"] == metric and arch in networks_of(change["networks"]):
            earlier = change["earlier"]
            low, high, _ = reading_bounds(earlier)
            return {
                "earlier": f"{change['id']} ({change['commit']}, {change['date']})",
                "earlier_low": low,
                "earlier_high": high,
                "earlier_se": float(earlier.get("se", 0.0)),
                "earlier_tolerance": float(earlier.get("tolerance", min_tolerance)),
            }
    return {
        "earlier": "",
        "earlier_low": math.nan,
        "earlier_high": math.nan,
        "earlier_se": math.nan,
        "earlier_tolerance": math.nan,
    }


def study_rows(study: dict) -> pd.DataFrame:
    """One row per number the study reports (a statement about a set of networks expands to
    one row per network, or per layer), with split, state and unit from the metric. A
    row's ends are ``study_low``/``study_high`` (``reading_bounds``), and where our
    reading of its text changed after results existed (``reading_changes``), the earlier
    reading beside it (``earlier_*``)."""
    entries = list(study["numbers"])
    for statement in study.get("statements", []):
        entries += _statement_entries(statement)
    rows = []
    for entry in entries:
        metric = study["metrics"][entry["metric"]]
        arch = _arch(entry)
        low, high, shown = reading_bounds(entry)
        rows.append(
            {
                "source": entry["source"],
                "dataset": arch.dataset,
                "network": arch.name,
                "depth": arch.depth,
                "width": arch.width,
                "batch_norm": arch.batch_norm,
                "activation": arch.activation,
                "metric": entry["metric"],
                "layer": entry.get("layer"),
                "split": metric["split"],
                "state": metric["state"],
                "unit": metric["unit"],
                "study": shown,
                "study_low": low,
                "study_high": high,
                "study_se": float(entry.get("se", 0.0)),
                "tolerance": float(entry.get("tolerance", metric["min_tolerance"])),
                "note": entry.get("note", ""),
                "inconsistent": entry.get("inconsistent", ""),
                **_earlier(study.get("reading_changes", []), entry["metric"], arch, metric["min_tolerance"]),
            }
        )
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame
