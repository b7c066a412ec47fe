"""A learning-rate search as Markdown, from a reproduction's committed files: for each net,
every rate each round trained, its mean validation accuracy over the seeds (at each run's
best epoch, the selection's score), and the rate the search selected (or, while a round
is still training, the best so far and the round that is planned).

    python reproduction/search_table.py reproduction/mnist-4x200/refine-nobn [--dataset mnist]

Reads ``results/train/<dataset>/<net>/round<k>/summary.csv`` and ``round<k>/plan.json``
under the folder; the selection is ``actstudy.training.selection.select_learning_rate``
over every round, the rule the workflow applies (diverged runs never count).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from actstudy.training.selection import planned_learning_rates, select_learning_rate


def _percent(fraction: float) -> str:
    return "" if pd.isna(fraction) else f"{100 * fraction:.3f}"


def _round_of(path: Path) -> int:
    """k of a ``round<k>/...`` file."""
    return int(path.parent.name.removeprefix("round"))


def _by_round(net_folder: Path, name: str) -> list[Path]:
    """The net's ``round<k>/<name>`` files, in round order."""
    return sorted(net_folder.glob(f"round*/{name}"), key=_round_of)


def search_rows(summaries: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """One row per (round, learning rate) of ``{round: summary}``: seeds, diverged runs, mean
    and SE of the validation accuracy and the mean test accuracy (%, at each run's best
    epoch, as text)."""
    rows = []
    for round_, summary in summaries.items():
        for learning_rate, runs in summary.groupby("learning_rate"):
            healthy = runs[~runs["diverged"].astype(bool)]
            rows.append(
                {
                    "round": round_,
                    "learning rate": f"{learning_rate:g}",
                    "seeds": len(runs),
                    "diverged": int(runs["diverged"].astype(bool).sum()),
                    "val acc %": _percent(healthy["val_acc"].mean()),
                    "± SE": _percent(healthy["val_acc"].sem()) if len(healthy) > 1 else "",
                    "test acc %": _percent(healthy["test_acc"].mean()),
                }
            )
    return pd.DataFrame(rows)


def stop_reason(last_plan: Path | None) -> str:
    """Why the search stopped: the last round plan's reason, if it trains nothing."""
    if last_plan is None or planned_learning_rates(last_plan):
        return ""
    last = json.loads(last_plan.read_text())
    return f"round {last['round']} was not run: {last.get('why', '')}"


def pending_round(last_plan: Path | None) -> str:
    """The round planned and not finished yet ('' once the search stopped): its number
    and rates, while its ``summary.csv`` does not exist."""
    if last_plan is None or (last_plan.parent / "summary.csv").exists():
        return ""
    rates = planned_learning_rates(last_plan)
    return f"round {_round_of(last_plan)} ({', '.join(f'{r:g}' for r in rates)})" if rates else ""


def net_section(net_folder: Path) -> str:
    summaries = {_round_of(path): pd.read_csv(path) for path in _by_round(net_folder, "summary.csv")}
    if not summaries:
        return f"### {net_folder.name}\n\n(no round finished yet)\n"
    rows = search_rows(summaries)
    selected = select_learning_rate(pd.concat(summaries.values(), ignore_index=True))["learning_rate"]
    table = rows.to_markdown(index=False, disable_numparse=True)
    lines = [f"### {net_folder.name}", "", table, ""]
    plans = _by_round(net_folder, "plan.json")
    last_plan = plans[-1] if plans else None
    pending = pending_round(last_plan)
    if selected is None:
        lines.append("Every run diverged.")
    elif pending:
        lines.append(f"Best so far: {selected:g}; {pending} is planned and not finished.")
    else:
        lines.append(f"Selected over every round: {selected:g}.")
    reason = stop_reason(last_plan)
    return "\n".join(lines + ([f"The search stopped: {reason}."] if reason else [])) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--dataset", default="mnist")
    args = parser.parse_args()
    nets = sorted(p for p in (args.folder / "results/train" / args.dataset).iterdir() if p.is_dir())
    print("\n".join(net_section(net) for net in nets), end="")


if __name__ == "__main__":
    main()
