"""The study's own numbers (``workflow/study/numbers.yaml``): loading, one row per number,
and which of our results each needs.

Plain Python and pandas (no torch): the workflow calls this while it plans the DAG.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import yaml

from actstudy.core.config import Architecture, RunGrid, expand_networks
from actstudy.core.paths import metrics_path, train_dir

ROW_COLUMNS = ["source", "dataset", "network", "depth", "width", "batch_norm", "activation", "metric", "layer",
               "split", "state", "unit", "study", "study_low", "study_high", "study_se", "tolerance", "note",
               "inconsistent", "earlier", "earlier_low", "earlier_high", "earlier_se", "earlier_tolerance"]  # fmt: skip
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
    shared = {k: statement[k] for k in ("source", "metric", *READINGS, "tolerance", "note", "inconsistent")
              if k in statement}  # fmt: skip
    entries = []
    for arch in networks_of(statement["networks"]):
        network = {"dataset": arch.dataset, "depth": arch.depth, "width": arch.width,
                   "batch_norm": arch.batch_norm, "activation": arch.activation}  # fmt: skip
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
            return {"earlier": f"{change['id']} ({change['commit']}, {change['date']})", "earlier_low": low,
                    "earlier_high": high, "earlier_se": float(earlier.get("se", 0.0)),
                    "earlier_tolerance": float(earlier.get("tolerance", min_tolerance))}  # fmt: skip
    return {"earlier": "", "earlier_low": math.nan, "earlier_high": math.nan, "earlier_se": math.nan,
            "earlier_tolerance": math.nan}  # fmt: skip


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
        rows.append({
            "source": entry["source"], "dataset": arch.dataset, "network": arch.name, "depth": arch.depth,
            "width": arch.width, "batch_norm": arch.batch_norm, "activation": arch.activation,
            "metric": entry["metric"], "layer": entry.get("layer"), "split": metric["split"],
            "state": metric["state"], "unit": metric["unit"], "study": shown, "study_low": low,
            "study_high": high, "study_se": float(entry.get("se", 0.0)),
            "tolerance": float(entry.get("tolerance", metric["min_tolerance"])), "note": entry.get("note", ""),
            "inconsistent": entry.get("inconsistent", ""),
            **_earlier(study.get("reading_changes", []), entry["metric"], arch, metric["min_tolerance"]),
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


# What each metric is read from: the training summary, a node-metrics table (``layers``
# per layer, ``nodes`` per node) or the layer classifiers; and at which state.
METRIC_ARTEFACTS = {
    "test_acc": ("train", "best"), "train_acc": ("train", "best"), "val_acc": ("train", "best"),
    "dead_pct": ("layers", None), "sparsity": ("layers", None), "sparsity_init": ("layers", "init"),
    "polarised_pct_init": ("nodes", "init"), "class_polarised_pct": ("layers", None),
    "full_activity_drop": ("layers", None), "median_saturated_pct": ("layers", None),
    "median_saturated_pct_init": ("layers", "init"), "class_high_pct": ("layers", None),
    "classes_on": ("layers", None), "class_separation": ("layers", None),
    "class_separation_init": ("layers", "init"), "mean_class_median": ("layers", None),
    "mean_class_median_init": ("layers", "init"), "polarised_from_layer": ("layers", None),
    "best_epoch": ("train", "best"), "val_acc_seed_se": ("train", "best"), "system_spread": ("classifiers", None),
}  # fmt: skip
# Metrics named per layer classifier system (``layer_acc:discrete``): read from the classifiers.
CLASSIFIER_PREFIXES = ("layer_acc:", "layer_train_acc:")
CHECK_KIND_ARTEFACTS = {"reach_network": "classifiers", "systems": "classifiers", "peak": "classifiers",
                        "drop": "classifiers", "converge": "classifiers", "gain": "classifiers", "dip": "classifiers",
                        "polarised": "layers"}  # fmt: skip


STATE_MARK = "@"  # a metric read at a claim's named state, not the analysed one (``at_state``)


def at_state(metric: str, state: str) -> str:
    """A layer-classifier metric read at another state than the analysed one (a claim's
    ``states``): ``layer_acc:discrete@epoch30``."""
    return f"{metric}{STATE_MARK}{state}"


def check_metrics(check: dict) -> list[str]:
    """The metrics a claim names (a ``trained`` claim also reads its metric's ``_init``)."""
    metrics = list(check.get("metrics", [])) + ([check["metric"]] if "metric" in check else [])
    return metrics + [f"{m}_init" for m in metrics] if check["kind"] == "trained" else metrics


def _artefacts(metric: str, state: str) -> tuple[str, str]:
    if metric.startswith(CLASSIFIER_PREFIXES):
        return "classifiers", state
    artefact, fixed = METRIC_ARTEFACTS[metric]
    return artefact, fixed or state


def trained_as(arch: Architecture, bn_init: str = "ones") -> Architecture:
    """The trained net that stands for one of the study's: itself, or for a batch-norm net
    under the ``batch_norm_init: uniform`` reading its twin with γ ~ U(0, 1) (torch before
    1.2, the study's software)."""
    return dataclasses.replace(arch, bn_init=bn_init) if arch.batch_norm else arch


def needs(
    study: dict, grids: dict[Architecture, RunGrid], state: str = "best", bn_init: str = "ones"
) -> dict[Architecture, set[tuple[str, str]]]:
    """For every net of the study some number or check concerns and ``grids`` trains (as
    ``trained_as`` reads it): the artefacts the scorecard reads, as (artefact, state) with
    artefact ``train`` (summary and selection), ``layers`` (node metrics per layer, every
    seed), ``nodes`` (per node; the untrained state only) or ``classifiers`` (every seed).
    ``state`` is the trained state the Chapter 5/6 numbers are read at."""
    wanted: dict[Architecture, set[tuple[str, str]]] = {}
    rows = study_rows(study)
    for row in rows.itertuples(index=False):
        arch = Architecture(row.dataset, row.depth, row.width, bool(row.batch_norm), row.activation)
        if trained_as(arch, bn_init) in grids:
            wanted.setdefault(arch, set()).add(_artefacts(row.metric, state))
    for check in study["checks"]:
        artefacts = {_artefacts(m, state) for m in check_metrics(check)}
        if check["kind"] in CHECK_KIND_ARTEFACTS:
            artefacts.add((CHECK_KIND_ARTEFACTS[check["kind"]], state))
        for arch in networks_of(check["networks"]):
            if trained_as(arch, bn_init) in grids:
                wanted.setdefault(arch, set()).update(artefacts)
    return wanted


def state_needs(
    study: dict, grids: dict[Architecture, RunGrid], kept: set[str], bn_init: str = "ones"
) -> dict[Architecture, set[str]]:
    """For every net of a claim with ``states`` that ``grids`` trains: those of its states
    that the runs keep (``kept``), whose layer classifiers the claim reads. A state the
    config keeps no snapshot of is left out: the claim says so, not the plan."""
    wanted: dict[Architecture, set[str]] = {}
    for check in study["checks"]:
        states = set(check.get("states", [])) & kept
        for arch in networks_of(check["networks"]) if states else []:
            if trained_as(arch, bn_init) in grids:
                wanted.setdefault(arch, set()).update(states)
    return wanted


PLAN_TABLES = ("layers", "init_layers", "init_nodes", "classifiers")


def scorecard_plan(
    study: dict, grids: dict[Architecture, RunGrid], training: dict, state: str = "best", results: str = "results",
    learning_rate: float | None = None, bn_init: str = "ones",
) -> list[dict]:  # fmt: skip
    """Per net of the study a number or claim concerns and ``grids`` trains: how its
    training differs from the study's protocol, the learning rate whose runs are read
    (None: the selected one) and the files the scorecard reads (below ``results``, those
    of the net ``trained_as`` gives): ``summary``, ``selection`` and ``history``, and per table of
    ``PLAN_TABLES`` {seed: path}, and ``classifiers_at`` {state: {seed: path}} the layer
    classifiers at the states a claim names (``state_needs``). ``network`` is the study's
    name for the net."""
    plan = []
    kept = {"init", "best"} | {f"epoch{e}" for e in training.get("snapshot_epochs", [])}
    at_states = state_needs(study, grids, kept, bn_init)
    for arch, wanted in sorted(needs(study, grids, state, bn_init).items()):
        trained = trained_as(arch, bn_init)
        grid = grids[trained]
        item = {"dataset": arch.dataset, "network": arch.name, "learning_rate": learning_rate,
                "protocol": protocol_differences(grid, training, study["protocol"])}  # fmt: skip
        for artefact, at in sorted(wanted):
            if artefact == "train":
                item["summary"] = f"{train_dir(trained, results)}/summary.csv"
                item["selection"] = f"{train_dir(trained, results)}/selected.json"
                item["history"] = f"{train_dir(trained, results)}/history.csv"
            else:
                key = f"init_{artefact}" if at == "init" else artefact
                item[key] = {seed: metrics_path(trained, seed, at, artefact, results) for seed in grid.seeds}
        if arch in at_states:
            item["classifiers_at"] = {
                at: {seed: metrics_path(trained, seed, at, "classifiers", results) for seed in grid.seeds}
                for at in sorted(at_states[arch])
            }
        plan.append(item)
    return plan


def plan_files(plan: list[dict]) -> list[str]:
    """Every file a scorecard plan reads."""
    files = []
    for item in plan:
        files += [item[k] for k in ("summary", "selection", "history") if k in item]
        for table in PLAN_TABLES:
            files += list(item.get(table, {}).values())
        for paths in item.get("classifiers_at", {}).values():
            files += list(paths.values())
    return list(dict.fromkeys(files))


def protocol_differences(grid: RunGrid, training: dict, protocol: dict) -> str:
    """How one architecture's training differs from the study's protocol ('' if not)."""
    diffs = []
    if training["epochs"] != protocol["epochs"]:
        diffs.append(f"{training['epochs']} epochs (study {protocol['epochs']})")
    if len(grid.seeds) != protocol["n_seeds"]:
        diffs.append(f"{len(grid.seeds)} seeds (study {protocol['n_seeds']})")
    if sorted(grid.learning_rates) != sorted(float(lr) for lr in protocol["learning_rates"]):
        ours = ", ".join(f"{lr:g}" for lr in grid.learning_rates)
        study = ", ".join(f"{lr:g}" for lr in protocol["learning_rates"])
        diffs.append(f"learning rates {ours} (study {study})")
    if training["batch_size"] != protocol["batch_size"]:
        diffs.append(f"batch size {training['batch_size']} (study {protocol['batch_size']})")
    if float(training["lr_decay"]) != float(protocol["lr_decay"]):
        diffs.append(f"learning-rate decay {training['lr_decay']} (study {protocol['lr_decay']})")
    if protocol.get("refined") and not training.get("refine_rounds", 0):
        diffs.append("learning rate chosen from the initial rates only (the study refines it: Section 3.3.1)")
    return "; ".join(diffs)
