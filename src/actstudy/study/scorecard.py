"""Did it reproduce? Our results beside each of the study's numbers, with a verdict.

``actstudy.study.measure`` reads our results into one long table (one value per network, seed, metric
and layer); ``score`` is a pure function of that table and the study's rows
(``actstudy.study.numbers``), and ``actstudy.study.checks`` checks the study's claims on the same table;
``actstudy.study.pages`` lays the pages out. The rule, fixed in
``workflow/study/numbers.yaml`` and docs/scorecard.md:

- ``agree``: |ours - study| <= max(sigma * sqrt(se_ours^2 + se_study^2), tolerance), where
  for a range ``ours - study`` is ours' distance outside it (0 inside);
- ``disagree``: otherwise;
- ``partly run``: ours has values for fewer of the network's seeds than it trained;
- ``protocol differs``: ours was trained with other epochs, seeds, learning rates, batch
  size or decay than the study (the note says which; ours and the difference still shown);
- ``not run``: the config trains no such network.

``z`` says how far: the difference over sqrt(se_ours^2 + se_study^2), the tolerance
standing in for the study's SE where it prints none.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from actstudy.metrics.activity import mean_se
from actstudy.study import checks
from actstudy.study.measure import measure
from actstudy.study.numbers import study_rows

VERDICTS = ("agree", "disagree", "partly run", "protocol differs", "not run")
COMPUTED = ("agree", "disagree", "partly run", "protocol differs")  # verdicts of rows with a value of ours


# -- numbers --------------------------------------------------------------------------------------


def _values(measured: pd.DataFrame, dataset: str, network: str, metric: str, layer=pd.NA) -> np.ndarray:
    mask = (measured["dataset"] == dataset) & (measured["network"] == network) & (measured["metric"] == metric)
    mask &= measured["layer"].isna() if pd.isna(layer) else (measured["layer"] == layer).fillna(False)
    return measured.loc[mask, "value"].to_numpy(dtype=float)


def allowed_difference(ours_se: float, study_se: float, tolerance: float, sigma: float) -> float:
    """The largest |ours - study| that still agrees: sigma combined standard errors, or
    the tolerance where that is larger."""
    return max(sigma * math.hypot(ours_se, study_se), tolerance)


def difference(ours: float, low: float, high: float) -> float:
    """Ours minus the study's value; for a range, ours' distance outside it (negative
    below it, positive above, 0 inside)."""
    if not np.isfinite(ours):
        return float("nan")
    if ours < low:
        return ours - low
    if ours > high:
        return ours - high
    return 0.0 if low != high else ours - low


def z_score(diff: float, ours_se: float, study_se: float, tolerance: float) -> float:
    """How far, in combined standard errors: diff / sqrt(se_ours^2 + se_study^2), with the
    tolerance in place of the study's SE where it prints none."""
    ours_se = ours_se if np.isfinite(ours_se) else 0.0
    scale = math.hypot(ours_se, study_se if study_se > 0 else tolerance)
    return diff / scale if scale > 0 else float("nan")


def _agrees(
    ours: float, ours_se: float, low: float, high: float, study_se: float, tolerance: float, sigma: float
) -> str:
    diff = difference(ours, low, high)
    return "agree" if abs(diff) <= allowed_difference(ours_se, study_se, tolerance, sigma) else "disagree"


def score(
    rows: pd.DataFrame, measured: pd.DataFrame, protocol: dict[tuple[str, str], str], sigma: float
) -> pd.DataFrame:
    """The scorecard: ``rows`` (``study.study_rows``) with ours (mean ± SE over seeds),
    the difference, the tolerance applied, the verdict and z. ``protocol`` maps every
    trained (dataset, network) to how its training differs from the study ('' if not). A
    row with values for fewer of its network's seeds than the network has is ``partly
    run``, never ``agree``; where the reading of a row changed after results existed, the
    verdict under the earlier reading is ``earlier_verdict``."""
    seeds = measured.groupby(["dataset", "network"])["seed"].nunique().to_dict()
    out = []
    for row in rows.to_dict("records"):
        key = (row["dataset"], row["network"])
        values = _values(measured, row["dataset"], row["network"], row["metric"], row["layer"])
        ours, ours_se = mean_se(values) if len(values) else (float("nan"), float("nan"))
        finite = values[np.isfinite(values)]
        diff = difference(ours, row["study_low"], row["study_high"])
        result = {
            **row,
            "ours": ours,
            "ours_se": ours_se,
            "n_seeds": int(finite.size),
            "difference": diff,
            "z": z_score(diff, ours_se, row["study_se"], row["tolerance"]),
            "earlier_verdict": "",
        }
        note = _join(row["note"], f"study inconsistent: {row['inconsistent']}" if row["inconsistent"] else "")
        if key not in protocol or finite.size == 0:
            why = "not trained by this config" if key not in protocol else "no finite value (every run diverged?)"
            result.update(verdict="not run", allowed=float("nan"), z=float("nan"), note=_join(note, why))
        else:
            result["allowed"] = allowed_difference(ours_se, row["study_se"], row["tolerance"], sigma)
            if protocol[key]:
                result.update(verdict="protocol differs", note=_join(note, protocol[key]))
            elif finite.size < seeds.get(key, 0):
                why = f"values for {finite.size} of the network's {seeds[key]} seeds"
                result.update(verdict="partly run", note=_join(note, why))
            else:
                verdict = _agrees(
                    ours, ours_se, row["study_low"], row["study_high"], row["study_se"], row["tolerance"], sigma
                )
                result.update(verdict=verdict, note=note)
                if row.get("earlier"):
                    result["earlier_verdict"] = _agrees(
                        ours,
                        ours_se,
                        row["earlier_low"],
                        row["earlier_high"],
                        row["earlier_se"],
                        row["earlier_tolerance"],
                        sigma,
                    )
        out.append(result)
    return pd.DataFrame(out)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def build(study: dict, plan: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard of a plan (``study.scorecard_plan``): the numbers and the claims."""
    protocol = {(item["dataset"], item["network"]): item["protocol"] for item in plan}
    measured = measure(plan)
    scores = score(study_rows(study), measured, protocol, study["verdict"]["sigma"])
    return scores, checks.run_checks(study["checks"], measured, protocol)
