"""The files of a learning-rate refinement (docs/protocol.md, "Refining the learning
rate"): what a training job writes into a folder, what round k's plan reads, and every
round's files for the merge. Plain Python, for the workflow while it plans; which rates
a round trains is ``actstudy.training.selection.refinement_plan``."""

from __future__ import annotations

from collections.abc import Callable

TRAINED = ("history.csv", "summary.csv", "init.pt", "best.pt")


def trained_files(folder: str, snapshot_epochs: list[int]) -> dict:
    """What a training job (or the merge of a refinement's rounds) writes into ``folder``:
    history, summary, init, best, and the snapshots."""
    files = {name.split(".")[0]: f"{folder}/{name}" for name in TRAINED}
    return {**files, "snapshots": [f"{folder}/epoch{e}.pt" for e in sorted(snapshot_epochs)]}


def plan_inputs(base: str, k: int) -> dict:
    """Round k's plan reads the summaries of rounds 0..k-1, and round k-1's plan."""
    inputs = {"summaries": [f"{base}/round{j}/summary.csv" for j in range(k)]}
    return inputs | ({"previous": f"{base}/round{k - 1}/plan.json"} if k > 1 else {})


def merge_inputs(
    base: str, plan_of: Callable[[int], str], rates_of: Callable[[str], list], snapshot_epochs: list[int]
) -> dict:
    """Every round the search trained: round 0, then round k while plan k (``plan_of(k)``,
    a Snakemake checkpoint's output) names rates. {plans, summaries, files}."""
    rounds, plans, k = [f"{base}/round0"], [], 1
    while True:
        plans.append(plan_of(k))
        if not rates_of(plans[-1]):
            break
        rounds.append(f"{base}/round{k}")
        k += 1
    files = []
    for folder in rounds:
        for value in trained_files(folder, snapshot_epochs).values():
            files += value if isinstance(value, list) else [value]
    return {"plans": plans, "summaries": [f"{folder}/summary.csv" for folder in rounds], "files": files}
