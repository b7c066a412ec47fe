"""Core-hours of every committed MNIST training job, per net and per round, read from the
training logs the reproductions commit (``reproduction/**/logs/*.log``), so that a
column not yet run (Fashion-MNIST, CIFAR-10) can be planned from measurements:

    python reproduction/core_hours.py > reproduction/core-hours.md

Every job here ran with one thread (``--set-threads train=1``), two jobs side by side on a
2-core VM, so a job's core-hours are its wall hours. A log holds the epochs of its last
start only (a job resumed from a checkpoint logs from there), so the table gives the
median seconds per epoch over the epochs it has, and the core-hours of all the job's
epochs at that median.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EPOCH = re.compile(r"^(\d{4}-\d{2}-\d{2}) .* epoch (\d+)/(\d+) ([\d.]+)s ")
START = re.compile(r"training (\w+) (\S+): (\d+) runs .* on (\w+),")
ROUND = re.compile(r"_round(\d+)\.log$")


def read_log(path: Path) -> dict | None:
    """What one training log says of its job: net, round, runs, device, epochs, seconds."""
    seconds, epochs, date, start = [], 0, "", None
    for line in path.read_text(errors="replace").splitlines():
        if found := START.search(line):
            start = found
        elif found := EPOCH.search(line):
            date, epochs = found.group(1), int(found.group(3))
            seconds.append(float(found.group(4)))
    if start is None or len(seconds) < 2:
        return None
    median = statistics.median(seconds[1:])  # the first epoch after a start pays torch's warm-up
    round_ = ROUND.search(path.name)
    return {
        "folder": str(path.parent.parent.relative_to(REPO)),
        "dataset": start.group(1),
        "net": start.group(2),
        "round": int(round_.group(1)) if round_ else 0,
        "runs": int(start.group(3)),
        "device": start.group(4),
        "date": date,
        "epochs": epochs,
        "logged": len(seconds),
        "median_s": median,
        "core_hours": median * epochs / 3600,
    }


def table(rows: list[dict]) -> str:
    head = (
        "| folder | net | round | runs | epochs (logged) | device | s / epoch (median) | core-hours | date |\n"
        "|---|---|---:|---:|---:|---|---:|---:|---|"
    )
    lines = [
        f"| `{r['folder']}` | {r['dataset']} {r['net']} | {r['round']} | {r['runs']} | {r['epochs']} "
        f"({r['logged']}) | {r['device']} | {r['median_s']:.1f} | {r['core_hours']:.2f} | {r['date']} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def main() -> None:
    logs = sorted(REPO.glob("reproduction/**/logs/*.log"))
    rows = [row for row in map(read_log, logs) if row is not None]
    print("# Core-hours of the committed training jobs\n")
    print("Written by `python reproduction/core_hours.py` from the committed training logs (its docstring")
    print("says how they are read). One thread per job; each reproduction's README names its machine.\n")
    print(table(rows))
    total = sum(r["core_hours"] for r in rows)
    print(f"\n{len(rows)} jobs, {total:.1f} core-hours in all.")


if __name__ == "__main__":
    main()
