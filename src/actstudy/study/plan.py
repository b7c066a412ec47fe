"""The scorecard's plan: which of our files each number and claim of the study needs, per
network the config trains, and how that network's training differs from the study's
protocol. Plain Python (no torch): the workflow calls it while it plans the DAG.
"""

from __future__ import annotations

import dataclasses

from actstudy.core.config import Architecture, RunGrid
from actstudy.core.paths import metrics_path, train_dir
from actstudy.study.numbers import networks_of, study_rows

# What each metric is read from: the training summary, a node-metrics table (``layers``
# per layer, ``nodes`` per node) or the layer classifiers; and at which state.
METRIC_ARTEFACTS = {
    "test_acc": ("train", "best"),
    "train_acc": ("train", "best"),
    "val_acc": ("train", "best"),
    "dead_pct": ("layers", None),
    "sparsity": ("layers", None),
    "sparsity_init": ("layers", "init"),
    "polarised_pct_init": ("nodes", "init"),
    "class_polarised_pct": ("layers", None),
    "full_activity_drop": ("layers", None),
    "median_saturated_pct": ("layers", None),
    "median_saturated_pct_init": ("layers", "init"),
    "class_high_pct": ("layers", None),
    "classes_on": ("layers", None),
    "class_separation": ("layers", None),
    "class_separation_init": ("layers", "init"),
    "mean_class_median": ("layers", None),
    "mean_class_median_init": ("layers", "init"),
    "polarised_from_layer": ("layers", None),
    "best_epoch": ("train", "best"),
    "val_acc_seed_se": ("train", "best"),
    "system_spread": ("classifiers", None),
}
# Metrics named per layer classifier system (``layer_acc:discrete``): read from the classifiers.
CLASSIFIER_PREFIXES = ("layer_acc:", "layer_train_acc:")
CHECK_KIND_ARTEFACTS = {
    "reach_network": "classifiers",
    "systems": "classifiers",
    "peak": "classifiers",
    "drop": "classifiers",
    "converge": "classifiers",
    "gain": "classifiers",
    "dip": "classifiers",
    "polarised": "layers",
}


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
    study: dict,
    grids: dict[Architecture, RunGrid],
    training: dict,
    state: str = "best",
    results: str = "results",
    learning_rate: float | None = None,
    bn_init: str = "ones",
) -> list[dict]:
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
        item = {
            "dataset": arch.dataset,
            "network": arch.name,
            "learning_rate": learning_rate,
            "protocol": protocol_differences(grid, training, study["protocol"]),
        }
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


DIFFERENCES_JOINED_BY = "; "


def protocol_differences(grid: RunGrid, training: dict, protocol: dict) -> str:
    """How one architecture's training differs from the study's protocol ('' if not), each
    difference once, joined by ``DIFFERENCES_JOINED_BY``."""
    diffs = []
    if training["epochs"] != protocol["epochs"]:
        diffs.append(f"{training['epochs']} epochs (study {protocol['epochs']})")
    if len(grid.seeds) != protocol["n_seeds"]:
        diffs.append(f"{len(grid.seeds)} seeds (study {protocol['n_seeds']})")
    if sorted(grid.learning_rates) != sorted(float(r) for r in protocol["learning_rates"]):
        ours = ", ".join(f"{r:g}" for r in grid.learning_rates)
        study = ", ".join(f"{r:g}" for r in protocol["learning_rates"])
        diffs.append(f"learning rates {ours} (study {study})")
    if training["batch_size"] != protocol["batch_size"]:
        diffs.append(f"batch size {training['batch_size']} (study {protocol['batch_size']})")
    if float(training["lr_decay"]) != float(protocol["lr_decay"]):
        diffs.append(f"learning-rate decay {training['lr_decay']} (study {protocol['lr_decay']})")
    if protocol.get("refined") and not training.get("refine_rounds", 0):
        diffs.append("learning rate chosen from the initial rates only (the study refines it: Section 3.3.1)")
    return DIFFERENCES_JOINED_BY.join(diffs)
