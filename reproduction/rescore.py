"""Score a reproduction's committed results again with the current scorecard (no training,
no analysis: only the committed CSV and JSON files are read).

    python reproduction/rescore.py reproduction/mnist-4x200 \
        --configfile config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml

The config files are merged onto config.yaml as Snakemake merges them; the networks they
train are scored from ``DEST/results`` (training summaries and selections, node metrics,
layer classifiers) by the same code as the workflow's ``scorecard`` rule, and the
scorecard (CSV, claims CSV, Markdown, HTML, figure) is written back into ``DEST/results``.
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


def rescore(dest: Path, configfiles: list[str]) -> str:
    config = merged_config(configfiles)
    analysis = analysis_settings(config)
    study = load_study(REPO / "workflow/study/numbers.yaml", REPO / "workflow/schemas/study.schema.yaml")
    plan = scorecard_plan(study, run_grids(config), config["training"], analysis["state"], str(dest / "results"),
                          learning_rate=analysed_learning_rate(analysis))  # fmt: skip
    scores, claims = scorecard.build(study, plan)
    out = dest / "results"
    paths = {key: out / f"scorecard{suffix}" for key, suffix in
             (("csv", ".csv"), ("checks", "_checks.csv"), ("md", ".md"), ("html", ".html"), ("figure", ".png"))}  # fmt: skip
    scorecard_pages.write(scores, claims, paths, describe_readings(analysis))
    save(overview(scores, claims), paths["figure"])
    return scorecard_pages.summary_line(scores, claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--configfile", nargs="+", required=True)
    args = parser.parse_args()
    print(rescore(args.dest, args.configfile))


if __name__ == "__main__":
    main()
