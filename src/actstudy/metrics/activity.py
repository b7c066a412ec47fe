"""How hidden nodes behave: class medians (and how many sit at a saturation point), on/off
activity, dead nodes, layer sparsity.

Arrays: ``z`` is [n_samples, n_nodes] pre-activations of one layer, ``labels`` is
[n_samples] class indices. A node is *on* for a sample when z > 0, whatever the
activation: a > 0 for ReLU, a > 0.5 for sigmoid, a > log 2 for softplus (each
activation's ``on_means``; docs/metrics.md). Percentages are in 0..100.

Readings of the study's text are options (``analysis`` in the config): with
``on_at_zero`` a node is on when z >= 0 (z = 0 exactly happens in a bias-free layer whose
inputs are all off); with ``threshold`` it is on when z exceeds that value instead of 0
(0.5 for sigmoid nodes: Section 6.2.2's wording); with ``include_dead`` layer sparsity
averages over every node, dead ones (100 % off) included.
"""

from __future__ import annotations

import numpy as np

from actstudy.core.activations import get as get_activation


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """a = T(z), the network's activation over an array (equal to its torch module within
    float rounding; ``actstudy.core.activations``), same dtype and memory layout as ``z``."""
    return get_activation(activation).numpy(np.asarray(z))


def is_on(z: np.ndarray, on_at_zero: bool = False, threshold: float = 0.0) -> np.ndarray:
    return z >= threshold if on_at_zero else z > threshold


def _per_class(values: np.ndarray, labels: np.ndarray, n_classes: int, reduce) -> np.ndarray:
    """[n_classes, n_nodes] of ``reduce(samples, axis=1)`` over each class's samples of
    each node; NaN for an absent class. Works node by node ([nodes, samples], each node's
    class values contiguous: fast for column-major layers as ``read_layer`` returns)."""
    out = np.full((n_classes, values.shape[1]), np.nan)
    by_node = values.T
    for c in range(n_classes):
        selected = labels == c
        if selected.any():
            out[c] = reduce(by_node[:, selected], axis=1)
    return out


def class_medians(a: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Per class and node, the median activation: [n_classes, n_nodes]."""
    return _per_class(a, labels, n_classes, np.median)


def class_activity(
    z: np.ndarray, labels: np.ndarray, n_classes: int = 10, on_at_zero: bool = False, threshold: float = 0.0
) -> np.ndarray:
    """Per class and node, the % of the class's samples for which the node is on."""
    on = is_on(z, on_at_zero, threshold)
    return _per_class(on, labels, n_classes, lambda on, axis: 100.0 * on.mean(axis=axis))


def node_activity(z: np.ndarray, on_at_zero: bool = False, threshold: float = 0.0) -> np.ndarray:
    """Per node, the % of all samples for which it is on: [n_nodes]."""
    return 100.0 * is_on(z, on_at_zero, threshold).mean(axis=0)


def dead_nodes(z_train: np.ndarray, on_at_zero: bool = False, threshold: float = 0.0) -> np.ndarray:
    """Per node, True when it is on for no training sample at all."""
    return ~is_on(z_train, on_at_zero, threshold).any(axis=0)


def layer_sparsity(
    z_train: np.ndarray, on_at_zero: bool = False, include_dead: bool = False, threshold: float = 0.0
) -> float:
    """% of training samples for which a node is off, averaged over the layer's
    non-dead nodes (every node with ``include_dead``); NaN when every node is dead."""
    off = 100.0 - node_activity(z_train, on_at_zero, threshold)
    if include_dead:
        return float(off.mean())
    alive = ~dead_nodes(z_train, on_at_zero, threshold)
    if not alive.any():
        return float("nan")
    return float(off[alive].mean())


POLARISED_MARGIN = 10.0  # a node is "near 0 % or 100 %" activity within this many points
POLARISED_SHARE = 50.0  # "most nodes": more than this % of a layer's node-class pairs polarised


def polarised_percentage(activity: np.ndarray, margin: float = POLARISED_MARGIN) -> float:
    """% of activities (a node's, or a node's for one class: % of the samples it is on
    for) within ``margin`` points of 0 or 100: on for nearly all samples or nearly none
    (Section 5.3). Dead nodes (0 %) count; NaN (a class without samples) is left out."""
    activity = np.asarray(activity, dtype=float)
    activity = activity[np.isfinite(activity)]
    if activity.size == 0:
        return float("nan")
    return float(100.0 * np.mean((activity <= margin) | (activity >= 100.0 - margin)))


def median_saturated_percentage(medians: np.ndarray, activation: str) -> float:
    """% of class medians of a = T(z) (``class_medians``: one per class and node) that lie
    at a saturation point of the activation (ReLU: a = 0 exactly; sigmoid: within 0.05 of
    0 or 1; ``Activation.saturation``): Section 4.4's medians near the saturation points.
    NaN for an activation without saturation points; absent classes are left out."""
    entry = get_activation(activation)
    medians = np.asarray(medians, dtype=float)
    medians = medians[np.isfinite(medians)]
    if not entry.saturation or medians.size == 0:
        return float("nan")
    near = np.zeros(medians.shape, dtype=bool)
    for point in entry.saturation:
        near |= np.abs(medians - point) <= entry.saturation_margin
    return float(100.0 * near.mean())


def high_activity_percentage(activity: np.ndarray, margin: float = POLARISED_MARGIN) -> float:
    """% of node-class activities within ``margin`` points of 100 (on for nearly every
    sample of the class: Section 5.3.1's nodes of high activity); NaN classes left out."""
    activity = np.asarray(activity, dtype=float)
    activity = activity[np.isfinite(activity)]
    return float(100.0 * np.mean(activity >= 100.0 - margin)) if activity.size else float("nan")


def classes_on(activity: np.ndarray, dead: np.ndarray) -> float:
    """Mean over a layer's non-dead nodes of the number of classes a node is on for, for
    most of the class's samples (activity above 50 %): 1 for a node specialised in one
    class, the number of classes for one on for all (Sections 5.3.1, 5.4). ``activity``
    is [n_classes, n_nodes]; NaN when every node is dead."""
    alive = ~np.asarray(dead, dtype=bool)
    if not alive.any():
        return float("nan")
    return float(np.nansum(np.asarray(activity, dtype=float)[:, alive] > 50.0, axis=0).mean())


def full_activity_drop(activity_train: np.ndarray, activity_test: np.ndarray) -> float:
    """Points by which the share of node-class pairs on for every sample of the class
    (100 % activity) is lower on the test set than on the training set (Section 5.3.1:
    fewer nodes at 100 % on the test set); absent classes are left out."""
    train, test = np.asarray(activity_train, dtype=float), np.asarray(activity_test, dtype=float)
    both = np.isfinite(train) & np.isfinite(test)
    if not both.any():
        return float("nan")
    return float(100.0 * (np.mean(train[both] == 100.0) - np.mean(test[both] == 100.0)))


def class_separation(z: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> float:
    """How far a layer's classes are apart at its nodes: per node, the % of the variance of
    its pre-activation z over the samples that lies between the class means (the
    correlation ratio: 0 when every class has the same mean, 100 when each class sits at
    one value), averaged over the layer's nodes (Sections 4.2, 4.4: class distributions
    that overlap or separate). Nodes with one value for every sample are left out; NaN
    when every node is."""
    z = np.asarray(z, dtype=float)
    means = _per_class(z, labels, n_classes, np.mean)
    counts = np.array([np.sum(labels == c) for c in range(n_classes)], dtype=float)
    present = counts > 0
    total = z.var(axis=0) * len(labels)
    between = (counts[present, None] * (means[present] - z.mean(axis=0)) ** 2).sum(axis=0)
    varies = total > 0
    if not varies.any():
        return float("nan")
    return float(100.0 * np.mean(between[varies] / total[varies]))


def mean_class_median(medians: np.ndarray) -> float:
    """The mean of a layer's class medians of a = T(z) (``class_medians``: one per class and
    node; absent classes left out): how large its activation values are (Section 4.2.2,
    Figs. 4.9, 4.10)."""
    medians = np.asarray(medians, dtype=float)
    medians = medians[np.isfinite(medians)]
    return float(medians.mean()) if medians.size else float("nan")


def first_layer_above(per_layer, share: float = POLARISED_SHARE) -> float:
    """The first layer (1-based) whose value is above ``share`` (per layer, in order; e.g.
    ``class_polarised_pct``: where most of the node-class pairs are polarised, Section
    5.3.2); NaN when none is."""
    above = np.flatnonzero(np.asarray(per_layer, dtype=float) > share)
    return float(above[0] + 1) if above.size else float("nan")


def epoch_seed_se(values: np.ndarray) -> float:
    """How far seeds spread: per epoch the standard error of the mean over seeds (ddof=1),
    averaged over the epochs. ``values`` is [n_seeds, n_epochs] (e.g. validation accuracy
    per epoch: the error bars of the study's training curves, Section 3.4); epochs
    without a value for at least two seeds are left out."""
    values = np.asarray(values, dtype=float)
    n = np.isfinite(values).sum(axis=0)
    keep = n >= 2
    if not keep.any():
        return float("nan")
    se = np.nanstd(values[:, keep], axis=0, ddof=1) / np.sqrt(n[keep])
    return float(se.mean())


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the mean (ddof=1) over seeds; SE is 0 for one value."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0
    return float(values.mean()), float(se)
