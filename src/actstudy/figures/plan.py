"""What each figure's or table's rule reads and passes to its script, from the config:
one planner per family of kinds (``actstudy.figures.families`` names each family's), for
the one loop of target rules in ``workflow/rules/figures.smk``. Plain Python: the workflow calls it while
it plans the DAG.

Every planner takes the config, the run grids (``actstudy.core.config.run_grids``), the state
the analysis reads (``analysis.state``) and the target's name, and returns
``(inputs, params)``: ``inputs`` a mapping of named input lists, ``params`` the rule's
params (a figure's name as ``figure``, a table's as ``table``).
"""

from __future__ import annotations

from actstudy.core.config import expand_networks, figure_architectures
from actstudy.core.paths import artefact_path, metrics_path, train_dir
from actstudy.figures.catalog import TARGETS, files_needed, kind_of


def static(config, grids, state, name):
    return {}, {"figure": name}


def training(config, grids, state, name):
    """History, summary and selection of every architecture the figure draws."""
    archs = figure_architectures(config, name)
    inputs = {
        "history": [f"{train_dir(a)}/history.csv" for a in archs],
        "summary": [f"{train_dir(a)}/summary.csv" for a in archs],
        "selection": [f"{train_dir(a)}/selected.json" for a in archs],
    }
    return inputs, {"figure": name, "architectures": [[a.dataset, a.name] for a in archs]}


def node_items(config, grids, name) -> list[dict]:
    """Per architecture (and state) of a node or classifier figure: its first seed, the
    state and the files each role of the figure's kind reads."""
    spec = config["figures"][name]
    states = spec.get("states", [spec.get("state", "best")])
    items = []
    for arch in figure_architectures(config, name):
        seed = grids[arch].seeds[0]
        for state in states:
            needed = files_needed(TARGETS[name].kind, state)
            files = {role: artefact_path(a, arch, seed, s) for role, (a, s) in needed.items()}
            items.append(
                {
                    "dataset": arch.dataset,
                    "arch": arch.name,
                    "seed": seed,
                    "state": state,
                    "files": files,
                    "layer": spec.get("layer"),
                }
            )
    return items


def node(config, grids, state, name):
    items = node_items(config, grids, name)
    return {"files": [f for item in items for f in item["files"].values()]}, {"figure": name, "networks": items}


def table(config, grids, state, name):
    """Every (architecture, seed) a table summarises, with its layer metrics file."""
    items = [
        {"dataset": a.dataset, "arch": a.name, "seed": seed, "layers": metrics_path(a, seed, state, "layers")}
        for a in expand_networks(config["tables"][name])
        for seed in grids[a].seeds
    ]
    return {"layers": [item["layers"] for item in items]}, {"table": name, "networks": items}


def comparison(config, grids, state, name):
    """Per network a comparison draws: the files its kind needs (every seed)."""
    needs = kind_of(name).needs
    items, files = [], []
    for arch in figure_architectures(config, name):
        item = {"dataset": arch.dataset, "arch": arch.name}
        if "train" in needs:
            item["summary"] = f"{train_dir(arch)}/summary.csv"
            item["selection"] = f"{train_dir(arch)}/selected.json"
            files += [item["summary"], item["selection"]]
        for table in ("layers", "classifiers"):
            if table in needs:
                item[table] = {seed: metrics_path(arch, seed, state, table) for seed in grids[arch].seeds}
                files += list(item[table].values())
        items.append(item)
    return {"files": files}, {"figure": name, "kind": TARGETS[name].kind, "networks": items}
