"""A reproduction's headline, written from its scorecard and nowhere else.

A README marks where a headline goes with a pair of HTML comments naming the results
folder (relative to the README) whose ``scorecard.csv`` and ``scorecard_checks.csv`` it
summarises::

    <!-- scorecard-headline: results -->
    ...written by `python reproduction/headlines.py`...
    <!-- /scorecard-headline -->

(``<!-- scorecard-headline: results counts -->``: the counts only, no claim ids.)

``python reproduction/headlines.py`` rewrites every such block; ``--check`` only reports
the stale ones (a test runs it). Only verdict counts and claim ids reach the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from actstudy.core.io import read_csv
from actstudy.study.checks import CHECK_VERDICTS
from actstudy.study.scorecard import VERDICTS

BLOCK = re.compile(
    r"(<!-- scorecard-headline: (?P<folder>[\w./-]+)(?P<counts> counts)? -->\n)(?P<body>.*?)"
    r"(<!-- /scorecard-headline -->)",
    re.DOTALL,
)


def _count(verdicts: pd.Series, verdict: str) -> int:
    return int((verdicts == verdict).sum())


def headline(scores: pd.DataFrame, checks: pd.DataFrame, folder: str, counts_only: bool = False) -> str:
    """The headline in Markdown: the numbers by verdict, and each claim by verdict, by id
    (``counts_only``: how many)."""
    verdicts = scores["verdict"]
    computed = len(scores) - _count(verdicts, "not run")
    numbers = ", ".join(f"{_count(verdicts, v)} {v}" for v in VERDICTS if v != "not run" and _count(verdicts, v))
    lines = [
        f"**Scorecard** ([`{folder}/scorecard.md`]({folder}/scorecard.md)): {computed} of the study's "
        f"{len(scores)} numbers computed ({numbers or 'none'}); of its {len(checks)} claims:"
    ]
    if counts_only:
        claims = ", ".join(f"{_count(checks['verdict'], v)} {v}" for v in CHECK_VERDICTS)
        return f"{lines[0]} {claims}.\n"
    for verdict in CHECK_VERDICTS:
        ids = sorted(checks.loc[checks["verdict"] == verdict, "check"])
        if ids:
            shown = ", ".join(f"`{i}`" for i in ids) if verdict != "not run" else "the claims table says why"
            lines.append(f"- {verdict}: {len(ids)} ({shown})")
    return "\n".join(lines) + "\n"


def headline_of(results: Path, folder: str, counts_only: bool = False) -> str:
    """The headline of a written scorecard (``results`` holds its CSVs)."""
    scores = read_csv(results / "scorecard.csv", "the scorecard", ["verdict"])
    checks = read_csv(results / "scorecard_checks.csv", "the scorecard's claims", ["check", "verdict"])
    return headline(scores, checks, folder, counts_only)


def rewrite(readme: Path) -> tuple[str, list[str]]:
    """The README's text with every headline block written anew, and the folders of the
    blocks that changed."""
    text, stale = readme.read_text(), []

    def fill(match: re.Match) -> str:
        folder = match.group("folder")
        body = headline_of(readme.parent / folder, folder, bool(match.group("counts")))
        if body != match.group("body"):
            stale.append(folder)
        return match.group(1) + body + match.group(5)

    return BLOCK.sub(fill, text), stale
