"""A network's analysis jobs, each over every (seed, state) its plan lists, in one process:
extraction (z of each split to Parquet: torch loads once per net, each state file once per seed),
node metrics, and the layer classifiers. They call the functions the per-state extract,
node_metrics and classifiers rules call, with the same arguments, so either way writes
the same bytes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from actstudy.analysis.plan import StateWork
from actstudy.core.config import Architecture
from actstudy.core.io import atomic_path, write_csv
from actstudy.core.paths import metrics_path, train_dir, z_path

LOG = logging.getLogger(__name__)


def extract_network(
    arch: Architecture,
    works: Sequence[StateWork],
    selection: dict,
    data: str,
    extraction: dict,
    batch_size: int,
    n_classes: int,
    log: logging.Logger = LOG,
) -> None:
    """z of every split of every work, to ``results/z/...`` of the working directory.
    ``extraction``: batch_norm, z_at and learning_rate (the readings: the extract rule's
    params); ``n_classes``: the dataset's (the networks' outputs, ``actstudy.data.datasets``)."""
    from actstudy.data.splits import load_splits
    from actstudy.extraction.extract import write_activations
    from actstudy.training.device import pick_device
    from actstudy.training.models import reference_mlp
    from actstudy.training.selection import analysed_run
    from actstudy.training.states import load_states

    device, splits = pick_device(), load_splits(data, n_classes)
    batch_norm, z_at = extraction["batch_norm"], extraction["z_at"]
    loaded: dict[str, dict] = {}
    for work in works:  # sorted by seed, then state: each state file is read once per seed
        path = f"{train_dir(arch)}/{work.state}.pt"
        if work.state not in loaded:
            loaded = {work.state: load_states(path)}  # one state file in memory at a time
        run = analysed_run(selection, work.seed, extraction["learning_rate"])
        if run not in loaded[work.state]:
            raise KeyError(f"{path} holds no run {run!r}; it holds {sorted(loaded[work.state])}")
        model = reference_mlp(arch, splits.x_train.shape[1], n_classes)
        model.load_state_dict(loaded[work.state][run])
        for split in work.splits:
            x, y = splits.split(split)
            write_activations(
                model,
                x,
                y,
                splits.scale,
                z_path(arch, work.seed, work.state, split),
                device=device,
                batch_norm=batch_norm,
                batch_size=batch_size,
                z_at=z_at,
            )
            log.info(
                "%s %s run %s, state %s, %s split: %d samples, batch norm %s, z at the %s",
                arch.dataset,
                arch.name,
                run,
                work.state,
                split,
                len(y),
                batch_norm,
                "activation's input" if z_at == "activation" else "linear output",
            )


def measure_nodes(
    arch: Architecture,
    works: Sequence[StateWork],
    on_at_zero: bool,
    include_dead: bool,
    with_validation: bool,
    threshold: float,
    n_classes: int,
    log: logging.Logger = LOG,
) -> None:
    """The node-metrics tables of every work that asks for them (the node_metrics rule's
    params; ``with_validation``: count the validation split too)."""
    from actstudy.metrics.nodes import node_metrics

    for work in (w for w in works if w.node_metrics):
        counted = [z_path(arch, work.seed, work.state, s) for s in (["train", "val"] if with_validation else ["train"])]
        tables = node_metrics(
            counted,
            z_path(arch, work.seed, work.state, "test"),
            arch.activation,
            n_classes,
            on_at_zero=on_at_zero,
            include_dead=include_dead,
            threshold=threshold,
        )
        with atomic_path(metrics_path(arch, work.seed, work.state, "class_nodes")) as tmp:
            tables["class_nodes"].to_parquet(tmp, index=False)
        for name in ("nodes", "layers"):
            write_csv(tables[name], metrics_path(arch, work.seed, work.state, name))
        log.info("seed %d, %s: layers:\n%s", work.seed, work.state, tables["layers"].to_string(index=False))


def score_classifiers(
    arch: Architecture,
    works: Sequence[StateWork],
    threshold: float,
    n_classes: int,
    threads: int = 1,
    log: logging.Logger = LOG,
) -> None:
    """The layer classifiers' accuracies of every work that asks for them; NumPy only, BLAS
    single-threaded: the ``threads`` score sample chunks side by side."""
    from threadpoolctl import threadpool_limits

    from actstudy.metrics.classifiers import classifier_accuracies

    with threadpool_limits(1):
        for work in (w for w in works if w.classifiers):
            table = classifier_accuracies(
                z_path(arch, work.seed, work.state, "train"),
                z_path(arch, work.seed, work.state, "test"),
                arch.activation,
                n_classes,
                log,
                threshold=threshold,
                threads=threads,
            )
            write_csv(table, metrics_path(arch, work.seed, work.state, "classifiers"))
            log.info("seed %d, %s: accuracies (%%):\n%s", work.seed, work.state, table.to_string(index=False))
