"""Learning-rate selection: per architecture, the best mean validation accuracy over seeds."""

from __future__ import annotations

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
        float(lr): (float(scores[lr]) if lr in scores.index else None)
        for lr in sorted(summary["learning_rate"].unique())
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
    from actstudy.config import run_id

    return selected_run(selection, seed) if learning_rate is None else run_id(learning_rate, seed)
