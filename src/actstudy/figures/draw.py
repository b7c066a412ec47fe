"""Every figure of the study: its renderer by kind (``actstudy.figures.catalog`` says
which target is which kind), and ``save``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from actstudy.figures import classifiers, nodes, training
from actstudy.io import atomic_path

# Figures drawn from trained architectures' histories and summaries, or from nothing.
TRAINING_RENDERERS: dict[str, Callable] = {
    name: getattr(training, name)
    for name in ("activation_shapes", "curves_pair", "lr_comparison", "learning_curve", "curves_grid", "test_accuracy")
}
# Chapter 4/5/6 figures, by kind.
NODE_RENDERERS = {**nodes.RENDERERS, **classifiers.RENDERERS}


def render(name: str, data) -> Figure:
    """Draw target ``name`` from what its rule read (``None`` for a static figure)."""
    from actstudy.figures.catalog import TARGETS

    target = TARGETS[name]
    if target.family == "static":
        return TRAINING_RENDERERS[target.kind]()
    renderers = TRAINING_RENDERERS if target.family == "training" else NODE_RENDERERS
    return renderers[target.kind](data)


def save(fig: Figure, *paths: str | Path) -> None:
    """Write the figure to each path (format from its suffix), atomically."""
    import matplotlib.pyplot as plt

    for path in paths:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=Path(path).suffix.lstrip("."))
    plt.close(fig)
