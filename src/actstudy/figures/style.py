"""Shared look of every figure: colours, sizes, and the figure-level legend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from actstudy.core.activations import REGISTRY  # noqa: E402

ACTIVATION_NAMES = {name: entry.label for name, entry in REGISTRY.items()}
ACTIVATION_COLOURS = {name: entry.colour for name, entry in REGISTRY.items()}
# The study's convention for learning curves: ReLU train blue, sigmoid train red,
# ReLU validation green, sigmoid validation orange; any other activation: its own
# colour for train, the same colour paler for validation.
CURVE_COLOURS = {
    **{(name, "train"): colour for name, colour in ACTIVATION_COLOURS.items()},
    **{(name, "val"): tuple(0.45 * c + 0.55 for c in to_rgb(colour)) for name, colour in ACTIVATION_COLOURS.items()},
    ("relu", "train"): "tab:blue",
    ("sigmoid", "train"): "tab:red",
    ("relu", "val"): "tab:green",
    ("sigmoid", "val"): "tab:orange",
    "train": "tab:blue",
    "val": "tab:green",
}

plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "axes.spines.top": False, "axes.spines.right": False})


def new_figure(rows: int, cols: int, width: float, height: float, **kwargs):
    """A figure with constrained layout and a 2-D array of axes (always indexable [r][c])."""
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False, layout="constrained", **kwargs)
    return fig, axes


def figure_legend(fig, axes, ncol: int, markerscale: float = 1.0) -> None:
    """One legend below all panels, each label once (``markerscale`` enlarges small dots)."""
    handles: dict = {}
    for row in axes:
        for ax in row:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
    if handles:
        fig.legend(
            list(handles.values()), list(handles.keys()), loc="outside lower center", ncol=ncol, markerscale=markerscale
        )
