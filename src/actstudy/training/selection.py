"""Learning-rate selection: per architecture, the best mean validation accuracy over seeds."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the extraction job reads a selection without pandas (0.3 s to import)
    import pandas as pd


def select_learning_rate(summary: pd.DataFrame) -> dict:
    """Pick the learning rate whose runs have the highest mean validation accuracy.

    ``summary`` has one row per run (learning_rate, seed, val_acc at the best epoch,
    diverged). Diverged runs are never selected and do not count towards their
    learning rate's mean; a learning rate whose runs all diverged is not eligible.
    Returns the choice, the selected (non-diverged) runs and every candidate's score;
    ``learning_rate`` is None when every run diverged.
    """
    healthy = summary[~summary["diverged"].astype(bool)]
    scores = healthy.groupby("learning_rate")["val_acc"].mean()
    candidates = {
        float(learning_rate): (float(scores[learning_rate]) if learning_rate in scores.index else None)
        for learning_rate in sorted(summary["learning_rate"].unique())
    }
    if scores.empty:
        return {"learning_rate": None, "runs": [], "val_acc_by_learning_rate": candidates}
    best = float(scores.idxmax())
    runs = healthy[healthy["learning_rate"] == best].sort_values("seed")["run"].tolist()
    return {"learning_rate": best, "runs": runs, "val_acc_by_learning_rate": candidates}


def selected_run(selection: dict, seed: int) -> str:
    """The selected run of one seed (its id ends in ``_s<seed>``)."""
    for run in selection["runs"]:
        if run.endswith(f"_s{seed}"):
            return run
    raise ValueError(
        f"no selected run for seed {seed}: selected learning rate {selection['learning_rate']}, runs "
        f"{selection['runs']} (a run that diverged is never selected)"
    )


def analysed_run(selection: dict, seed: int, learning_rate: float | None = None) -> str:
    """The run of one seed the analysis reads: the selected one, or the one trained with
    ``learning_rate`` (the learning-rate reading)."""
    from actstudy.core.config import run_id

    return selected_run(selection, seed) if learning_rate is None else run_id(learning_rate, seed)


def refinement_plan(summaries: pd.DataFrame, round_: int, rounds: int, previous: dict | None = None) -> dict:
    """The learning rates round ``round_`` (1, 2, ...) of the iterative grid search trains
    (docs/protocol.md, "Refining the learning rate"): around the best rate so far (best
    mean validation accuracy over every rate trained in earlier rounds, as
    ``select_learning_rate``), the two rates ``step`` decades below and above it, with
    ``step`` half a decade in round 1 and halved each round after; rates already trained
    are not trained again. No rates (the search stops) after ``rounds`` rounds, when the
    previous round did not move the best rate, or when every run so far diverged."""
    chosen = select_learning_rate(summaries)["learning_rate"]
    step = 0.5 / 2 ** (round_ - 1)
    plan = {"round": round_, "winner": chosen, "step_decades": step, "learning_rates": []}
    if chosen is None:
        return {**plan, "why": "every run so far diverged"}
    if round_ > rounds:
        return {**plan, "why": f"the {rounds} rounds of the config are done"}
    if previous is not None and previous.get("winner") is not None and math.isclose(chosen, previous["winner"]):
        return {**plan, "why": f"round {round_ - 1} did not move the best rate"}
    tried = [float(learning_rate) for learning_rate in summaries["learning_rate"].unique()]
    candidates = [float(f"{chosen * 10 ** (sign * step):.3g}") for sign in (-1, 1)]
    learning_rates = [
        learning_rate
        for learning_rate in candidates
        if 0 < learning_rate < 1 and not any(math.isclose(learning_rate, t, rel_tol=1e-6) for t in tried)
    ]
    why = "" if learning_rates else "every neighbour was trained already"
    return {**plan, "learning_rates": learning_rates, "why": why}


def planned_learning_rates(path) -> list[float]:
    """The learning rates a refinement round's plan (``refinement_plan``, as JSON) trains
    (``rates``: its key in plans written before 2026-12-07, still read)."""
    from actstudy.core.io import read_json

    plan = read_json(path)
    key = "rates" if isinstance(plan, dict) and "rates" in plan else "learning_rates"
    return [float(learning_rate) for learning_rate in read_json(path, [key])[key]]
