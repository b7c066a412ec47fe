"""The kinds of comparison the study's Chapter 6 claims make, over the layer classifiers'
test accuracies (``layer_acc:<system>`` per layer, ``network_acc``): as
``actstudy.study.check_kinds``, pure functions of the measured table.
"""

from __future__ import annotations

import numpy as np

from actstudy.study.check_kinds import Comparison, _layer, _shared, above, value


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
