"""What each network's analysis job makes: from the files the requested targets read
(figures, tables, the scorecard), grouped by network, the (seed, state) pairs it analyses
and, for each, the splits of z to extract and whether node metrics and layer classifiers
are computed. Plain Python: the workflow calls it while it plans the DAG."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from actstudy.core.config import Architecture
from actstudy.core.paths import metrics_path, train_dir, z_path

# A per-state file of the analysis below results/: z of a split, or a metrics table.
ANALYSIS_FILE = re.compile(
    r"results/(?:z|metrics)/(?P<dataset>[^/]+)/(?P<arch>[^/]+)/seed(?P<seed>\d+)/"
    r"(?P<state>init|best|epoch\d+)_(?P<what>train|test|val|class_nodes|nodes|layers|classifiers)\.(?:parquet|csv)"
)
NODE_TABLES = ("class_nodes", "nodes", "layers")


@dataclass(frozen=True, order=True)
class StateWork:
    """One (seed, state) of a net: the splits of z to write, and which metrics to compute."""

    seed: int
    state: str
    splits: tuple[str, ...]
    node_metrics: bool
    classifiers: bool

    @classmethod
    def from_params(cls, params: dict) -> StateWork:
        return cls(
            params["seed"], params["state"], tuple(params["splits"]), params["node_metrics"], params["classifiers"]
        )

    def as_params(self) -> dict:
        return {
            "seed": self.seed,
            "state": self.state,
            "splits": list(self.splits),
            "node_metrics": self.node_metrics,
            "classifiers": self.classifiers,
        }


def plan_analyses(files: Iterable[str], with_validation: bool = False) -> dict[Architecture, list[StateWork]]:
    """Per network, the work its analysis job does so that every file in ``files`` of the
    analysis (z Parquet, node metrics, classifiers) exists; other files are ignored.

    Node metrics make all three node tables at once, and read z of the training split
    (and the validation split when ``with_validation``: the train+validation reading)
    and of the test split; the classifiers read z of train and test. z of train and test
    are always written together (one model load, as the extract rule does)."""
    wanted: dict[tuple[Architecture, int, str], set[str]] = {}
    for path in files:
        match = ANALYSIS_FILE.fullmatch(str(path))
        if match:
            arch = Architecture.parse(match["dataset"], match["arch"])
            wanted.setdefault((arch, int(match["seed"]), match["state"]), set()).add(match["what"])
    plans: dict[Architecture, list[StateWork]] = {}
    for (arch, seed, state), what in wanted.items():
        nodes = any(table in what for table in NODE_TABLES)
        splits = ["train", "test"]
        if "val" in what or (nodes and with_validation):
            splits.append("val")
        plans.setdefault(arch, []).append(StateWork(seed, state, tuple(splits), nodes, "classifiers" in what))
    return {
        arch: sorted(works) for arch, works in sorted(plans.items(), key=lambda item: (item[0].dataset, item[0].name))
    }


def z_outputs(arch: Architecture, works: list[StateWork]) -> list[str]:
    """Every Parquet file of z the net's extraction job writes."""
    return [z_path(arch, work.seed, work.state, split) for work in works for split in work.splits]


def node_outputs(arch: Architecture, works: list[StateWork]) -> list[str]:
    """Every node-metrics table the net's node-metrics job writes (none: no such job)."""
    return [metrics_path(arch, w.seed, w.state, table) for w in works if w.node_metrics for table in NODE_TABLES]


def classifier_outputs(arch: Architecture, works: list[StateWork]) -> list[str]:
    """Every layer-classifier table the net's classifier job writes (none: no such job)."""
    return [metrics_path(arch, w.seed, w.state, "classifiers") for w in works if w.classifiers]


def extraction_inputs(arch: Architecture, works: list[StateWork]) -> dict[str, list[str] | str]:
    """What the net's extraction job reads: each trained state (one file per state, every
    seed's run in it), the selection, and the data."""
    folder = train_dir(arch)
    return {
        "states": [f"{folder}/{state}.pt" for state in sorted({work.state for work in works})],
        "selection": f"{folder}/selected.json",
        "data": f"results/data/{arch.dataset}.npz",
    }


def measured_z(arch: Architecture, works: list[StateWork], what: str, with_validation: bool = False) -> list[str]:
    """The z files the net's node-metrics (``what="nodes"``) or classifier job reads: train
    (and validation, for node metrics under the train+validation reading) and test of
    each state it measures."""
    splits = ["train", "val", "test"] if what == "nodes" and with_validation else ["train", "test"]
    chosen = [w for w in works if (w.node_metrics if what == "nodes" else w.classifiers)]
    return [z_path(arch, w.seed, w.state, split) for w in chosen for split in splits]
