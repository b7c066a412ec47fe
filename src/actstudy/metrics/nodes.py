"""Node and layer metrics of one network state, computed layer by layer from Parquet.

Only one hidden layer's activations (train and test) are in memory at a time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from actstudy.extraction.zparquet import layers_in, read_layer
from actstudy.metrics.activity import (
    activate,
    class_activity,
    class_medians,
    class_separation,
    classes_on,
    dead_nodes,
    full_activity_drop,
    high_activity_percentage,
    layer_sparsity,
    mean_class_median,
    median_saturated_percentage,
    node_activity,
    polarised_percentage,
)


def _read_layer_of(paths: list[str | Path], layer: int) -> tuple[np.ndarray, np.ndarray]:
    """One layer's z and labels over several files (e.g. train and validation), stacked;
    z column-major, as ``read_layer`` gives it."""
    parts = [read_layer(path, layer) for path in paths]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([z.T for z, _ in parts], axis=1).T, np.concatenate([y for _, y in parts])


def node_metrics(
    train: str | Path | list,
    test: str | Path,
    activation: str,
    n_classes: int,
    on_at_zero: bool = False,
    include_dead: bool = False,
    threshold: float = 0.0,
) -> dict[str, pd.DataFrame]:
    """Three tables for one (run, state):

    - ``class_nodes``: per layer, node and class: ``median_a`` (training set),
      ``activity_train`` and ``activity_test`` (% of the class's samples on);
    - ``nodes``: per layer and node: ``activity_train``, ``activity_test``, ``dead``;
    - ``layers``: per layer: ``n_nodes``, ``dead_pct``, ``sparsity``,
      ``class_polarised_pct`` (% of the layer's node-class pairs whose activity is near
      0 % or 100 %: ``polarised_percentage``) and ``median_saturated_pct`` (% of its
      node-class medians at a saturation point: ``median_saturated_percentage``), on the
      training set; ``full_activity_drop`` (node-class pairs at 100 % activity, training
      minus test), ``class_high_pct`` (node-class pairs at 90 % or more), ``classes_on``
      (classes a non-dead node is on for, on average), ``class_separation`` (% of a node's
      pre-activation variance between the class means, on average) and
      ``mean_class_median`` (the mean of its node-class medians of a).

    ``n_classes``: the dataset's (labels 0 .. n_classes - 1). ``train`` may list several files (training and validation splits: the
    ``train+validation`` reading); ``on_at_zero``, ``include_dead`` and ``threshold`` are
    the other readings of ``actstudy.metrics.activity``.
    """
    trains = [train] if isinstance(train, (str, Path)) else list(train)
    on = {"on_at_zero": on_at_zero, "threshold": threshold}
    class_rows, node_rows, layer_rows = [], [], []
    for layer in layers_in(trains[0]):
        z_train, y_train = _read_layer_of(trains, layer)
        z_test, y_test = read_layer(test, layer)
        n_nodes = z_train.shape[1]
        medians = class_medians(activate(z_train, activation), y_train, n_classes)
        act_train = class_activity(z_train, y_train, n_classes, **on)
        act_test = class_activity(z_test, y_test, n_classes, **on)
        classes, nodes = np.meshgrid(np.arange(n_classes), np.arange(n_nodes), indexing="ij")
        class_rows.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "node": nodes.ravel(),
                    "class": classes.ravel(),
                    "median_a": medians.ravel(),
                    "activity_train": act_train.ravel(),
                    "activity_test": act_test.ravel(),
                }
            )
        )
        dead = dead_nodes(z_train, **on)
        node_rows.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "node": np.arange(n_nodes),
                    "activity_train": node_activity(z_train, **on),
                    "activity_test": node_activity(z_test, **on),
                    "dead": dead,
                }
            )
        )
        layer_rows.append(
            {
                "layer": layer,
                "n_nodes": n_nodes,
                "dead_pct": 100.0 * dead.mean(),
                "sparsity": layer_sparsity(z_train, include_dead=include_dead, **on),
                "class_polarised_pct": polarised_percentage(act_train),
                "median_saturated_pct": median_saturated_percentage(medians, activation),
                "full_activity_drop": full_activity_drop(act_train, act_test),
                "class_high_pct": high_activity_percentage(act_train),
                "classes_on": classes_on(act_train, dead),
                "class_separation": class_separation(z_train, y_train, n_classes),
                "mean_class_median": mean_class_median(medians),
            }
        )
    return {
        "class_nodes": pd.concat(class_rows, ignore_index=True),
        "nodes": pd.concat(node_rows, ignore_index=True),
        "layers": pd.DataFrame(layer_rows),
    }


def network_dead_pct(layers: pd.DataFrame) -> float:
    """Dead nodes of a whole network from its ``layers`` table: dead nodes of every hidden
    layer / all hidden nodes, in % (layers weighted by their size; docs/metrics.md)."""
    return float((layers["dead_pct"] * layers["n_nodes"]).sum() / layers["n_nodes"].sum())
