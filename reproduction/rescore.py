"""Score reproductions' committed results again with the current scorecard (no training,
no analysis: only the committed CSV and JSON files are read).

    python reproduction/rescore.py reproduction/mnist-4x200 \
        --configfile config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml

The config files are merged onto config.yaml as Snakemake merges them; the networks they
train are scored from ``DEST/results`` (training summaries and selections, node metrics,
layer classifiers) by the same code as the workflow's ``scorecard`` rule, and the
scorecard (CSV, claims CSV, Markdown, HTML, figure) is written back into ``DEST/results``.

One scorecard over several reproductions (each part: its folder, then its config files;
the parts must read their nets the same way, and no net may be in two parts):

    python reproduction/rescore.py reproduction/mnist \
        --part reproduction/mnist-4x200 config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml \
        --part reproduction/mnist-8x200 config/paper.yaml config/overrides/reproduce-mnist-8x200.yaml
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from snakemake.utils import update_config

from actstudy.core.config import analysed_learning_rate, analysis_settings, describe_readings, run_grids
from actstudy.figures.draw import save
from actstudy.figures.scorecard import overview
from actstudy.study import pages as scorecard_pages
from actstudy.study import scorecard
from actstudy.study.numbers import load_study, scorecard_plan

REPO = Path(__file__).resolve().parents[1]


def merged_config(configfiles: list[str]) -> dict:
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    for path in configfiles:
        update_config(config, yaml.safe_load(Path(path).read_text()))
    return config


def part_plan(study: dict, folder: Path, configfiles: list[str]) -> tuple[list[dict], dict]:
    """What the scorecard reads from one reproduction's committed results, and how its
    nets are read (the analysis settings)."""
    config = merged_config(configfiles)
    analysis = analysis_settings(config)
    plan = scorecard_plan(study, run_grids(config), config["training"], analysis["state"], str(folder / "results"),
                          learning_rate=analysed_learning_rate(analysis))  # fmt: skip
    return plan, analysis


def rescore(dest: Path, parts: list[tuple[Path, list[str]]]) -> str:
    """Score the parts' committed results as one scorecard, written into ``dest/results``."""
    study = load_study(REPO / "workflow/study/numbers.yaml", REPO / "workflow/schemas/study.schema.yaml")
    plan, readings = [], []
    for folder, configfiles in parts:
        part, analysis = part_plan(study, folder, configfiles)
        plan += part
        readings.append(analysis)
    if any(r != readings[0] for r in readings):
        raise SystemExit(f"the parts read their nets differently: {[describe_readings(r) for r in readings]}")
    nets = [(item["dataset"], item["network"]) for item in plan]
    twice = sorted({net for net in nets if nets.count(net) > 1})
    if twice:
        raise SystemExit(f"networks in more than one part: {twice}")
    scores, claims = scorecard.build(study, plan)
    out = dest / "results"
    out.mkdir(parents=True, exist_ok=True)
    paths = {key: out / f"scorecard{suffix}" for key, suffix in
             (("csv", ".csv"), ("checks", "_checks.csv"), ("md", ".md"), ("html", ".html"), ("figure", ".png"))}  # fmt: skip
    scorecard_pages.write(scores, claims, paths, describe_readings(readings[0]))
    save(overview(scores, claims), paths["figure"])
    return scorecard_pages.summary_line(scores, claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--configfile", nargs="+", help="one reproduction: DEST's results, read with these configs")
    parser.add_argument("--part", nargs="+", action="append", metavar=("FOLDER", "CONFIGFILE"),
                        help="a reproduction folder and its config files (repeatable)")  # fmt: skip
    args = parser.parse_args()
    if bool(args.configfile) == bool(args.part):
        parser.error("give either --configfile (one reproduction, read from DEST) or --part (one or more)")
    if args.part and any(len(part) < 2 for part in args.part):
        parser.error("each --part needs a folder and at least one config file")
    parts = [(args.dest, args.configfile)] if args.configfile else [(Path(p[0]), p[1:]) for p in args.part]
    print(rescore(args.dest, parts))


if __name__ == "__main__":
    main()
