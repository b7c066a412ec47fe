"""The scorecard as pages: a summary line, Markdown and HTML tables, the files written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from actstudy.io import atomic_path
from actstudy.scorecard import CHECK_VERDICTS, VERDICTS


def summary_line(scores: pd.DataFrame, checks: pd.DataFrame) -> str:
    counts = scores["verdict"].value_counts()
    check_counts = checks["verdict"].value_counts()
    numbers = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    claims = ", ".join(f"{int(check_counts.get(v, 0))} {v}" for v in CHECK_VERDICTS)
    return f"{len(scores)} numbers of the study: {numbers}. {len(checks)} claims: {claims}."


def _fmt(mean: float, se: float) -> str:
    if not np.isfinite(mean):
        return ""
    return f"{mean:.2f} ± {se:.2f}" if np.isfinite(se) and se > 0 else f"{mean:.2f}"


def _display(scores: pd.DataFrame) -> pd.DataFrame:
    """The numbers as the page shows them: one text column each, mean ± SE, signed differences."""
    return pd.DataFrame({
        "source": scores["source"], "dataset": scores["dataset"], "network": scores["network"],
        "metric": scores["metric"], "layer": scores["layer"].astype("string").fillna(""),
        "study": [_fmt(m, s) for m, s in zip(scores["study"], scores["study_se"])],
        "ours": [_fmt(m, s) for m, s in zip(scores["ours"], scores["ours_se"])],
        "difference": [f"{d:+.2f}" if np.isfinite(d) else "" for d in scores["difference"]],
        "allowed": [f"{a:.2f}" if np.isfinite(a) else "" for a in scores["allowed"]],
        "verdict": scores["verdict"], "note": scores["note"],
    })  # fmt: skip


CLAIM_COLUMNS = ["check", "source", "verdict", "claim", "details", "protocol"]


def to_markdown(scores: pd.DataFrame, checks: pd.DataFrame, readings: str = "") -> str:
    table, claims = _display(scores), checks[CLAIM_COLUMNS]
    parts = ["# Scorecard: the study's numbers beside ours", "", f"**{summary_line(scores, checks)}**", ""]
    if readings:
        parts += [f"Definitions used: {readings}", ""]
    parts += ["Ours: mean ± standard error over seeds of the selected learning rate. `allowed`: the largest "
              "difference that still agrees, max(2·√(SE_ours² + SE_study²), tolerance).", "",
              "## Qualitative claims", "", claims.to_markdown(index=False), "",
              "## Numbers", "", table.to_markdown(index=False), ""]  # fmt: skip
    return "\n".join(parts)


_VERDICT_COLOURS = {"agree": "#d9f2d9", "holds": "#d9f2d9", "disagree": "#f8d0d0", "fails": "#f8d0d0",
                    "protocol differs": "#fdf0c8", "not run": "#eeeeee"}  # fmt: skip


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
    style = ("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}th{background:#f4f4f4}")  # fmt: skip
    readings_line = f"<p>Definitions used: {html.escape(readings)}</p>" if readings else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Scorecard</title><style>{style}</style></head>"
            f"<body><h1>Scorecard: the study's numbers beside ours</h1><p><b>{html.escape(summary_line(scores, checks))}</b></p>"
            f"{readings_line}<p>Ours: mean ± standard error over seeds of the selected learning rate. <i>allowed</i>: "
            "the largest difference that still agrees, max(2·√(SE_ours² + SE_study²), tolerance).</p>"
            f"<h2>Qualitative claims</h2>{colour(claims)}<h2>Numbers</h2>{colour(numbers)}</body></html>")  # fmt: skip


def write(scores: pd.DataFrame, checks: pd.DataFrame, paths: dict[str, str | Path], readings: str = "") -> None:
    """The scorecard as ``csv`` (numbers), ``checks`` (claims, CSV), ``md`` and ``html``."""
    from actstudy.io import write_csv

    write_csv(scores, paths["csv"])
    write_csv(checks, paths["checks"])
    for key, text in (("md", to_markdown(scores, checks, readings)), ("html", to_html(scores, checks, readings))):
        with atomic_path(paths[key]) as tmp:
            tmp.write_text(text)
