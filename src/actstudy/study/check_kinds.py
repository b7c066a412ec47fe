"""The kinds of comparison a claim of the study makes (``kind`` in
``workflow/study/numbers.yaml``) over accuracies and node metrics (the layer classifiers'
kinds: ``actstudy.study.classifier_kinds``): each function turns our measured values
(``measure.measure``'s long table) for the trained networks of a claim into
``Comparison``s of two values that hold or not (a comparison with a value missing carries
NaN; ``actstudy.study.checks`` leaves it out and names the networks that lack it).

Pure functions of the measured table: no files are read here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import pandas as pd

from actstudy.core.activations import get as activation
from actstudy.core.config import Architecture
from actstudy.metrics.activity import POLARISED_SHARE, mean_se

# The kinds of comparison defined here (``actstudy.study.checks.CHECK_KINDS`` maps each to its function).
CHECK_KINDS = ("compare", "gap", "trend", "bound", "layers", "polarised", "band", "best", "trained")
TIE = 1e-4  # values closer than this (in points) are equal: float rounding, not a difference


def above(left: float, right: float) -> bool:
    """``left`` higher than ``right`` by more than rounding (``TIE``)."""
    return left - right > TIE


class Comparison(NamedTuple):
    """One comparison a claim makes: ``left`` is claimed to stand as the claim says
    against ``right`` (e.g. ReLU's sparsity above sigmoid's)."""

    what: str  # the networks (and layer) compared, e.g. "mnist 4x200, layer 3"
    left_label: str
    left: float
    right_label: str
    right: float
    holds: bool

    def text(self) -> str:
        mark = "" if self.holds else " ✗"
        digits = 2 if f"{self.left:.2f}" != f"{self.right:.2f}" else 4  # close values: enough digits to tell
        return (
            f"{self.what}: {self.left_label} {self.left:.{digits}f} vs {self.right_label} {self.right:.{digits}f}{mark}"
        )


# -- reading the measured table --------------------------------------------------------------


def value(measured: pd.DataFrame, arch: Architecture, metric: str, layer=pd.NA) -> float:
    """Mean over seeds of one metric of one network (per layer, or for the network when
    ``layer`` is NA); NaN when not measured."""
    mask = (measured["dataset"] == arch.dataset) & (measured["network"] == arch.name) & (measured["metric"] == metric)
    mask &= measured["layer"].isna() if pd.isna(layer) else (measured["layer"] == layer).fillna(False)
    values = measured.loc[mask, "value"].to_numpy(dtype=float)
    return mean_se(values)[0] if len(values) else float("nan")


def _side(arch: Architecture, attribute: str) -> str:
    """How a network differs on ``attribute``, for the details: 'ReLU', 'BN', '800 wide'."""
    v = getattr(arch, attribute)
    return {
        "activation": lambda: activation(v).label,
        "batch_norm": lambda: "BN" if v else "no BN",
        "width": lambda: f"{v} wide",
        "depth": lambda: f"{v} layers",
        "dataset": lambda: v,
    }[attribute]()


def _shared(arch: Architecture, *varied: str) -> str:
    """The network's description without the attributes a comparison varies."""
    parts = [] if "dataset" in varied else [arch.dataset]
    shape = {"depth": f"depth {arch.depth}", "width": f"width {arch.width}"}
    if "depth" in varied or "width" in varied:
        parts += [shape[k] for k in ("depth", "width") if k not in varied]
    else:
        parts.append(f"{arch.depth}x{arch.width}")
    if "activation" not in varied:
        parts.append(activation(arch.activation).label)
    if "batch_norm" not in varied:
        parts.append("BN" if arch.batch_norm else "no BN")
    return " ".join(parts)


def _pairs(archs: list[Architecture], attribute: str, first) -> Iterator[tuple[Architecture, Architecture]]:
    """Pairs of trained networks that differ only in ``attribute``, the first of each pair
    the one ``first`` names: a value (``relu``, ``true``) or ``larger`` / ``smaller``."""
    trained = set(archs)
    for a in archs:
        for b in archs:
            if a == b or b != dataclasses.replace(a, **{attribute: getattr(b, attribute)}) or b not in trained:
                continue
            x, y = getattr(a, attribute), getattr(b, attribute)
            if first == "larger":
                keep = x > y
            elif first == "smaller":
                keep = x < y
            else:
                keep = x == first and y != first
            if keep:
                yield a, b


def _layer(arch: Architecture, which) -> int:
    return {"first": 1, "last": arch.depth}.get(which, which)


# -- the kinds of comparison -------------------------------------------------------------------


def compare(archs, measured, check) -> list[Comparison]:
    """``metrics`` higher in the network whose ``vary`` attribute is ``higher`` than in its
    twin (per layer where ``per_layer``, from ``from_layer``)."""
    out = []
    vary = check["vary"]
    for a, b in _pairs(archs, vary, check["higher"]):
        layers = range(check.get("from_layer", 1), a.depth + 1) if check.get("per_layer") else [pd.NA]
        for metric in check["metrics"]:
            for layer in layers:
                left, right = value(measured, a, metric, layer), value(measured, b, metric, layer)
                where = _shared(a, vary) + ("" if pd.isna(layer) else f", layer {layer}")
                name = "" if len(check["metrics"]) == 1 else f" {metric}"
                out.append(Comparison(where + name, _side(a, vary), left, _side(b, vary), right, above(left, right)))
    return out


def _twin(arch: Architecture, attribute: str, other) -> Architecture:
    return dataclasses.replace(arch, **{attribute: other})


def _gap(measured, arch: Architecture, metric: str, absolute: bool, between: str, other) -> float:
    gap = value(measured, arch, metric) - value(measured, _twin(arch, between, other), metric)
    return abs(gap) if absolute else gap


def gap(archs, measured, check) -> list[Comparison]:
    """The ``leading`` side of ``between`` minus its twin in ``metric`` (by default ReLU
    minus sigmoid; ``absolute``: its size) larger where ``vary`` is ``larger_at`` than in
    the twin network."""
    between, leading = check.get("between", "activation"), check.get("leading", "relu")
    others = {getattr(a, between) for a in archs} - {leading}
    if len(others) != 1:
        return []
    other, trained = others.pop(), set(archs)
    firsts = [a for a in archs if getattr(a, between) == leading and _twin(a, between, other) in trained]
    if not firsts:
        return []
    sides = f"{_side(firsts[0], between)} - {_side(_twin(firsts[0], between, other), between)}"
    kind = f"|{sides}|" if check.get("absolute") else sides
    out = []
    for a, b in _pairs(firsts, check["vary"], check["larger_at"]):
        left, right = (_gap(measured, x, check["metric"], check.get("absolute", False), between, other) for x in (a, b))
        what = f"{_shared(a, check['vary'], between)} {check['metric']} {kind}"
        out.append(Comparison(what, _side(a, check["vary"]), left, _side(b, check["vary"]), right, above(left, right)))
    return out


def trend(archs, measured, check) -> list[Comparison]:
    """``metric`` rising (``increasing``) or falling with depth, between consecutive trained
    depths of otherwise equal networks."""
    out = []
    groups: dict[Architecture, list[Architecture]] = {}
    for arch in archs:
        groups.setdefault(dataclasses.replace(arch, depth=1), []).append(arch)
    for nets in groups.values():
        nets = sorted(nets, key=lambda a: a.depth)
        for shallow, deep in zip(nets, nets[1:]):
            left, right = value(measured, deep, check["metric"]), value(measured, shallow, check["metric"])
            holds = above(left, right) if check["direction"] == "increasing" else above(right, left)
            out.append(
                Comparison(_shared(deep, "depth"), _side(deep, "depth"), left, _side(shallow, "depth"), right, holds)
            )
    return out


def bound(archs, measured, check) -> list[Comparison]:
    """``metric`` at least ``at_least`` (or above ``above``, or at most ``at_most``), per
    layer from ``from_layer`` where ``per_layer``."""
    out = []
    key = next(k for k in ("at_least", "above", "at_most") if k in check)
    limit = check[key]
    for arch in archs:
        layers = range(check.get("from_layer", 1), arch.depth + 1) if check.get("per_layer") else [pd.NA]
        for layer in layers:
            v = value(measured, arch, check["metric"], layer)
            holds = {"at_least": v >= limit, "above": above(v, limit), "at_most": v <= limit}[key]
            where = _shared(arch) + ("" if pd.isna(layer) else f", layer {layer}")
            out.append(Comparison(where, check["metric"], v, "bound", limit, holds))
    return out


def layers(archs, measured, check) -> list[Comparison]:
    """Per network: ``metric`` in its ``higher`` layer (``last``) above that in its ``lower``
    layer (``first``), or at least that of every ``others`` layer (networks where the
    metric is 0 in every layer say nothing either way and are left out)."""
    out = []
    for arch in archs:
        per_layer = [value(measured, arch, check["metric"], layer) for layer in range(1, arch.depth + 1)]
        top = _layer(arch, check["higher"])
        left = per_layer[top - 1]
        if check["lower"] == "others":
            rest = [v for i, v in enumerate(per_layer, 1) if i != top]
            if not rest or np.nansum(np.abs(per_layer)) == 0:
                continue
            right, label = float(np.max(rest)), "largest other layer"
            holds = left >= right
        else:
            low = _layer(arch, check["lower"])
            right, label, holds = per_layer[low - 1], f"layer {low}", above(left, per_layer[low - 1])
        out.append(Comparison(f"{_shared(arch)} {check['metric']}", f"layer {top}", left, label, right, holds))
    return out


def polarised(archs, measured, check) -> list[Comparison]:
    """Per network, each layer of its later half: more than half of its node-class pairs
    polarised (``class_polarised_pct``: activity for the class near 0 % or 100 %), and
    more than in layer 1."""
    out = []
    for arch in archs:
        first = value(measured, arch, "class_polarised_pct", 1)
        for layer in range(arch.depth // 2 + 1, arch.depth + 1):
            v = value(measured, arch, "class_polarised_pct", layer)
            where = f"{_shared(arch)}, layer {layer} node-class pairs polarised (%)"
            out.append(Comparison(where, f"layer {layer}", v, "half", POLARISED_SHARE, above(v, POLARISED_SHARE)))
            out.append(Comparison(where, f"layer {layer}", v, "layer 1", first, above(v, first)))
    return out


def band(archs, measured, check) -> list[Comparison]:
    """Per network: ``metric`` lower (``lowest``) or higher (``highest``) in each of the
    ``layers`` than in every other layer: the band's largest value against the others'
    smallest (or the other way round)."""
    out = []
    lowest = check["direction"] == "lowest"
    for arch in archs:
        per_layer = {layer: value(measured, arch, check["metric"], layer) for layer in range(1, arch.depth + 1)}
        inside = np.array([per_layer[layer] for layer in check["layers"]])
        outside = np.array([v for layer, v in per_layer.items() if layer not in check["layers"]])
        if lowest:
            left, right, labels = inside.max(), outside.min(), ("highest in band", "lowest elsewhere")
        else:
            left, right, labels = inside.min(), outside.max(), ("lowest in band", "highest elsewhere")
        band_name = f"layers {check['layers'][0]}-{check['layers'][-1]}"
        holds = above(right, left) if lowest else above(left, right)
        out.append(
            Comparison(f"{_shared(arch)} {check['metric']}, {band_name}", labels[0], left, labels[1], right, holds)
        )
    return out


def _matches(arch: Architecture, expect: dict) -> bool:
    """The network has every attribute of ``expect`` (a value, or one of a list)."""
    return all(getattr(arch, k) in (v if isinstance(v, list) else [v]) for k, v in expect.items())


def best(archs, measured, check) -> list[Comparison]:
    """Per dataset: the best ``metric`` among the networks with every attribute of
    ``expect`` above the best among the others (the argmax over the trained networks
    has those attributes); with ``each``, every such network above the best of the
    others (the lowest of them against it)."""
    out = []
    for dataset in dict.fromkeys(a.dataset for a in archs):
        nets = [a for a in archs if a.dataset == dataset]
        expected = [a for a in nets if _matches(a, check["expect"])]
        others = [a for a in nets if a not in expected]
        if not expected or not others:
            continue
        mine = [value(measured, a, check["metric"]) for a in expected]
        left = float(np.min(mine) if check.get("each") else np.max(mine))
        right = float(np.max([value(measured, a, check["metric"]) for a in others]))
        wanted = ", ".join(f"{k} {v}" for k, v in check["expect"].items())
        label = f"{'lowest' if check.get('each') else 'best'} with {wanted}"
        out.append(Comparison(f"{dataset} {check['metric']}", label, left, "best other", right, above(left, right)))
    return out


def trained(archs, measured, check) -> list[Comparison]:
    """Per network: ``metric`` of the trained net above that of the untrained net (its
    ``<metric>_init``), over the network (per layer where ``per_layer``)."""
    out = []
    for arch in archs:
        for layer in range(1, arch.depth + 1) if check.get("per_layer") else [pd.NA]:
            left = value(measured, arch, check["metric"], layer)
            right = value(measured, arch, f"{check['metric']}_init", layer)
            where = f"{_shared(arch)} {check['metric']}" + ("" if pd.isna(layer) else f", layer {layer}")
            out.append(Comparison(where, "trained", left, "untrained", right, above(left, right)))
    return out
