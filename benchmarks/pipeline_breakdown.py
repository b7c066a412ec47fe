"""Where a pipeline run's time goes: Snakemake's per-job benchmark files, summed per rule.

Every rule writes ``results/benchmarks/<rule>/...tsv`` (wall seconds, CPU seconds, peak
RSS of the job). This sums them per rule, and measures, for each rule's script, what
starting Python and importing the script's modules costs (the part of every job that
does no work), so that the table says how much of a rule's time is start-up.

    python benchmarks/pipeline_breakdown.py --results results [--wall 262]
"""

from __future__ import annotations

import argparse
import ast
import csv
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The script each rule runs (a figure's: the one that draws from activations).
SCRIPTS = {
    "train": "train",
    "select": "select",
    "extract": "extract_net",  # each net's job (results/benchmarks/extract/<dataset>/<arch>.tsv)
    "node_metrics": "node_metrics_net",
    "classifiers": "classifiers_net",
    "figures": "plot_node_figure",
    "tables": "make_table",
    "scorecard": "scorecard",
}


def script_imports(script: str) -> str:
    """The modules ``workflow/scripts/<script>.py`` imports at its top, as an import list."""
    tree = ast.parse((ROOT / "workflow/scripts" / f"{script}.py").read_text())
    modules = [alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names]
    modules += [node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module]
    return ", ".join(dict.fromkeys(modules))


def rule_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else path.stem


def read_benchmarks(root: Path) -> dict[str, list[dict[str, float]]]:
    per_rule: dict[str, list[dict[str, float]]] = defaultdict(list)
    for path in sorted(root.rglob("*.tsv")):
        with path.open() as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                per_rule[rule_of(path, root)].append(
                    {"s": float(row["s"]), "cpu": float(row["cpu_time"]), "rss": float(row["max_rss"])}
                )
    return per_rule


def import_seconds(modules: str, repeats: int = 3) -> float:
    """Wall seconds of a fresh Python that imports ``modules`` (the best of ``repeats``)."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", f"import {modules}"],
            check=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        )
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results", help="the run's results folder")
    parser.add_argument("--wall", type=float, help="the run's wall time in seconds, for the share column")
    args = parser.parse_args()
    per_rule = read_benchmarks(Path(args.results) / "benchmarks")
    rows = []
    for rule, jobs in per_rule.items():
        start = import_seconds(script_imports(SCRIPTS[rule])) if rule in SCRIPTS else float("nan")
        wall = sum(j["s"] for j in jobs)
        rows.append(
            (rule, len(jobs), wall, sum(j["cpu"] for j in jobs), max(j["rss"] for j in jobs), start, start * len(jobs))
        )
    rows.sort(key=lambda r: -r[2])
    total = sum(r[2] for r in rows)
    print(f"{'rule':>13} {'jobs':>5} {'job s':>8} {'CPU s':>8} {'max RSS MB':>11} {'start s':>8} {'start x jobs':>13}")
    for rule, n, wall, cpu, rss, start, starts in rows:
        print(f"{rule:>13} {n:>5} {wall:>8.1f} {cpu:>8.1f} {rss:>11.0f} {start:>8.2f} {starts:>13.1f}")
    starts = sum(r[6] for r in rows if r[6] == r[6])
    print(
        f"{'total':>13} {sum(r[1] for r in rows):>5} {total:>8.1f} {sum(r[3] for r in rows):>8.1f}"
        f" {'':>11} {'':>8} {starts:>13.1f}"
    )
    if args.wall:
        print(f"wall time {args.wall:.0f} s; job seconds / wall = {total / args.wall:.2f} (2 cores: at most 2)")


if __name__ == "__main__":
    main()
