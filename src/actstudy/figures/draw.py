"""Draw a target with its kind's renderer (``actstudy.figures.catalog``), and ``save``."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from actstudy.core.io import atomic_path
from actstudy.figures.catalog import TARGETS, renderer


def render(name: str, data) -> Figure:
    """Draw target ``name`` with its kind's renderer, from what its rule read (nothing for
    a static figure)."""
    target = TARGETS[name]
    draw = renderer(target.kind)
    return draw() if target.family == "static" else draw(data)


def save(fig: Figure, *paths: str | Path) -> None:
    """Write the figure to each path (format from its suffix), atomically. The layout is
    computed for the first file and kept for the others (the PDF has the PNG's layout;
    computing it again took a third of a figure job's drawing)."""
    import matplotlib.pyplot as plt

    for path in paths:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix.lstrip("."))
        fig.set_layout_engine("none")  # positions stay where the first save put them
    plt.close(fig)
