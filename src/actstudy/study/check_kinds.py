"""The study's qualitative claims, checked on our results.

Each claim in ``workflow/study/numbers.yaml`` names a ``kind`` of comparison and its
settings; the function of that kind turns our measured values (``scorecard.measure``'s long
table) into comparisons, each a ``Comparison`` of two values that holds or not. A claim
holds when every comparison does (``quantifier: most``: more than half), fails otherwise,
and is not run when no comparison could be made (a network it needs is not trained).
docs/claims.md says where the study makes each claim and how it is read.

Pure functions of the measured table: no files are read here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import pandas as pd

from actstudy.core.activations import get as activation
from actstudy.core.config import Architecture
from actstudy.metrics.activity import mean_se
from actstudy.study.numbers import networks_of

CHECK_VERDICTS = ("holds", "fails", "not run")
CHECK_COLUMNS = ["check", "source", "claim", "verdict", "comparisons", "failed", "details", "inconsistent",
                 "protocol"]  # fmt: skip
POLARISED_SHARE = 50.0  # "most nodes": more than this % of a layer's nodes (later_layers_polarised)
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
        return (f"{self.what}: {self.left_label} {self.left:.{digits}f} vs {self.right_label} "
                f"{self.right:.{digits}f}{mark}")  # fmt: skip


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
    return {"activation": lambda: activation(v).label, "batch_norm": lambda: "BN" if v else "no BN",
            "width": lambda: f"{v} wide", "depth": lambda: f"{v} layers"}[attribute]()  # fmt: skip


def _shared(arch: Architecture, *varied: str) -> str:
    """The network's description without the attributes a comparison varies."""
    parts = [arch.dataset]
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
    twin (per layer where ``per_layer``)."""
    out = []
    vary = check["vary"]
    for a, b in _pairs(archs, vary, check["higher"]):
        layers = range(1, a.depth + 1) if check.get("per_layer") else [pd.NA]
        for metric in check["metrics"]:
            for layer in layers:
                left, right = value(measured, a, metric, layer), value(measured, b, metric, layer)
                where = _shared(a, vary) + ("" if pd.isna(layer) else f", layer {layer}")
                name = "" if len(check["metrics"]) == 1 else f" {metric}"
                out.append(Comparison(where + name, _side(a, vary), left, _side(b, vary), right, above(left, right)))
    return out


def _gap(measured, relu: Architecture, metric: str, absolute: bool) -> float:
    gap = value(measured, relu, metric) - value(measured, dataclasses.replace(relu, activation="sigmoid"), metric)
    return abs(gap) if absolute else gap


def gap(archs, measured, check) -> list[Comparison]:
    """ReLU minus sigmoid in ``metric`` (``absolute``: its size) larger where ``vary`` is
    ``larger_at`` than in the twin network."""
    out = []
    trained = set(archs)
    relus = [a for a in archs if a.activation == "relu" and dataclasses.replace(a, activation="sigmoid") in trained]
    kind = "|ReLU - sigmoid|" if check.get("absolute") else "ReLU - sigmoid"
    for a, b in _pairs(relus, check["vary"], check["larger_at"]):
        left, right = (_gap(measured, x, check["metric"], check.get("absolute", False)) for x in (a, b))
        what = f"{_shared(a, check['vary'], 'activation')} {check['metric']} {kind}"
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
            out.append(Comparison(_shared(deep, "depth"), _side(deep, "depth"), left, _side(shallow, "depth"),
                                  right, holds))  # fmt: skip
    return out


def bound(archs, measured, check) -> list[Comparison]:
    """``metric`` at least ``at_least`` (or above ``above``), per layer from ``from_layer``
    where ``per_layer``."""
    out = []
    limit = check.get("at_least", check.get("above"))
    for arch in archs:
        layers = range(check.get("from_layer", 1), arch.depth + 1) if check.get("per_layer") else [pd.NA]
        for layer in layers:
            v = value(measured, arch, check["metric"], layer)
            holds = v >= limit if "at_least" in check else above(v, limit)
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


def reach_network(archs, measured, check) -> list[Comparison]:
    """In the last hidden layer, each system's test accuracy at least the network's own
    test accuracy minus ``tolerance`` points."""
    out = []
    tolerance = check["tolerance"]
    for arch in archs:
        rows = measured[(measured["dataset"] == arch.dataset) & (measured["network"] == arch.name)]
        floor = value(measured, arch, "network_acc") - tolerance
        for metric in sorted(m for m in rows["metric"].unique() if m.startswith("layer_acc:")):
            acc = value(measured, arch, metric, arch.depth)
            out.append(Comparison(f"{_shared(arch)}, last hidden layer ({arch.depth}), test", metric.split(":")[1],
                                  acc, f"network - {tolerance:g}", floor, acc >= floor))  # fmt: skip
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
            out.append(Comparison(f"{_shared(arch)}, layer {layer}, test", check["higher"], left, lower, right,
                                  above(left, right)))  # fmt: skip
    return out


def peak(archs, measured, check) -> list[Comparison]:
    """Each of ``systems``: its best test accuracy over the layers before the last above
    its accuracy in the last hidden layer (it peaks, then drops)."""
    out = []
    for arch in archs:
        for system in check["systems"]:
            per_layer = [value(measured, arch, f"layer_acc:{system}", layer) for layer in range(1, arch.depth + 1)]
            earlier = [v for v in per_layer[:-1] if np.isfinite(v)]
            if not earlier:
                continue
            best = max(earlier)
            layer = per_layer.index(best) + 1
            out.append(Comparison(f"{_shared(arch)} {system}, test", f"layer {layer} (best before last)", best,
                                  f"layer {arch.depth}", per_layer[-1], above(best, per_layer[-1])))  # fmt: skip
    return out


KINDS: dict[str, Callable[..., list[Comparison]]] = {
    "compare": compare, "gap": gap, "trend": trend, "bound": bound, "layers": layers, "polarised": polarised,
    "reach_network": reach_network, "systems": systems, "peak": peak,
}  # fmt: skip


def verdict(comparisons: list[Comparison], quantifier: str = "all") -> str:
    if not comparisons:
        return "not run"
    held = sum(c.holds for c in comparisons)
    return "holds" if (held == len(comparisons) if quantifier == "all" else held > len(comparisons) / 2) else "fails"


def run_checks(checks: list[dict], measured: pd.DataFrame, protocol: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per claim: holds / fails / not run, how many comparisons were made and
    failed, each comparison in words, the study's own contradiction where it has one,
    and how the networks' training differs from the study's protocol."""
    out = []
    for check in checks:
        archs = [a for a in networks_of(check["networks"]) if (a.dataset, a.name) in protocol]
        made = [c for c in KINDS[check["kind"]](archs, measured, check) if np.isfinite(c.left) and np.isfinite(c.right)]
        quantifier = check.get("quantifier", "all")
        differing = sorted({protocol[(a.dataset, a.name)] for a in archs if protocol[(a.dataset, a.name)]})
        details = "; ".join(c.text() for c in made) or (
            "the trained networks lack the values it compares (results written before they were computed?)"
            if archs else "no network it compares is trained by this config")  # fmt: skip
        out.append({"check": check["id"], "source": check["source"], "claim": check["claim"],
                    "verdict": verdict(made, quantifier), "comparisons": len(made),
                    "failed": sum(not c.holds for c in made), "details": details,
                    "inconsistent": check.get("inconsistent", ""), "protocol": "; ".join(differing)})  # fmt: skip
    return pd.DataFrame(out, columns=CHECK_COLUMNS)
