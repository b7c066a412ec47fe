"""Beyond the study: activations and regularisers side by side (the ``cmp_*`` figures),
each drawn from its comparison's tidy table alone (``actstudy.figures.comparison_numbers``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from actstudy.core.activations import NAMES
from actstudy.figures.comparison_numbers import METRIC_LABELS
from actstudy.figures.style import ACTIVATION_COLOURS, ACTIVATION_NAMES, figure_legend, new_figure


def _order(activations) -> list[str]:
    return sorted(set(activations), key=NAMES.index)


def _with_keys(table: pd.DataFrame) -> pd.DataFrame:
    """The table with two panel keys: ``shape`` (e.g. "mnist 4x200") and ``reg`` (the
    regulariser, e.g. "dropout 0.2, wd 0.0001"; "" for none)."""

    def regulariser(row) -> str:
        parts = [
            f"dropout {row['dropout']:g}" if row["dropout"] else "",
            f"wd {row['weight_decay']:g}" if row["weight_decay"] else "",
        ]
        return ", ".join(p for p in parts if p)

    out = table.copy()
    out["shape"] = [f"{d} {dep}x{w}" for d, dep, w in zip(out["dataset"], out["depth"], out["width"])]
    out["reg"] = [regulariser(row) for _, row in out.iterrows()] if len(out) else []
    out["batch_norm"] = out["batch_norm"].astype(bool)
    return out


def _variant_label(bn: bool, reg: str) -> str:
    return ("BN" if bn else "no BN") + (f", {reg}" if reg else "")


def _accuracy(table: pd.DataFrame) -> Figure:
    """Test accuracy per activation: one panel per network shape, BN off (filled) / on (open)."""
    shapes = sorted(set(table["shape"]))
    acts = _order(table["activation"])
    fig, axes = new_figure(
        1, len(shapes), width=max(5.5, 0.75 * len(acts) + 1.5) * len(shapes), height=4.0, sharey=True
    )
    for ax, shape in zip(axes[0], shapes):
        rows = table[table["shape"] == shape]
        variants = sorted(set(zip(rows["batch_norm"], rows["reg"])))
        offsets = np.linspace(-0.25, 0.25, len(variants)) if len(variants) > 1 else [0.0]
        for r in rows.itertuples():
            v = variants.index((r.batch_norm, r.reg))
            colour = ACTIVATION_COLOURS[r.activation]
            label = _variant_label(r.batch_norm, r.reg)
            ax.errorbar(
                acts.index(r.activation) + offsets[v],
                r.mean,
                yerr=r.se,
                fmt="s" if r.batch_norm else "o",
                color=colour,
                mfc="white" if r.batch_norm else colour,
                capsize=3,
                ms=6,
                label=label,
            )
        ax.set_xticks(range(len(acts)), [ACTIVATION_NAMES[a] for a in acts], rotation=30, ha="right")
        ax.set_title(shape)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("test accuracy (%), mean ± SE over seeds")
    _legend_by_marker(fig, axes)
    fig.suptitle("Test accuracy per activation")
    return fig


def _legend_columns(entries: int, panels: int) -> int:
    """Legend columns that fit under ``panels`` panels side by side: 4 per panel."""
    return max(1, min(entries, 4 * panels))


def _legend_by_marker(fig, axes) -> None:
    """Legend of the BN / regulariser variants in black (colour says the activation)."""
    handles: dict = {}
    for row in axes:
        for ax in row:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
    from matplotlib.lines import Line2D

    proxies = [
        Line2D(
            [],
            [],
            ls="",
            marker=h[0].get_marker(),
            color="black",
            mfc=h[0].get_markerfacecolor() if h[0].get_markerfacecolor() == "white" else "black",
        )
        for h in handles.values()
    ]
    if proxies:
        fig.legend(proxies, list(handles), loc="outside lower center", ncol=len(proxies))


def _per_layer(table: pd.DataFrame, metric: str, ylabel: str, title: str) -> Figure:
    """One line per activation over the hidden layers; rows: BN off / on; columns: shapes."""
    data = table[(table["metric"] == metric) & table["layer"].notna()]
    shapes = sorted(set(data["shape"]))
    variants = sorted(set(zip(data["batch_norm"], data["reg"])))
    fig, axes = new_figure(
        len(variants),
        len(shapes),
        width=max(7.0, 3.8 * len(shapes) + 0.5),
        height=2.9 * len(variants) + 0.8,
        sharex=True,
        sharey=True,
    )
    for r_index, variant in enumerate(variants):
        for c_index, shape in enumerate(shapes):
            ax = axes[r_index][c_index]
            ax.set_title(f"{shape}, {_variant_label(*variant)}", fontsize=10)
            panel = data[(data["shape"] == shape) & (data["batch_norm"] == variant[0]) & (data["reg"] == variant[1])]
            for act in _order(panel["activation"]):
                rows = panel[panel["activation"] == act]
                if rows.empty:
                    continue
                rows = rows.sort_values("layer")
                ax.errorbar(
                    rows["layer"].astype(int),
                    rows["mean"],
                    yerr=rows["se"],
                    marker="o",
                    ms=4,
                    capsize=2,
                    color=ACTIVATION_COLOURS[act],
                    label=ACTIVATION_NAMES[act],
                )
            ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("hidden layer")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in (row[0] for row in axes):
        ax.set_ylabel(ylabel)
    figure_legend(fig, axes, ncol=_legend_columns(len(_order(data["activation"])), len(shapes)))
    fig.suptitle(title)
    return fig


def _classifiers(table: pd.DataFrame) -> Figure:
    """Per-layer test accuracy of each classifier system; dashed: the network's own."""
    systems = [s for s in ("discrete", "continuous", "combined") if f"classifier_{s}" in set(table["metric"])]
    variants = sorted(set(zip(table["shape"], table["batch_norm"], table["reg"])))
    fig, axes = new_figure(
        len(variants),
        len(systems),
        width=max(7.0, 3.8 * len(systems) + 0.5),
        height=2.9 * len(variants) + 0.8,
        sharex=True,
        sharey=True,
    )
    for r_index, (shape, bn, reg) in enumerate(variants):
        mine = table[(table["shape"] == shape) & (table["batch_norm"] == bn) & (table["reg"] == reg)]
        for c_index, system in enumerate(systems):
            ax = axes[r_index][c_index]
            ax.set_title(f"{system}: {shape}, {_variant_label(bn, reg)}", fontsize=10)
            for act in _order(mine["activation"]):
                rows = mine[(mine["activation"] == act) & (mine["metric"] == f"classifier_{system}")].sort_values(
                    "layer"
                )
                colour = ACTIVATION_COLOURS[act]
                if not rows.empty:
                    ax.errorbar(
                        rows["layer"].astype(int),
                        rows["mean"],
                        yerr=rows["se"],
                        marker="o",
                        ms=4,
                        capsize=2,
                        color=colour,
                        label=ACTIVATION_NAMES[act],
                    )
                network = mine[(mine["activation"] == act) & (mine["metric"] == "network_accuracy")]
                if not network.empty and not rows.empty:
                    ax.axhline(float(network["mean"].iloc[0]), color=colour, ls="--", lw=0.9)
            ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("hidden layer")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in (row[0] for row in axes):
        ax.set_ylabel("test accuracy (%)")
    figure_legend(fig, axes, ncol=_legend_columns(len(_order(table["activation"])), len(systems)))
    fig.suptitle("Layers as classifiers, per activation (dashed: the network's own test accuracy)")
    return fig


def _regularisation(table: pd.DataFrame) -> Figure:
    """Accuracy, mean sparsity and dead nodes against dropout; one line per activation,
    BN setting and weight decay (solid: no weight decay)."""
    metrics = ["test_accuracy", "mean_sparsity", "dead"]
    data = table[table["layer"].isna()]
    decays = sorted(data["weight_decay"].unique())
    styles = ["-", "--", ":", "-."]
    fig, axes = new_figure(1, len(metrics), width=4.2 * len(metrics), height=3.9)
    for ax, metric in zip(axes[0], metrics):
        rows = data[data["metric"] == metric]
        for (act, bn, decay, shape), group in rows.groupby(["activation", "batch_norm", "weight_decay", "shape"]):
            group = group.sort_values("dropout")
            label = f"{ACTIVATION_NAMES[act]}{', BN' if bn else ''}, wd {decay:g}" + (
                f", {shape}" if rows["shape"].nunique() > 1 else ""
            )
            ax.errorbar(
                group["dropout"],
                group["mean"],
                yerr=group["se"],
                marker="s" if bn else "o",
                ms=5,
                capsize=2,
                color=ACTIVATION_COLOURS[act],
                ls=styles[decays.index(decay) % len(styles)],
                mfc="white" if bn else ACTIVATION_COLOURS[act],
                label=label,
            )
        ax.set_xlabel("dropout probability")
        ax.set_ylabel(METRIC_LABELS[metric])
        ax.grid(alpha=0.3)
    figure_legend(fig, axes, ncol=4)
    fig.suptitle(f"Regularisation: {', '.join(sorted(set(table['shape'])))} (mean ± SE over seeds)")
    return fig


# The renderers of the catalog's comparison kinds, each from the kind's table (``numbers``).


def accuracy(table: pd.DataFrame) -> Figure:
    return _accuracy(_with_keys(table))


def sparsity(table: pd.DataFrame) -> Figure:
    return _per_layer(
        _with_keys(table), "sparsity", "layer sparsity (%)", "Layer sparsity per activation (mean ± SE over seeds)"
    )


def dead(table: pd.DataFrame) -> Figure:
    return _per_layer(
        _with_keys(table), "dead", "dead nodes (%)", "Dead nodes per layer and activation (mean ± SE over seeds)"
    )


def classifiers(table: pd.DataFrame) -> Figure:
    return _classifiers(_with_keys(table))


def regularisation(table: pd.DataFrame) -> Figure:
    return _regularisation(_with_keys(table))
