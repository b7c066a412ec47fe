"""How hidden nodes behave: class medians, on/off activity, dead nodes, layer sparsity.

Arrays: ``z`` is [n_samples, n_nodes] pre-activations of one layer, ``labels`` is
[n_samples] class indices. A node is *on* for a sample when z > 0, which is a > 0 for
ReLU and a > 0.5 for sigmoid (SPEC §3). Percentages are in 0..100.
"""

from __future__ import annotations

import numpy as np


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """a = T(z)."""
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    raise ValueError(f"unknown activation {activation!r}")


def is_on(z: np.ndarray) -> np.ndarray:
    return z > 0


def _per_class(values: np.ndarray, labels: np.ndarray, n_classes: int, reduce) -> np.ndarray:
    """[n_classes, n_nodes] of ``reduce`` over each class's rows; NaN for an absent class."""
    out = np.full((n_classes, values.shape[1]), np.nan)
    for c in range(n_classes):
        rows = values[labels == c]
        if len(rows):
            out[c] = reduce(rows)
    return out


def class_medians(a: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Per class and node, the median activation: [n_classes, n_nodes]."""
    return _per_class(a, labels, n_classes, lambda rows: np.median(rows, axis=0))


def class_activity(z: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Per class and node, the % of the class's samples for which the node is on."""
    return _per_class(is_on(z), labels, n_classes, lambda rows: 100.0 * rows.mean(axis=0))


def node_activity(z: np.ndarray) -> np.ndarray:
    """Per node, the % of all samples for which it is on: [n_nodes]."""
    return 100.0 * is_on(z).mean(axis=0)


def dead_nodes(z_train: np.ndarray) -> np.ndarray:
    """Per node, True when it is on for no training sample at all."""
    return ~is_on(z_train).any(axis=0)


def dead_percentage(z_train: np.ndarray) -> float:
    return 100.0 * float(dead_nodes(z_train).mean())


def layer_sparsity(z_train: np.ndarray) -> float:
    """% of training samples for which a node is off, averaged over the layer's
    non-dead nodes; NaN when every node is dead."""
    alive = ~dead_nodes(z_train)
    if not alive.any():
        return float("nan")
    off = 100.0 - node_activity(z_train)
    return float(off[alive].mean())


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the mean (ddof=1) over seeds; SE is 0 for one value."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0
    return float(values.mean()), float(se)
