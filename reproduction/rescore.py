"""Score reproductions' committed results again with the current scorecard (no training,
no analysis: only the committed CSV and JSON files are read).

    python reproduction/rescore.py reproduction/mnist-4x200 \
        --configfile config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml

The config files are merged onto config.yaml as Snakemake merges them; the networks they
train are scored from ``DEST/results`` (training summaries, selections and histories where
committed, node metrics, layer classifiers) by the same code as the workflow's ``scorecard`` rule, and the
scorecard (CSV, claims CSV, Markdown, HTML, figure) is written back into ``DEST/results``.

One scorecard over several reproductions (each part: its folder, then its config files;
the parts must read their nets the same way, and no net may be in two parts):

    python reproduction/rescore.py reproduction/mnist \
        --part reproduction/mnist-4x200 config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml \
        --part reproduction/mnist-8x200 config/paper.yaml config/overrides/reproduce-mnist-8x200.yaml

A part given with ``--replace`` instead of ``--part`` scores its nets in place of the same
nets of the parts before it (for example nets retrained with the refined learning rate):

    python reproduction/rescore.py reproduction/mnist \
        --part reproduction/mnist-4x200 config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml \
        --replace reproduction/mnist-4x200/lr-300/refined config/paper.yaml \
            config/overrides/reproduce-mnist-4x200.yaml reproduction/mnist-4x200/refine-bn.yaml
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
from actstudy.study.numbers import load_study
from actstudy.study.plan import scorecard_plan

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
    plan = scorecard_plan(
        study,
        run_grids(config),
        config["training"],
        analysis["state"],
        str(folder / "results"),
        learning_rate=analysed_learning_rate(analysis),
        bn_init=analysis["batch_norm_init"],
    )
    # Some reproductions commit no training history (the refined runs): their nets are
    # scored without the seeds' spread over the epochs, and the claims that read it say so.
    for item in plan:
        if "history" in item and not Path(item["history"]).exists():
            del item["history"]
    return plan, analysis


def _net(item: dict) -> tuple[str, str]:
    return item["dataset"], item["network"]


def rescore(dest: Path, parts: list[tuple[Path, list[str], bool]]) -> str:
    """Score the parts' committed results as one scorecard, written into ``dest/results``.
    A part is (folder, config files, replaces): a replacing part's nets take the place of
    the same nets of the parts before it."""
    study = load_study(REPO / "workflow/study/numbers.yaml", REPO / "workflow/schemas/study.schema.yaml")
    plan, readings = [], []
    for folder, configfiles, replaces in parts:
        part, analysis = part_plan(study, folder, configfiles)
        if replaces:
            replaced = {_net(item) for item in part}
            plan = [item for item in plan if _net(item) not in replaced]
        plan += part
        readings.append(analysis)
    if any(r != readings[0] for r in readings):
        raise SystemExit(f"the parts read their nets differently: {[describe_readings(r) for r in readings]}")
    nets = [_net(item) for item in plan]
    twice = sorted({net for net in nets if nets.count(net) > 1})
    if twice:
        raise SystemExit(f"networks in more than one part: {twice}")
    scores, claims = scorecard.build(study, plan)
    out = dest / "results"
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        key: out / f"scorecard{suffix}"
        for key, suffix in (
            ("csv", ".csv"),
            ("checks", "_checks.csv"),
            ("md", ".md"),
            ("html", ".html"),
            ("figure", ".png"),
        )
    }
    scorecard_pages.write(scores, claims, paths, describe_readings(readings[0]))
    save(overview(scores, claims), paths["figure"])
    return scorecard_pages.summary_line(scores, claims)


class _Part(argparse.Action):
    """Collects --part and --replace in the order given: (values, replaces)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), (values, option_string == "--replace")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--configfile", nargs="+", help="one reproduction: DEST's results, read with these configs")
    for flag, what in (
        ("--part", "a reproduction folder and its config files (repeatable)"),
        ("--replace", "like --part, its nets scored in place of the same nets of the parts before"),
    ):
        parser.add_argument(flag, nargs="+", action=_Part, dest="parts", metavar=("FOLDER", "CONFIGFILE"), help=what)
    args = parser.parse_args()
    if bool(args.configfile) == bool(args.parts):
        parser.error("give either --configfile (one reproduction, read from DEST) or --part (one or more)")
    if args.parts and any(len(part) < 2 for part, _ in args.parts):
        parser.error("each --part and --replace needs a folder and at least one config file")
    if args.parts and args.parts[0][1]:
        parser.error("--replace needs a --part before it")
    parts = (
        [(args.dest, args.configfile, False)]
        if args.configfile
        else [(Path(p[0]), p[1:], replaces) for p, replaces in args.parts]
    )
    print(rescore(args.dest, parts))


if __name__ == "__main__":
    main()
