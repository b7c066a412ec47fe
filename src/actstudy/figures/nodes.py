"""Chapter 4 and 5 figures: how hidden nodes behave.

Node-index plots put every hidden node of the network on one x axis (layer 1 first) and
mark layer boundaries with dotted lines. Each function takes a list of ``NodeInputs``
(one per architecture the figure draws) and returns a matplotlib Figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from actstudy.core.config import Architecture
from actstudy.core.io import read_parquet, read_table
from actstudy.extraction.zparquet import layers_in, read_layer
from actstudy.figures.style import figure_legend, new_figure
from actstudy.metrics.activity import activate


def class_colour(c: int) -> str:
    """Matplotlib's colour cycle, one colour per class (it repeats after ten classes)."""
    return f"C{int(c) % 10}"


STATE_NAMES = {"init": "untrained", "best": "trained (best epoch)"}


@dataclass
class NodeInputs:
    arch: Architecture
    seed: int
    state: str
    files: dict[str, str] = field(default_factory=dict)
    layer: int | None = None  # the hidden layer a single-node figure shows (None: the first)

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state.replace("epoch", "after epoch "))

    @property
    def title(self) -> str:
        return f"{self.arch.dataset} {self.arch.label}, {self.state_name}, seed {self.seed}"


def _global_index(frame: pd.DataFrame) -> np.ndarray:
    """Node position across all hidden layers (layer-major)."""
    widths = frame.groupby("layer")["node"].max() + 1
    offsets = widths.cumsum().shift(fill_value=0)
    return frame["layer"].map(offsets).to_numpy() + frame["node"].to_numpy()


def _layer_boundaries(ax, frame: pd.DataFrame) -> None:
    widths = frame.groupby("layer")["node"].max() + 1
    edges = widths.cumsum().to_numpy()
    for edge in edges[:-1]:
        ax.axvline(edge - 0.5, color="black", ls=":", lw=0.8)
    for layer, (start, end) in enumerate(zip(np.r_[0, edges[:-1]], edges), start=1):
        ax.text((start + end) / 2, 1.01, f"layer {layer}", transform=ax.get_xaxis_transform(), ha="center", fontsize=8)
    ax.set_xlim(-0.5, edges[-1] - 0.5)


def class_distributions(items: list[NodeInputs], of: str) -> Figure:
    """fig4_1/4_2/4_6/4_7: per-class histograms of z (or a) for the two most active
    nodes of the first and of the last hidden layer."""
    (item,) = items
    path = item.files["z"]
    layers = layers_in(path)
    shown = [layers[0], layers[-1]]
    fig, axes = new_figure(2, 2, width=9.0, height=6.2)
    for row, layer in enumerate(shown):
        z, labels = read_layer(path, layer)
        values = activate(z, item.arch.activation) if of == "a" else z
        busiest = np.argsort(-(z > 0).mean(axis=0), kind="stable")[:2]
        for col, node in enumerate(busiest):
            ax = axes[row][col]
            bins = np.histogram_bin_edges(values[:, node], bins=40)
            for c in np.unique(labels):
                ax.hist(
                    values[labels == c, node], bins=bins, histtype="step", color=class_colour(c), label=f"class {c}"
                )
            ax.set_title(f"layer {layer}, node {node}", fontsize=10)
            ax.set_xlabel("pre-activation z" if of == "z" else "activation a = T(z)")
            ax.set_ylabel("training samples")
    figure_legend(fig, axes, ncol=5)
    fig.suptitle(f"Class distributions of {'z' if of == 'z' else 'a'}: {item.title}")
    return fig


def _node_panels(items: list[NodeInputs], draw, ylabel: str, ncol: int) -> Figure:
    """One panel per network, nodes of all hidden layers along x; ``draw(ax, item)``
    plots a panel and returns the frame whose layers mark the boundaries."""
    fig, axes = new_figure(len(items), 1, width=11.0, height=3.3 * len(items) + 0.5)
    for ax, item in zip(axes[:, 0], items):
        _layer_boundaries(ax, draw(ax, item))
        ax.set_ylabel(ylabel)
        ax.set_title(item.title, fontsize=10, pad=14)
    axes[-1][0].set_xlabel("node (all hidden layers)")
    figure_legend(fig, axes, ncol=ncol, markerscale=4)
    return fig


def _draw_medians(ax, item: NodeInputs) -> pd.DataFrame:
    frame = read_parquet(item.files["class_nodes"])
    frame = frame.assign(x=_global_index(frame))
    for c, group in frame.groupby("class"):
        ax.plot(group["x"], group["median_a"], ".", ms=2.5, color=class_colour(c), label=f"class {c}")
    return frame


def _draw_activity(ax, item: NodeInputs) -> pd.DataFrame:
    trained = read_table(item.files["trained"], "nodes")
    untrained = read_table(item.files["untrained"], "nodes")
    x = _global_index(trained)
    ax.plot(
        _global_index(untrained), untrained["activity_train"], ".", ms=2, color="grey", label="untrained (train set)"
    )
    ax.plot(x, trained["activity_train"], ".", ms=2.5, color="tab:blue", label="trained, train set")
    ax.plot(x, trained["activity_test"], ".", ms=2.5, color="tab:orange", alpha=0.7, label="trained, test set")
    ax.set_ylim(-2, 102)
    return trained


def distributions_z(items: list[NodeInputs]) -> Figure:
    return class_distributions(items, "z")


def distributions_a(items: list[NodeInputs]) -> Figure:
    return class_distributions(items, "a")


def medians_figure(items: list[NodeInputs]) -> Figure:
    """fig4_3…4_5, 4_8…4_11, A_1/A_2: per node, each class's median activation."""
    return _node_panels(items, _draw_medians, "median activation a", ncol=5)


def activity_figure(items: list[NodeInputs]) -> Figure:
    """fig5_1…5_5: per node, % of samples on: training set, test set, untrained network."""
    return _node_panels(items, _draw_activity, "samples on (%)", ncol=3)


def activity_heatmap(items: list[NodeInputs]) -> Figure:
    """fig5_6…5_9: class x node activity (% of the class's training samples on); dead
    nodes marked in red."""
    (item,) = items
    frame = read_parquet(item.files["class_nodes"])
    nodes = read_table(item.files["nodes"], "nodes")
    frame["x"] = _global_index(frame)
    grid = frame.pivot(index="class", columns="x", values="activity_train").to_numpy()
    fig, axes = new_figure(1, 1, width=12.0, height=3.8)
    ax = axes[0][0]
    image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=100, interpolation="nearest")
    dead = np.flatnonzero(nodes["dead"].to_numpy())
    dead_x = _global_index(nodes)[dead]
    if dead_x.size:
        mask = np.full(grid.shape, np.nan)
        mask[:, dead_x] = 1
        ax.imshow(mask, aspect="auto", cmap=ListedColormap(["red"]), interpolation="nearest")
    _layer_boundaries(ax, nodes)
    ax.set_yticks(range(10))
    ax.set_ylabel("class")
    ax.set_xlabel(f"node (all hidden layers); red: dead ({dead_x.size} of {len(nodes)})")
    fig.colorbar(image, ax=ax, label="class samples on (%)")
    ax.set_title(f"Node activity per class: {item.title}", fontsize=10, pad=14)
    return fig
