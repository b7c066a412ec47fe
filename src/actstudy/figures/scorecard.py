"""The scorecard at a glance: every computed number as its difference from the study's,
scaled by the difference the rule allows (inside ±1 it agrees), grouped by where the
study prints it and by network, coloured by verdict; the claims beside it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from actstudy.core.config import Architecture
from actstudy.figures.style import new_figure
from actstudy.study.scorecard import COMPUTED

VERDICT_COLOURS = {
    "agree": "#2e8b57",
    "disagree": "#c0392b",
    "partly run": "#3a78c2",
    "protocol differs": "#e0a030",
    "holds": "#2e8b57",
    "fails": "#c0392b",
    "not run": "#999999",
}
CLIP = 6.0  # scaled differences beyond ±CLIP are drawn at the edge, as a triangle
METRIC_NAMES = {
    "test_acc": "test accuracy",
    "train_acc": "training accuracy",
    "val_acc": "validation accuracy",
    "dead_pct": "dead nodes",
    "sparsity": "sparsity",
    "sparsity_init": "untrained sparsity",
}


def _line_label(row) -> str:
    net = Architecture.parse(row.dataset, row.network)
    return f"{row.dataset} {net.label}: {METRIC_NAMES.get(row.metric, row.metric)}"


def _source_order(group: str) -> tuple:
    """Chapter order: 'Section 3.4.1' -> (3, 4, 1); a table after its chapter's sections."""
    kind, _, number = group.partition(" ")
    parts = tuple(int(p) for p in re.findall(r"\d+", number))
    return (parts[0], 99, *parts[1:]) if kind == "Table" else parts


def lines(scores: pd.DataFrame) -> pd.DataFrame:
    """The computed rows with their line of the figure (one line per source, network and
    metric: a table's layers share a line) and their scaled difference."""
    computed = scores[scores["verdict"].isin(COMPUTED)].copy()
    computed["scaled"] = computed["difference"] / computed["allowed"]
    computed["group"] = computed["source"].str.split(" \\(", regex=True).str[0]
    computed["line"] = [_line_label(r) for r in computed.itertuples(index=False)]
    return computed


def _claims_text(checks: pd.DataFrame) -> list[tuple[str, str]]:
    tested = checks[checks["verdict"] != "not run"]
    marks = {"holds": "✓", "fails": "✗", "partly run": "◐"}
    out = [
        (f"{marks[r.verdict]} {r.check} ({r.comparisons - r.failed}/{r.comparisons})", r.verdict)
        for r in tested.itertuples(index=False)
    ]
    untested = len(checks) - len(tested)
    if untested:
        out.append((f"– {untested} not run (the claims table says why)", "not run"))
    return out


def overview(scores: pd.DataFrame, checks: pd.DataFrame) -> Figure:
    """The figure: numbers on the left, claims on the right."""
    data = lines(scores)
    groups = sorted(dict.fromkeys(data["group"]), key=_source_order)
    order = list(dict.fromkeys(zip(data["group"], data["line"])))
    claims = _claims_text(checks)
    height = max(3.6, 0.28 * (len(order) + len(dict.fromkeys(data["group"]))) + 1.6, 0.22 * len(claims) + 1.2)
    fig, axes = new_figure(1, 2, 13.0, height, width_ratios=[2.1, 1.0])
    ax, side = axes[0]
    ax.axvspan(-1, 1, color="#e8f4ea", zorder=0)
    ax.axvline(0, color="#777777", lw=0.8, zorder=1)
    y, ticks, labels, bold = 0, [], [], []
    for group in groups:
        ticks.append(y), labels.append(group), bold.append(True)
        y += 1
        for line in [line for g, line in order if g == group]:
            rows = data[(data["group"] == group) & (data["line"] == line)]
            for r in rows.itertuples(index=False):
                x = float(np.clip(r.scaled, -CLIP, CLIP))
                marker = "o" if abs(r.scaled) <= CLIP else (">" if r.scaled > 0 else "<")
                ax.scatter(
                    x,
                    y,
                    color=VERDICT_COLOURS[r.verdict],
                    marker=marker,
                    s=34,
                    zorder=3,
                    edgecolor="white",
                    linewidth=0.5,
                )
                if not pd.isna(r.layer):
                    ax.annotate(
                        str(int(r.layer)),
                        (x, y),
                        xytext=(0, 5),
                        textcoords="offset points",
                        fontsize=6,
                        ha="center",
                        color="#444444",
                    )
            ticks.append(y), labels.append(line), bold.append(False)
            y += 1
    if data.empty:
        ax.text(
            0.5,
            0.5,
            "no number computed:\nthe config trains none of the study's networks",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#555555",
            bbox={"facecolor": "white", "edgecolor": "none"},
        )
        y = 1
    ax.set_yticks(ticks, labels, fontsize=8)
    for tick, is_group in zip(ax.get_yticklabels(), bold):
        tick.set_fontweight("bold" if is_group else "normal")
    ax.set_ylim(y - 0.5, -0.8)
    ax.set_xlim(-CLIP - 0.5, CLIP + 0.5)
    ax.set_xlabel("(ours − study) / allowed difference   (inside ±1: agrees; small numbers: layer)")
    present = [v for v in COMPUTED if v in set(data["verdict"])]
    for verdict in present:
        ax.scatter([], [], color=VERDICT_COLOURS[verdict], label=verdict)
    if present:
        fig.legend(loc="outside lower left", ncol=len(present), fontsize=8, frameon=False)
    ax.set_title("The study's numbers", loc="left", fontsize=10)
    side.axis("off")
    side.set_title("The study's claims\n(holding / made; ◐ partly run)", loc="left", fontsize=10)
    for i, (text, verdict) in enumerate(claims):
        side.text(
            0.0,
            1.0 - (i + 0.5) / max(len(claims), 12),
            text,
            color=VERDICT_COLOURS[verdict],
            fontsize=8,
            va="center",
            transform=side.transAxes,
        )
    return fig
