"""Score a finished run again under each alternative reading of the study's text.

    python reproduction/readings.py RESULTS_DIR DEST --configfile A.yaml [B.yaml ...] \
        --mirror ../shared/datasets [--scratch /tmp/readings]

For every reading (the config's ``analysis`` options, docs/scorecard.md) the trained
networks of RESULTS_DIR (``results/data`` and ``results/train``, copied with their times,
never retrained) are analysed again through the workflow in a scratch folder of their own,
so the run's own results keep the definitions. Each reading's scorecard lands in
``DEST/readings/<reading>/``, and ``DEST/readings/summary.csv|md`` puts every number's
value under each reading beside the study's and the default's.

With ``--tables-only`` (networks the scorecard does not score, such as a screen's
batch-norm variants) only Tables 5.1/5.2 are built under each reading, and
``DEST/readings/tables.csv|md`` puts every cell under each reading side by side
(``default`` is the run's own tables, from RESULTS_DIR).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
# name -> (the analysis settings, what of the run's analysis stays valid under it: "all"
# (the Parquet files of z and classifier results), "z" or "none")
READINGS = {
    "z_at_zero_on": ({"node_on": "z>=0"}, "all"),
    "dead_in_sparsity": ({"dead_in_sparsity": True}, "all"),
    "train_and_validation": ({"samples": "train+validation"}, "all"),
    "batch_statistics": ({"batch_norm": "batch"}, "none"),
    "last_epoch": ({"state": "epoch{last}"}, "none"),
    "sigmoid_z_above_half": ({"sigmoid_on": "z>0.5"}, "z"),
    "z_before_batch_norm": ({"z": "linear"}, "none"),
    "learning_rate_0.01": ({"learning_rate": 0.01}, "none"),
    "learning_rate_0.001": ({"learning_rate": 0.001}, "none"),
    "learning_rate_0.0001": ({"learning_rate": 0.0001}, "none"),
}
KEY = ["source", "network", "metric", "layer"]


def _copy_tree(source: Path, target: Path) -> None:
    if source.exists():
        shutil.copytree(source, target, copy_function=shutil.copy2, dirs_exist_ok=True)


def prepare(results: Path, workdir: Path, keep: str) -> None:
    """A scratch workflow folder holding the run's data and trained networks (and, where
    the reading leaves them valid, its Parquet files of z and classifier results: ``keep``)."""
    if workdir.exists():
        shutil.rmtree(workdir)
    for part in ("data", "train"):
        _copy_tree(results / part, workdir / "results" / part)
    if keep in ("all", "z"):
        _copy_tree(results / "z", workdir / "results/z")
    if keep == "all":
        for path in results.glob("metrics/**/*_classifiers.csv"):
            target = workdir / "results" / path.relative_to(results)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def run(
    workdir: Path,
    configfiles: list[str],
    mirror: str,
    analysis: dict,
    targets: tuple[str, ...] = ("scorecard", "table5_1", "table5_2"),
) -> None:
    # nested values given with --config arrive as strings: the reading goes in a config file
    reading = workdir / "reading.yaml"
    reading.write_text(yaml.safe_dump({"data": {"mirror": mirror}, "analysis": analysis}))
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "all",
        "--rerun-triggers",
        "mtime",
        "--configfile",
        *configfiles,
        str(reading),
        "--",
        *targets,
    ]
    subprocess.run(command, check=True)


def summarise(dest: Path, names: list[str]) -> pd.DataFrame:
    base = pd.read_csv(dest / "results/scorecard.csv")
    table = base[KEY + ["study", "study_se"]].copy()
    table["definitions"] = base["ours"].round(2).astype(str) + " " + base["verdict"]
    for name in names:
        other = pd.read_csv(dest / "readings" / name / "scorecard.csv")
        table[name] = (other["ours"].round(2).astype(str) + " " + other["verdict"]).to_numpy()
    table = table[base["verdict"] != "not run"]
    table.to_csv(dest / "readings/summary.csv", index=False)
    (dest / "readings/summary.md").write_text(table.to_markdown(index=False) + "\n")
    return table


def _long_tables(tables: Path) -> pd.DataFrame:
    """Tables 5.1 and 5.2 of one folder as one long table: table, depth, layer, network, value."""
    parts = []
    for name in ("table5_1", "table5_2"):
        wide = pd.read_csv(tables / f"{name}.csv")
        index = [c for c in ("depth", "layer") if c in wide]
        long = wide.melt(id_vars=index, var_name="network", value_name="value").assign(table=name)
        parts.append(long)
    frame = pd.concat(parts, ignore_index=True)
    frame["layer"] = frame["layer"].astype("Int64") if "layer" in frame else pd.NA
    return frame[["table", "depth", "layer", "network", "value"]]


def summarise_tables(results: Path, dest: Path, names: list[str]) -> pd.DataFrame:
    key = ["table", "depth", "layer", "network"]
    table = _long_tables(results / "tables").rename(columns={"value": "default"})
    for name in names:
        other = _long_tables(dest / "readings" / name).rename(columns={"value": name})
        table = table.merge(other, on=key, how="outer")
    table = table.sort_values(key, kind="stable")
    table.to_csv(dest / "readings/tables.csv", index=False)
    (dest / "readings/tables.md").write_text(table.to_markdown(index=False) + "\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--configfile", nargs="+", required=True)
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/actstudy-readings"))
    parser.add_argument("--epochs", type=int, default=300, help="the last epoch (for the last-epoch reading)")
    parser.add_argument("--only", nargs="*", default=list(READINGS))
    parser.add_argument("--tables-only", action="store_true", help="Tables 5.1/5.2 only, no scorecard")
    args = parser.parse_args()
    configfiles = [str(Path(c).resolve()) for c in args.configfile]
    for name in args.only:
        analysis, keep = READINGS[name]
        analysis = {k: (v.format(last=args.epochs) if isinstance(v, str) else v) for k, v in analysis.items()}
        workdir = args.scratch / name
        prepare(args.results, workdir, keep)
        targets = ("table5_1", "table5_2") if args.tables_only else ("scorecard", "table5_1", "table5_2")
        run(workdir, configfiles, str(Path(args.mirror).resolve()), analysis, targets)
        out = args.dest / "readings" / name
        out.mkdir(parents=True, exist_ok=True)
        if args.tables_only:
            for part in ("table5_1.csv", "table5_1.md", "table5_2.csv", "table5_2.md"):
                shutil.copy2(workdir / "results/tables" / part, out / part)
            continue
        for part in (
            "scorecard.csv",
            "scorecard_checks.csv",
            "scorecard.md",
            "tables/table5_1.md",
            "tables/table5_2.md",
        ):
            shutil.copy2(workdir / "results" / part, out / Path(part).name)
    if args.tables_only:
        done = [n for n in READINGS if (args.dest / "readings" / n / "table5_2.csv").exists()]
        print(summarise_tables(args.results, args.dest, done).to_string(index=False))
    else:
        print(summarise(args.dest, [n for n in READINGS if (args.dest / "readings" / n / "scorecard.csv").exists()]))


if __name__ == "__main__":
    main()
