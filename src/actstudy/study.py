"""The study's own numbers (``workflow/study/numbers.yaml``): loading, one row per number,
and which of our results each needs.

Plain Python and pandas (no torch): the workflow calls this while it plans the DAG.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from actstudy.config import Architecture, RunGrid, expand_selection

ROW_COLUMNS = ["source", "dataset", "network", "depth", "width", "batch_norm", "activation", "metric", "layer",
               "split", "state", "unit", "study", "study_se", "tolerance", "note"]  # fmt: skip
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
    for i, number in enumerate(study["numbers"]):
        if number["metric"] not in study["metrics"]:
            raise StudyError(f"{path}: numbers.{i}: metric {number['metric']!r} is not defined under 'metrics'")
    return study


def _arch(entry: dict) -> Architecture:
    return Architecture(
        entry["dataset"], entry["depth"], entry["width"], bool(entry["batch_norm"]), entry["activation"]
    )


def study_rows(study: dict) -> pd.DataFrame:
    """One row per number the study reports (the untrained-sparsity claim expands to one
    row per layer of its networks), with split, state and unit from the metric."""
    entries = list(study["numbers"])
    untrained = study.get("untrained_sparsity")
    if untrained:
        for arch in expand_selection(untrained["networks"]):
            for layer in range(1, arch.depth + 1):
                entries.append({"source": untrained["source"], "dataset": arch.dataset, "depth": arch.depth,
                                "width": arch.width, "batch_norm": arch.batch_norm, "activation": arch.activation,
                                "layer": layer, "metric": "sparsity_init", "value": untrained["value"],
                                "tolerance": untrained["tolerance"], "note": untrained.get("note", "")})  # fmt: skip
    rows = []
    for entry in entries:
        metric = study["metrics"][entry["metric"]]
        arch = _arch(entry)
        rows.append({
            "source": entry["source"], "dataset": arch.dataset, "network": arch.name, "depth": arch.depth,
            "width": arch.width, "batch_norm": arch.batch_norm, "activation": arch.activation,
            "metric": entry["metric"], "layer": entry.get("layer"), "split": metric["split"],
            "state": metric["state"], "unit": metric["unit"], "study": float(entry["value"]),
            "study_se": float(entry.get("se", 0.0)),
            "tolerance": float(entry.get("tolerance", metric["min_tolerance"])), "note": entry.get("note", ""),
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def check_architectures(check: dict) -> list[Architecture]:
    return expand_selection(check["networks"])


def needs(
    study: dict, grids: dict[Architecture, RunGrid], state: str = "best"
) -> dict[Architecture, set[tuple[str, str]]]:
    """For every trained architecture some number or check concerns: the artefacts the
    scorecard reads, as (artefact, state) with artefact ``train`` (summary and
    selection), ``layers`` (node metrics, every seed) or ``classifiers`` (every seed).
    ``state`` is the trained state the Chapter 5/6 numbers are read at (default best)."""
    wanted: dict[Architecture, set[tuple[str, str]]] = {}
    rows = study_rows(study)
    for row in rows.itertuples(index=False):
        arch = Architecture(row.dataset, row.depth, row.width, bool(row.batch_norm), row.activation)
        if arch not in grids:
            continue
        if row.metric in SUMMARY_METRICS:
            wanted.setdefault(arch, set()).add(("train", "best"))
        else:
            wanted.setdefault(arch, set()).add(("layers", "init" if row.metric == "sparsity_init" else state))
    for check in study["checks"]:
        artefact = _CHECK_ARTEFACTS[check["id"]]
        for arch in check_architectures(check):
            if arch in grids:
                wanted.setdefault(arch, set()).add((artefact, "best" if artefact == "train" else state))
    return wanted


# Which artefact each qualitative check reads (the checks themselves: actstudy.scorecard).
_CHECK_ARTEFACTS = {
    "relu_sparser_than_sigmoid": "layers",
    "batch_norm_lowers_sparsity": "layers",
    "deeper_relu_more_dead": "layers",
    "batch_norm_raises_accuracy": "train",
    "classifiers_reach_network": "classifiers",
}


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
    return "; ".join(diffs)
