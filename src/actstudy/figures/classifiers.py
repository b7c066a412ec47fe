"""Chapter 6 figures: hidden nodes and layers as classifiers.

Colours follow the study: discrete blue, continuous orange, combined green, the
network's own accuracy a red dotted line.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from actstudy.core.io import read_table
from actstudy.extraction.zparquet import layers_in, read_layer
from actstudy.figures.nodes import NodeInputs
from actstudy.figures.style import figure_legend, new_figure
from actstudy.metrics.bandwidth import BANDWIDTH

SYSTEM_COLOURS = {"discrete": "tab:blue", "continuous": "tab:orange", "combined": "tab:green"}


def layer_accuracy(items: list[NodeInputs]) -> Figure:
    """fig6_2…6_7, A_3…A_6: per hidden layer, the accuracy of each system on the
    training and test split (rows), one column per network (or per state of one network)."""
    one_network = len({(i.arch, i.seed) for i in items}) == 1 and len(items) > 1
    fig, axes = new_figure(2, len(items), width=max(6.0, 2.6 * len(items)), height=5.8, sharey="row")
    for col, item in enumerate(items):
        frame = read_table(item.files["classifiers"], "classifiers")
        network = frame[frame["system"] == "network"].set_index("split")["accuracy"]
        layers = frame[frame["system"] != "network"].astype({"layer": int})
        for row, split in enumerate(("train", "test")):
            ax = axes[row][col]
            for system, group in layers[layers["split"] == split].groupby("system", sort=False):
                group = group.sort_values("layer")
                ax.plot(group["layer"], group["accuracy"], "o-", ms=3.5, color=SYSTEM_COLOURS[system], label=system)
            ax.axhline(network[split], color="tab:red", ls=":", lw=1.5, label="network")
            ax.set_xticks(sorted(layers["layer"].unique()))
            ax.grid(alpha=0.3)
            if row == 1:
                ax.set_xlabel("hidden layer")
            if col == 0:
                ax.set_ylabel(f"{split} accuracy (%)")
        axes[0][col].set_title(item.state_name if one_network else item.arch.label, fontsize=10)
    first = items[0]
    if one_network:
        what = f"{first.arch.dataset} {first.arch.label}, seed {first.seed}"
    else:
        what = f"{first.arch.dataset}, seed {first.seed}, {first.state_name}"
    fig.suptitle(f"Layer accuracy of each system: {what}")
    figure_legend(fig, axes, ncol=4)
    return fig


def _shown_node(z: np.ndarray) -> int:
    """The node whose training samples are closest to half on, half off (never a dead one)."""
    on = (z > 0).mean(axis=0)
    return int(np.argmin(np.abs(on - 0.5)))


def class_density(values: np.ndarray, grid: np.ndarray, bandwidth: float) -> np.ndarray:
    """The exact Gaussian KDE of one class's ``values`` at ``grid`` (scikit-learn's, by the
    absolute ``bandwidth``): the estimate the continuous classifier bins
    (``actstudy.metrics.kde``), without importing torch into a figure job."""
    from sklearn.neighbors import KernelDensity

    return np.exp(KernelDensity(bandwidth=bandwidth).fit(values[:, None]).score_samples(grid[:, None]))


def kde_overlay(items: list[NodeInputs]) -> Figure:
    """fig6_1: for one node of each network, the histograms of z of three classes (lowest,
    middle and highest median z at that node) with their KDE (bandwidth 0.2) laid over."""
    fig, axes = new_figure(1, len(items), width=5.0 * len(items), height=4.0)
    for ax, item in zip(axes[0], items):
        path = item.files["z"]
        layer = item.layer or layers_in(path)[0]
        z, labels = read_layer(path, layer)
        node = _shown_node(z)
        values = z[:, node].astype(np.float64)
        classes = np.unique(labels)
        order = classes[np.argsort([np.median(values[labels == c]) for c in classes], kind="stable")]
        shown = [int(order[0]), int(order[len(order) // 2]), int(order[-1])]
        grid = np.linspace(values.min() - 3 * BANDWIDTH, values.max() + 3 * BANDWIDTH, 600)
        bins = np.histogram_bin_edges(values, bins=50)
        for c in shown:
            colour = f"C{c}"
            ax.hist(values[labels == c], bins=bins, density=True, histtype="stepfilled", alpha=0.25, color=colour)
            ax.plot(grid, class_density(values[labels == c], grid, BANDWIDTH), color=colour, lw=1.6, label=f"class {c}")
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel("density")
        ax.set_title(f"{item.arch.label}: layer {layer}, node {node}", fontsize=10)
        ax.legend(fontsize=8, title="histogram and KDE", title_fontsize=8)
    first = items[0]
    fig.suptitle(
        f"KDE (bandwidth {BANDWIDTH}) over class histograms: {first.arch.dataset}, {first.state_name}, seed {first.seed}"
    )
    return fig
