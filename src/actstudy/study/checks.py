"""The study's qualitative claims, checked on our results, over every network they name.

Each claim in ``workflow/study/numbers.yaml`` names a ``kind`` of comparison
(``actstudy.study.check_kinds``), its settings and its scope (``networks``). A claim:

- ``holds`` when every comparison holds (``quantifier: most``: more than half), and every
  network of its scope was compared;
- ``fails`` when that is not so, over the whole scope; or, for a claim about every network,
  as soon as one comparison fails, whatever is missing (a counterexample is enough);
- ``partly run`` when part of its scope is missing and what was compared does not decide
  it: never ``holds`` on a subset. The details name the missing networks and why (not
  trained by this config, or trained but without a value the claim reads);
- ``not run`` when no comparison could be made.

docs/claims.md says where the study makes each claim and how it is read. Pure functions of
the measured table: no files are read here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from actstudy.core.config import Architecture
from actstudy.study import check_kinds, classifier_kinds
from actstudy.study.check_kinds import Comparison
from actstudy.study.numbers import networks_of
from actstudy.study.plan import DIFFERENCES_JOINED_BY, STATE_MARK, at_state, check_metrics

CHECK_VERDICTS = ("holds", "fails", "partly run", "not run")
# Each ``kind`` of numbers.yaml and its function.
CHECK_KINDS: dict[str, Callable[..., list[Comparison]]] = {
    **{k: getattr(check_kinds, k) for k in check_kinds.CHECK_KINDS},
    **{k: getattr(classifier_kinds, k) for k in classifier_kinds.CHECK_KINDS},
}
CHECK_COLUMNS = ["check", "source", "claim", "verdict", "comparisons", "failed", "details", "inconsistent", "protocol"]


def read_metrics(check: dict) -> list[str]:
    """The metrics a claim reads of every network in its scope; a name ending in ':' stands
    for every metric it begins (``layer_acc:``: each layer classifier)."""
    kind = check["kind"]
    if kind == "polarised":
        return ["class_polarised_pct"]
    if kind == "reach_network":
        prefix, network = classifier_kinds.SPLIT_METRICS[check.get("split", "test")]
        return [network, f"{prefix}:"]
    if kind == "converge":
        return ["network_acc", "layer_acc:"]
    if kind == "systems":
        return [f"layer_acc:{system}" for system in [check["higher"], *check["lower"]]]
    if kind in ("peak", "drop"):
        return [f"layer_acc:{system}" for system in check["systems"]]
    if kind in ("gain", "dip"):  # the final model and each of the claim's states
        finals = [f"layer_acc:{system}" for system in check["systems"]]
        return finals + [at_state(metric, state) for state in check["states"] for metric in finals]
    return check_metrics(check)


def measured_metrics(measured: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
    """Per (dataset, network), the metrics it has a finite value of."""
    finite = measured[np.isfinite(measured["value"].to_numpy(dtype=float))]
    return {key: set(group) for key, group in finite.groupby(["dataset", "network"])["metric"]}


def _has(present: set[str], metric: str) -> bool:
    """Whether ``present`` holds ``metric``, or a metric it begins (a name ending in ':';
    at the analysed state, not at a claim's other ``states``)."""
    if metric.endswith(":"):
        return any(m.startswith(metric) and STATE_MARK not in m for m in present)
    return metric in present


def missing_networks(
    scope: list[Architecture],
    present: dict[tuple[str, str], set[str]],
    protocol: dict[tuple[str, str], str],
    metrics: list[str],
) -> dict[str, list[Architecture]]:
    """The networks of a claim's scope it cannot compare, by reason: not trained by this
    config, or trained without a value of a metric it reads (``present``: ``measured_metrics``)."""
    missing: dict[str, list[Architecture]] = {}
    for arch in scope:
        if (arch.dataset, arch.name) not in protocol:
            missing.setdefault("not trained by this config", []).append(arch)
            continue
        lacking = [m for m in metrics if not _has(present.get((arch.dataset, arch.name), set()), m)]
        if lacking:
            why = "trained, without " + " or ".join(m.rstrip(":") for m in lacking)
            if any(STATE_MARK in m for m in lacking):
                why += " (a state its config keeps no snapshot of: training.snapshot_epochs)"
            missing.setdefault(why, []).append(arch)
    return missing


def describe_missing(missing: dict[str, list[Architecture]], n_scope: int) -> str:
    """'not compared: 2 of 6 networks (not trained by this config: mnist d8_w200_bn0_relu, ...)'."""
    n = sum(len(archs) for archs in missing.values())
    if not n:
        return ""
    parts = [f"{why}: {name_networks(archs)}" for why, archs in missing.items()]
    return f"not compared: {n} of {n_scope} networks ({'; '.join(parts)})"


def name_networks(archs: list[Architecture]) -> str:
    """'mnist d8_w200_bn0_relu, d8_w200_bn1_relu; fmnist d4_w200_bn0_relu'."""
    by_dataset: dict[str, list[str]] = {}
    for arch in archs:
        by_dataset.setdefault(arch.dataset, []).append(arch.name)
    return "; ".join(f"{dataset} {', '.join(names)}" for dataset, names in by_dataset.items())


def describe_protocol(archs: list[Architecture], protocol: dict[tuple[str, str], str]) -> str:
    """How the training of a claim's networks differs from the study's protocol, one
    difference at a time with the networks it concerns, in the order of the differences'
    text: '30 epochs (study 300): mnist d4_w200_bn0_relu, d4_w200_bn0_sigmoid. 2 seeds
    (study 3): mnist d4_w200_bn0_relu'. The networks not named follow the protocol ('' when
    all do). ``protocol`` holds every network of ``archs`` (its differences joined as
    ``plan.protocol_differences`` joins them)."""
    by_difference: dict[str, list[Architecture]] = {}
    for arch in archs:
        for difference in filter(None, protocol[(arch.dataset, arch.name)].split(DIFFERENCES_JOINED_BY)):
            by_difference.setdefault(difference, []).append(arch)
    return ". ".join(f"{difference}: {name_networks(nets)}" for difference, nets in sorted(by_difference.items()))


def verdict(comparisons: list[Comparison], quantifier: str = "all", complete: bool = True) -> str:
    """The claim's verdict from the comparisons made; ``complete``: every network of its
    scope was compared."""
    if not comparisons:
        return "not run"
    failed = sum(not c.holds for c in comparisons)
    if not complete:
        return "fails" if quantifier == "all" and failed else "partly run"
    held = len(comparisons) - failed
    return "holds" if (failed == 0 if quantifier == "all" else held > len(comparisons) / 2) else "fails"


def run_checks(checks: list[dict], measured: pd.DataFrame, protocol: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per claim: its verdict, how many comparisons were made and failed, each
    comparison in words and the networks of its scope not compared, the study's own
    contradiction where it has one, and how the networks' training differs from the
    study's protocol."""
    out, present = [], measured_metrics(measured)
    for check in checks:
        scope = networks_of(check["networks"])
        archs = [a for a in scope if (a.dataset, a.name) in protocol]
        compared = CHECK_KINDS[check["kind"]](archs, measured, check)
        made = [c for c in compared if np.isfinite(c.left) and np.isfinite(c.right)]
        missing = missing_networks(scope, present, protocol, read_metrics(check))
        details = "; ".join(c.text() for c in made) if archs else "no network it compares is trained by this config"
        if archs and missing:
            details = ". ".join(part for part in (details, describe_missing(missing, len(scope))) if part)
        complete = not missing
        out.append(
            {
                "check": check["id"],
                "source": check["source"],
                "claim": check["claim"],
                "verdict": verdict(made, check.get("quantifier", "all"), complete),
                "comparisons": len(made),
                "failed": sum(not c.holds for c in made),
                "details": details,
                "inconsistent": check.get("inconsistent", ""),
                "protocol": describe_protocol(archs, protocol),
            }
        )
    return pd.DataFrame(out, columns=CHECK_COLUMNS)
