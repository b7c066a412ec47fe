"""The scorecard as pages: a summary line, Markdown and HTML tables, the files written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from actstudy.core.io import atomic_path
from actstudy.study.checks import CHECK_VERDICTS
from actstudy.study.scorecard import COMPUTED, VERDICTS


def summary_line(scores: pd.DataFrame, checks: pd.DataFrame) -> str:
    counts = scores["verdict"].value_counts()
    check_counts = checks["verdict"].value_counts()
    numbers = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    claims = ", ".join(f"{int(check_counts.get(v, 0))} {v}" for v in CHECK_VERDICTS)
    return f"{len(scores)} numbers of the study: {numbers}. {len(checks)} claims: {claims}."


def headline(scores: pd.DataFrame, checks: pd.DataFrame) -> str:
    """The counts a reader wants first: of the numbers we computed, how many agree; of the
    claims we could test, how many hold ('' when nothing was computed)."""
    counts, check_counts = scores["verdict"].value_counts(), checks["verdict"].value_counts()
    computed = int(sum(counts.get(v, 0) for v in COMPUTED))
    if not computed:
        return ""
    tested = int(sum(check_counts.get(v, 0) for v in ("holds", "fails", "partly run")))
    differs, partly = int(counts.get("protocol differs", 0)), int(counts.get("partly run", 0))
    partly_claims = int(check_counts.get("partly run", 0))
    return (
        f"{computed} of the study's {len(scores)} numbers computed: {int(counts.get('agree', 0))} agree, "
        f"{int(counts.get('disagree', 0))} disagree"
        + (f", {partly} partly run" if partly else "")
        + (f", {differs} trained otherwise" if differs else "")
        + f". {tested} of its {len(checks)} claims tested: {int(check_counts.get('holds', 0))} hold, "
        f"{int(check_counts.get('fails', 0))} fail" + (f", {partly_claims} partly run" if partly_claims else "") + "."
    )


def headline_of(scores_csv: str | Path, checks_csv: str | Path) -> str:
    """The headline of a written scorecard ('' when there is none yet). Only the verdict
    columns are read, and only counts reach the text; a damaged file is named in a
    warning and leaves the headline out (the report still builds)."""
    import logging

    from actstudy.core.io import DamagedFileError, read_csv

    if not (Path(scores_csv).exists() and Path(checks_csv).exists()):
        return ""
    try:
        scores = read_csv(scores_csv, "the scorecard", ["verdict"])
        checks = read_csv(checks_csv, "the scorecard's claims", ["verdict"])
    except DamagedFileError as error:
        logging.getLogger(__name__).warning("no headline in the report: %s", error)
        return ""
    return headline(scores, checks)


HEADLINE_MARK = ".. headline"
PROVENANCE_MARK = ".. provenance"


def _provenance_text(path: Path) -> str:
    """The provenance block, or '' without a readable provenance file (named in a warning)."""
    import logging

    from actstudy.core.io import DamagedFileError, read_json
    from actstudy.core.provenance import report_lines

    if not path.exists():
        return ""
    try:
        return "\n".join(report_lines(read_json(path, ["git_commit", "packages", "machine"])))
    except DamagedFileError as error:
        logging.getLogger(__name__).warning("no provenance in the report: %s", error)
        return ""


def landing_page(template: Path, results: Path, out_dir: Path) -> str:
    """The report's landing text (a path for Snakemake's ``report:``): ``template`` with
    the scorecard's headline in place of its ``.. headline`` line and the provenance in
    place of its ``.. provenance`` line (RST comments, so the template alone shows
    nothing there), written to ``out_dir`` once ``results`` holds a scorecard; the
    template itself before. Only counts, and values of plain characters, reach the text."""
    line = headline_of(results / "scorecard.csv", results / "scorecard_checks.csv")
    provenance = _provenance_text(results / "provenance.json")
    if not (line or provenance):
        return str(template)
    page = out_dir / "workflow.rst"
    page.parent.mkdir(parents=True, exist_ok=True)
    text = template.read_text().replace(HEADLINE_MARK, f"**Did it reproduce?** {line}" if line else "")
    page.write_text(text.replace(PROVENANCE_MARK, provenance))
    return str(page.resolve())


def _fmt(mean: float, se: float) -> str:
    if not np.isfinite(mean):
        return ""
    return f"{mean:.2f} ± {se:.2f}" if np.isfinite(se) and se > 0 else f"{mean:.2f}"


def _study(low: float, high: float, se: float) -> str:
    if not np.isfinite(low) and not np.isfinite(high):
        return ""
    if not np.isfinite(low):
        return f"≤ {high:.2f}"
    if not np.isfinite(high):
        return f"≥ {low:.2f}"
    return f"{low:.2f}–{high:.2f}" if low != high else _fmt(low, se)


def _earlier_text(scores: pd.DataFrame) -> list[str]:
    """Per row: the earlier reading and its verdict, where our reading changed after results."""
    if "earlier" not in scores:
        return [""] * len(scores)
    out = []
    for r in scores.itertuples(index=False):
        if not isinstance(r.earlier, str) or not r.earlier:
            out.append("")
            continue
        tolerance = f", tolerance {r.earlier_tolerance:g}"
        verdict = f": {r.earlier_verdict}" if isinstance(r.earlier_verdict, str) and r.earlier_verdict else ""
        out.append(f"{_study(r.earlier_low, r.earlier_high, r.earlier_se)}{tolerance}{verdict} ({r.earlier})")
    return out


def _display(scores: pd.DataFrame) -> pd.DataFrame:
    """The numbers as the page shows them: one text column each, mean ± SE, signed differences."""
    return pd.DataFrame(
        {
            "source": scores["source"],
            "dataset": scores["dataset"],
            "network": scores["network"],
            "metric": scores["metric"],
            "layer": scores["layer"].astype("string").fillna(""),
            "study": [
                _study(lo, hi, s) for lo, hi, s in zip(scores["study_low"], scores["study_high"], scores["study_se"])
            ],
            "ours": [_fmt(m, s) for m, s in zip(scores["ours"], scores["ours_se"])],
            "difference": [f"{d:+.2f}" if np.isfinite(d) else "" for d in scores["difference"]],
            "allowed": [f"{a:.2f}" if np.isfinite(a) else "" for a in scores["allowed"]],
            "z": [f"{z:+.1f}" if np.isfinite(z) else "" for z in scores["z"]],
            "verdict": scores["verdict"],
            "earlier reading": _earlier_text(scores),
            "note": scores["note"],
        }
    )


CLAIM_COLUMNS = ["check", "source", "verdict", "claim", "comparisons", "failed", "details", "inconsistent", "protocol"]


EXPLAINED = (
    "Ours: mean ± standard error over seeds of the selected learning rate. `difference`: ours minus the "
    "study's value (for a range: how far ours lies outside it). `allowed`: the largest difference that still "
    "agrees, max(2·√(SE_ours² + SE_study²), tolerance). `z`: the difference in combined standard errors, "
    "the tolerance standing in for the study's SE where it prints none. `partly run`: values for only some of "
    "the network's seeds. `earlier reading`: where our reading of the study's text changed after results "
    "existed, the verdict under the earlier one (docs/scorecard.md lists each change). A claim holds when all "
    'its comparisons hold (claims the study hedges with "tend to" or "generally": more than half) over every '
    "network it names; with some of them missing it is `partly run` unless what was compared already fails it."
)


def to_markdown(scores: pd.DataFrame, checks: pd.DataFrame, readings: str = "", figure: str = "") -> str:
    table, claims = _display(scores), checks[CLAIM_COLUMNS]
    parts = ["# Scorecard: the study's numbers beside ours", "", f"**{summary_line(scores, checks)}**", ""]
    if figure:
        parts += [f"![The scorecard at a glance]({figure})", ""]
    if readings:
        parts += [f"Definitions used: {readings}", ""]
    parts += [
        EXPLAINED,
        "",
        "## Qualitative claims",
        "",
        claims.to_markdown(index=False),
        "",
        "## Numbers",
        "",
        table.to_markdown(index=False),
        "",
    ]
    return "\n".join(parts)


_VERDICT_COLOURS = {
    "agree": "#d9f2d9",
    "holds": "#d9f2d9",
    "disagree": "#f8d0d0",
    "fails": "#f8d0d0",
    "partly run": "#dbe8f6",
    "protocol differs": "#fdf0c8",
    "not run": "#eeeeee",
}


def to_html(scores: pd.DataFrame, checks: pd.DataFrame, readings: str = "") -> str:
    """The same page as ``to_markdown``, standalone HTML with each verdict coloured (the
    report shows it as it is)."""
    import html

    def colour(frame: pd.DataFrame) -> str:
        table = frame.to_html(index=False, escape=True, na_rep="", border=0)
        for verdict, background in _VERDICT_COLOURS.items():
            table = table.replace(
                f"<td>{html.escape(verdict)}</td>", f'<td style="background:{background}">{verdict}</td>'
            )
        return table

    numbers, claims = _display(scores), checks[CLAIM_COLUMNS]
    style = (
        "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}th{background:#f4f4f4}"
    )
    readings_line = f"<p>Definitions used: {html.escape(readings)}</p>" if readings else ""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Scorecard</title><style>{style}</style></head>"
        f"<body><h1>Scorecard: the study's numbers beside ours</h1><p><b>{html.escape(summary_line(scores, checks))}</b></p>"
        f"{readings_line}<p>{html.escape(EXPLAINED)}</p>"
        f"<h2>Qualitative claims</h2>{colour(claims)}<h2>Numbers</h2>{colour(numbers)}</body></html>"
    )


def write(scores: pd.DataFrame, checks: pd.DataFrame, paths: dict[str, str | Path], readings: str = "") -> None:
    """The scorecard as ``csv`` (numbers), ``checks`` (claims, CSV), ``md`` and ``html``
    (the Markdown shows ``figure``, the overview's file beside it, where given)."""
    from actstudy.core.io import write_csv

    write_csv(scores, paths["csv"])
    write_csv(checks, paths["checks"])
    figure = Path(paths["figure"]).name if "figure" in paths else ""
    for key, text in (
        ("md", to_markdown(scores, checks, readings, figure)),
        ("html", to_html(scores, checks, readings)),
    ):
        with atomic_path(paths[key]) as tmp:
            tmp.write_text(text)
