"""The kinds of comparison the study's Chapter 6 claims make, over the layer classifiers'
accuracies (``layer_acc:<system>`` per layer on the test set, ``layer_train_acc:<system>``
on the training set, ``network_acc`` and ``network_train_acc``; at a claim's ``states``
during training, ``layer_acc:<system>@<state>``): as ``actstudy.study.check_kinds``, pure
functions of the measured table. The final model is the analysed state (``analysis.state``).
"""

from __future__ import annotations

import numpy as np

from actstudy.study.check_kinds import Comparison, _layer, _pairs, _shared, _side, above, value
from actstudy.study.plan import STATE_MARK, at_state

# The kinds of comparison defined here (``actstudy.study.checks.CHECK_KINDS`` maps each to its function).
CHECK_KINDS = ("reach_network", "systems", "peak", "drop", "converge", "gain", "dip")
# The metrics of each split: (per layer and system, the network's own).
SPLIT_METRICS = {"test": ("layer_acc", "network_acc"), "train": ("layer_train_acc", "network_train_acc")}


def _systems(measured, arch, prefix: str = "layer_acc") -> list[str]:
    rows = measured[(measured["dataset"] == arch.dataset) & (measured["network"] == arch.name)]
    metrics = [m for m in rows["metric"].unique() if m.startswith(f"{prefix}:") and STATE_MARK not in m]
    return sorted(m.split(":")[1] for m in metrics)


def _against_network(acc: float, network: float, relation: str, tolerance: float) -> tuple[str, float, bool]:
    """(label, value, holds) of a system's accuracy against the network's: ``within``
    ``tolerance`` points below it or higher, ``short`` of that floor, ``not_above`` it, or
    ``equal`` to it within ``tolerance``."""
    floor = network - tolerance
    return {
        "within": (f"network - {tolerance:g}", floor, acc >= floor),
        "short": (f"network - {tolerance:g}", floor, above(floor, acc)),
        "not_above": ("network", network, not above(acc, network)),
        "equal": (f"network ± {tolerance:g}", network, abs(acc - network) <= tolerance),
    }[relation]


def reach_network(archs, measured, check) -> list[Comparison]:
    """Each system's accuracy on ``split`` (test) against the network's own on it, as
    ``relation`` says (``_against_network``; ``within`` ``tolerance`` by default): in the
    last hidden layer, or (``layer: before_last``) its best layer before the last."""
    out = []
    split, relation = check.get("split", "test"), check.get("relation", "within")
    prefix, network_metric = SPLIT_METRICS[split]
    for arch in archs:
        network = value(measured, arch, network_metric)
        for system in _systems(measured, arch, prefix):
            if check.get("layer", "last") == "last":
                acc = value(measured, arch, f"{prefix}:{system}", arch.depth)
                where = f"{_shared(arch)}, last hidden layer ({arch.depth}), {split}"
            else:
                earlier = [value(measured, arch, f"{prefix}:{system}", layer) for layer in range(1, arch.depth)]
                if not np.isfinite(earlier).any():
                    continue
                acc = float(np.nanmax(earlier))
                where = f"{_shared(arch)}, best layer before the last ({int(np.nanargmax(earlier)) + 1}), {split}"
            label, right, holds = _against_network(acc, network, relation, check.get("tolerance", 0.0))
            out.append(Comparison(where, system, acc, label, right, holds))
    return out


def systems(archs, measured, check) -> list[Comparison]:
    """In the ``layer`` (first or last) of each network, the ``higher`` system's test
    accuracy above each ``lower`` system's."""
    out = []
    for arch in archs:
        layer = _layer(arch, check["layer"])
        left = value(measured, arch, f"layer_acc:{check['higher']}", layer)
        for lower in check["lower"]:
            right = value(measured, arch, f"layer_acc:{lower}", layer)
            out.append(
                Comparison(
                    f"{_shared(arch)}, layer {layer}, test", check["higher"], left, lower, right, above(left, right)
                )
            )
    return out


def _per_layer(measured, arch, system: str) -> list[float]:
    return [value(measured, arch, f"layer_acc:{system}", layer) for layer in range(1, arch.depth + 1)]


def peak(archs, measured, check) -> list[Comparison]:
    """Each of ``systems``: its best test accuracy over the layers before the last above
    its accuracy in the last hidden layer (it peaks, then drops)."""
    out = []
    for arch in archs:
        for system in check["systems"]:
            per_layer = _per_layer(measured, arch, system)
            earlier = [v for v in per_layer[:-1] if np.isfinite(v)]
            if not earlier:
                continue
            best = max(earlier)
            layer = per_layer.index(best) + 1
            out.append(
                Comparison(
                    f"{_shared(arch)} {system}, test",
                    f"layer {layer} (best before last)",
                    best,
                    f"layer {arch.depth}",
                    per_layer[-1],
                    above(best, per_layer[-1]),
                )
            )
    return out


def _drop(measured, arch, system: str) -> float:
    """Points by which a system's test accuracy in the last hidden layer lies below its
    best over the layers before it (``peak``'s two values; negative where it rises)."""
    per_layer = _per_layer(measured, arch, system)
    return float(np.nanmax(per_layer[:-1]) - per_layer[-1]) if np.isfinite(per_layer[:-1]).any() else np.nan


def drop(archs, measured, check) -> list[Comparison]:
    """Each of ``systems``: its drop after the peak (``_drop``) larger in the network whose
    ``vary`` attribute is ``higher`` than in its twin."""
    out = []
    for a, b in _pairs(archs, check["vary"], check["higher"]):
        for system in check["systems"]:
            left, right = _drop(measured, a, system), _drop(measured, b, system)
            where = f"{_shared(a, check['vary'])} {system} drop after the peak, test"
            sides = _side(a, check["vary"]), _side(b, check["vary"])
            out.append(Comparison(where, sides[0], left, sides[1], right, above(left, right)))
    return out


def _converged_at(measured, arch, tolerance: float) -> float:
    """The first layer where every system's test accuracy is within ``tolerance`` points
    of the network's; the depth + 1 where none is."""
    floor = value(measured, arch, "network_acc") - tolerance
    names = _systems(measured, arch)
    if not names or not np.isfinite(floor):
        return np.nan
    for layer in range(1, arch.depth + 1):
        accs = [value(measured, arch, f"layer_acc:{system}", layer) for system in names]
        if all(acc >= floor for acc in accs):
            return float(layer)
    return float(arch.depth + 1)


def converge(archs, measured, check) -> list[Comparison]:
    """The layer where the systems converge (``_converged_at``: all within ``tolerance``
    of the network) earlier in the network whose ``vary`` attribute is ``higher`` than in
    its twin."""
    out = []
    for a, b in _pairs(archs, check["vary"], check["higher"]):
        left, right = (_converged_at(measured, x, check["tolerance"]) for x in (a, b))
        within = f"first layer with every system within {check['tolerance']:g} of the network"
        where = f"{_shared(a, check['vary'])}, {within}"
        out.append(Comparison(where, _side(a, check["vary"]), left, _side(b, check["vary"]), right, above(right, left)))
    return out


def _whole(comparisons: list[Comparison]) -> list[Comparison]:
    """A network's comparisons, or none where a value is missing (a state its config keeps
    no snapshot of): the network is then not compared, and the claim names it."""
    return comparisons if all(np.isfinite([c.left, c.right]).all() for c in comparisons) else []


def _gain(measured, arch, system: str, since: str, layer: int) -> float:
    """Points a system's test accuracy in ``layer`` gained from the ``since`` state to the final model."""
    metric = f"layer_acc:{system}"
    return value(measured, arch, metric, layer) - value(measured, arch, at_state(metric, since), layer)


def gain(archs, measured, check) -> list[Comparison]:
    """Per network and each of ``systems``: its test-accuracy gain from each of the
    ``states`` to the final model (``_gain``) in each layer from ``from_layer`` (the last
    hidden layer by default) larger than its gain in layer 1."""
    out = []
    for arch in archs:
        made = []
        for since in check["states"]:
            for system in check["systems"]:
                first = _gain(measured, arch, system, since, 1)
                where = f"{_shared(arch)} {system}, test accuracy gained from {since} to the final model"
                for layer in range(check.get("from_layer", arch.depth), arch.depth + 1):
                    gained = _gain(measured, arch, system, since, layer)
                    made.append(Comparison(where, f"layer {layer}", gained, "layer 1", first, above(gained, first)))
        out += _whole(made)
    return out


def _last_two(measured, arch, metric: str) -> tuple[float, float]:
    """A metric in the layer before the last hidden layer and in the last."""
    return value(measured, arch, metric, arch.depth - 1), value(measured, arch, metric, arch.depth)


def dip(archs, measured, check) -> list[Comparison]:
    """Per network and each of ``systems``: its test accuracy in the last hidden layer below
    that in the layer before at each of the ``states``, and not below it in the final model."""
    out = []
    for arch in archs:
        made, before, last = [], f"layer {arch.depth - 1}", f"layer {arch.depth}"
        for system in check["systems"]:
            metric = f"layer_acc:{system}"
            for state in check["states"]:
                left, right = _last_two(measured, arch, at_state(metric, state))
                where = f"{_shared(arch)} {system}, test, {state}"
                made.append(Comparison(where, before, left, last, right, above(left, right)))
            left, right = _last_two(measured, arch, metric)
            where = f"{_shared(arch)} {system}, test, final model"
            made.append(Comparison(where, last, right, before, left, not above(left, right)))
        out += _whole(made)
    return out
