"""Every figure of the study, by target name: ``render(name, results)`` and ``save``."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from matplotlib.figure import Figure

from actstudy.figures import classifiers, nodes, training
from actstudy.io import atomic_path
from actstudy.results import ArchResults

# Figures drawn from trained architectures' histories and summaries.
TRAINING_FIGURES: dict[str, Callable[[list[ArchResults]], Figure]] = {
    "fig1_2": training.curves_pair,
    "fig1_3": training.lr_comparison,
    "fig3_1": training.learning_curve,
    "fig3_2": training.curves_grid,
    "fig3_3": training.curves_grid,
    "fig3_4": training.test_accuracy,
    "fig3_5": training.curves_grid,
    "fig3_6": training.curves_grid,
    "fig3_7": training.test_accuracy,
    "fig3_8": training.curves_grid,
    "fig3_9": training.curves_grid,
    "fig3_10": training.test_accuracy,
}
# Chapter 4/5/6 figures, by kind (actstudy.figures.catalog says which target is which kind).
NODE_FIGURE_KINDS = {**nodes.KINDS, **classifiers.KINDS}
# Figures that need no data.
STATIC_FIGURES: dict[str, Callable[[], Figure]] = {"fig1_1": training.activation_shapes}


def save(fig: Figure, *paths: str | Path) -> None:
    """Write the figure to each path (format from its suffix), atomically."""
    import matplotlib.pyplot as plt

    for path in paths:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix.lstrip("."))
    plt.close(fig)
