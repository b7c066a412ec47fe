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


def _by_round(net_folder: Path, name: str) -> list[Path]:
    """The net's ``round<k>/<name>`` files, in round order."""
    return sorted(net_folder.glob(f"round*/{name}"), key=lambda path: int(path.parent.name.removeprefix("round")))


def search_rows(net_folder: Path) -> pd.DataFrame:
    """One row per (round, learning rate): seeds, diverged runs, mean and SE of the
    validation accuracy and the mean test accuracy (%, at each run's best epoch, as text)."""
    rows = []
    for summary_path in _by_round(net_folder, "summary.csv"):
        summary = pd.read_csv(summary_path)
        for learning_rate, runs in summary.groupby("learning_rate"):
            healthy = runs[~runs["diverged"].astype(bool)]
            rows.append(
                {
                    "round": int(summary_path.parent.name.removeprefix("round")),
                    "learning rate": f"{learning_rate:g}",
                    "seeds": len(runs),
                    "diverged": int(runs["diverged"].astype(bool).sum()),
                    "val acc %": _percent(healthy["val_acc"].mean()),
                    "± SE": _percent(healthy["val_acc"].sem()) if len(healthy) > 1 else "",
                    "test acc %": _percent(healthy["test_acc"].mean()),
                }
            )
    return pd.DataFrame(rows)


def stop_reason(net_folder: Path) -> str:
    """Why the search stopped: the last round plan's reason, if it trains nothing."""
    plans = _by_round(net_folder, "plan.json")
    if not plans or planned_learning_rates(plans[-1]):
        return ""
    last = json.loads(plans[-1].read_text())
    return f"round {last['round']} was not run: {last.get('why', '')}"


def pending_round(net_folder: Path) -> str:
    """The round planned and not finished yet ('' once the search stopped): its number
    and rates, while its ``summary.csv`` does not exist."""
    plans = _by_round(net_folder, "plan.json")
    if not plans or (plans[-1].parent / "summary.csv").exists():
        return ""
    rates = planned_learning_rates(plans[-1])
    return (
        f"round {plans[-1].parent.name.removeprefix('round')} ({', '.join(f'{r:g}' for r in rates)})" if rates else ""
    )


def net_section(net_folder: Path) -> str:
    rows = search_rows(net_folder)
    if rows.empty:
        return f"### {net_folder.name}\n\n(no round finished yet)\n"
    summaries = pd.concat([pd.read_csv(path) for path in _by_round(net_folder, "summary.csv")], ignore_index=True)
    selected = select_learning_rate(summaries)["learning_rate"]
    table = rows.to_markdown(index=False, disable_numparse=True)
    lines = [f"### {net_folder.name}", "", table, ""]
    pending = pending_round(net_folder)
    if selected is None:
        lines.append("Every run diverged.")
    elif pending:
        lines.append(f"Best so far: {selected:g}; {pending} is planned and not finished.")
    else:
        lines.append(f"Selected over every round: {selected:g}.")
    reason = stop_reason(net_folder)
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
