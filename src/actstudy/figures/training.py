"""Chapter 1 and 3 figures: activation shapes, learning curves, test accuracy.

Every function takes the loaded results of the architectures a figure uses (in the
order the config lists them) and returns a matplotlib Figure. Curves over seeds show
the mean with a band of ± one standard error; accuracies are in percent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from actstudy.figures.style import (
    ACTIVATION_COLOURS,
    ACTIVATION_NAMES,
    CURVE_COLOURS,
    figure_legend,
    new_figure,
)
from actstudy.training.results import ArchResults


def mean_se_by(frame: pd.DataFrame, value: str, by: str = "epoch") -> pd.DataFrame:
    """Mean and standard error (ddof=1; 0 for a single run) of ``value`` per ``by``."""
    grouped = frame.groupby(by)[value]
    out = pd.DataFrame({"mean": grouped.mean(), "se": grouped.sem(ddof=1), "n": grouped.count()})
    out["se"] = out["se"].fillna(0.0)
    return out


def _band(ax, stats: pd.DataFrame, colour: str, label: str, scale: float = 100.0, style: str = "-") -> None:
    x = stats.index.to_numpy()
    mean, se = stats["mean"].to_numpy() * scale, stats["se"].to_numpy() * scale
    ax.plot(x, mean, style, color=colour, label=label, lw=1.4)
    ax.fill_between(x, mean - se, mean + se, color=colour, alpha=0.2, lw=0)


def _zoom(ax, values: list[np.ndarray], pad: float = 1.0) -> None:
    """Accuracy axes: from just under the lowest curve past the first epochs to 100%."""
    tails = [v[len(v) // 10 :] for v in values if len(v)]
    tails = [t[np.isfinite(t)] for t in tails]
    tails = [t for t in tails if t.size]
    if tails:
        low = max(0.0, min(np.percentile(t, 2) for t in tails) - pad)
        ax.set_ylim(low, 100.0 + pad / 2)


def _missing(ax, result: ArchResults) -> bool:
    if result.selected_runs:
        return False
    ax.text(0.5, 0.5, "every run diverged", ha="center", va="center", transform=ax.transAxes, color="grey")
    return True


def activation_shapes() -> Figure:
    """fig1_1: sigmoid and ReLU as functions of the pre-activation z (the study's two)."""
    fig, axes = new_figure(1, 2, width=8.0, height=3.2, sharey=False)
    z = np.linspace(-6, 6, 601)
    shapes = {"sigmoid": 1 / (1 + np.exp(-z)), "relu": np.maximum(z, 0)}
    for ax, (name, a) in zip(axes[0], shapes.items()):
        ax.plot(z, a, color=ACTIVATION_COLOURS[name], lw=2)
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        ax.set_title(ACTIVATION_NAMES[name])
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel("activation a = T(z)")
    axes[0][0].axhline(0.5, color="grey", lw=0.8, ls=":")
    fig.suptitle("Shapes of the two activation functions")
    return fig


def curves_pair(results: list[ArchResults]) -> Figure:
    """fig1_2: train and validation accuracy per epoch of one run per activation."""
    fig, axes = new_figure(1, 1, width=6.5, height=4.2)
    ax = axes[0][0]
    tails = []
    for result in results:
        if _missing(ax, result):
            continue
        act = result.arch.activation
        run = result.selected_history()
        run = run[run["run"] == result.selected_runs[0]]
        for value, style in (("train_acc", "-"), ("val_acc", "--")):
            y = run[value].to_numpy() * 100
            tails.append(y)
            ax.plot(
                run["epoch"],
                y,
                style,
                color=ACTIVATION_COLOURS[act],
                lw=1.4,
                label=f"{ACTIVATION_NAMES[act]} {'train' if value == 'train_acc' else 'validation'}",
            )
    arch = results[0].arch
    ax.set_title(
        f"{arch.dataset}: {arch.depth}x{arch.width}{', BN' if arch.batch_norm else ''}, best learning rate, one seed"
    )
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    _zoom(ax, tails)
    ax.legend(loc="lower right")
    return fig


def lr_comparison(results: list[ArchResults]) -> Figure:
    """fig1_3: mean validation accuracy over seeds per learning rate, ReLU vs sigmoid."""
    learning_rates = sorted({x for r in results for x in r.history["learning_rate"].unique()}, reverse=True)
    fig, axes = new_figure(1, len(learning_rates), width=3.4 * len(learning_rates), height=3.6)
    for ax, learning_rate in zip(axes[0], learning_rates):
        tails = []
        for result in results:
            act = result.arch.activation
            runs = result.history[result.history["learning_rate"] == learning_rate]
            stats = mean_se_by(runs, "val_acc")
            n = runs["seed"].nunique()
            _band(ax, stats, ACTIVATION_COLOURS[act], f"{ACTIVATION_NAMES[act]} (n={n})")
            tails.append(stats["mean"].to_numpy() * 100)
        ax.set_title(f"initial learning rate {learning_rate:g}")
        ax.set_xlabel("epoch")
        _zoom(ax, tails)
        ax.legend(loc="lower right")
    axes[0][0].set_ylabel("validation accuracy (%), mean ± SE")
    arch = results[0].arch
    fig.suptitle(f"{arch.dataset} {arch.depth}x{arch.width}: validation accuracy over seeds")
    return fig


def learning_curve(results: list[ArchResults]) -> Figure:
    """fig3_1: accuracy and loss of one run, best epoch marked."""
    (result,) = results
    fig, axes = new_figure(2, 1, width=6.5, height=6.0, sharex=True)
    acc_ax, loss_ax = axes[0][0], axes[1][0]
    if _missing(acc_ax, result):
        return fig
    run_name = result.selected_runs[0]
    run = result.history[result.history["run"] == run_name]
    best = int(result.summary.set_index("run").loc[run_name, "best_epoch"])
    for value, colour, label in (
        ("train_acc", CURVE_COLOURS["train"], "train"),
        ("val_acc", CURVE_COLOURS["val"], "validation"),
    ):
        acc_ax.plot(run["epoch"], run[value] * 100, color=colour, label=label, lw=1.4)
    for value, colour, label in (
        ("train_loss", CURVE_COLOURS["train"], "train"),
        ("val_loss", CURVE_COLOURS["val"], "validation"),
    ):
        loss_ax.plot(run["epoch"], run[value], color=colour, label=label, lw=1.4)
    for ax in (acc_ax, loss_ax):
        ax.axvline(best, color="black", ls=":", lw=1, label=f"best epoch ({best})")
    _zoom(acc_ax, [run["train_acc"].to_numpy() * 100, run["val_acc"].to_numpy() * 100])
    acc_ax.set_ylabel("accuracy (%)")
    loss_ax.set_ylabel("cross-entropy loss")
    loss_ax.set_xlabel("epoch")
    acc_ax.legend(loc="lower right")
    loss_ax.legend(loc="upper right")
    arch = result.arch
    learning_rate = result.selection["learning_rate"]
    acc_ax.set_title(f"{arch.dataset} {arch.label}, learning rate {learning_rate:g}, run {run_name}")
    return fig


def curves_grid(results: list[ArchResults]) -> Figure:
    """fig3_2 and kin: train and validation accuracy, mean ± SE over seeds, ReLU vs
    sigmoid; one column per depth (and width), one row per batch-norm setting."""
    columns = sorted({(r.arch.depth, r.arch.width) for r in results})
    rows = sorted({r.arch.batch_norm for r in results})
    fig, axes = new_figure(
        len(rows), len(columns), width=3.2 * len(columns), height=2.9 * len(rows) + 0.6, sharex=True, sharey=True
    )
    tails = []
    for result in results:
        arch = result.arch
        ax = axes[rows.index(arch.batch_norm)][columns.index((arch.depth, arch.width))]
        ax.set_title(f"{arch.depth}x{arch.width}, bn_{int(arch.batch_norm)}", fontsize=10)
        if _missing(ax, result):
            continue
        history = result.selected_history()
        for value in ("train_acc", "val_acc"):
            stats = mean_se_by(history, value)
            key = (arch.activation, "train" if value == "train_acc" else "val")
            _band(ax, stats, CURVE_COLOURS[key], f"{ACTIVATION_NAMES[arch.activation]} {key[1]}")
            tails.append(stats["mean"].to_numpy() * 100)
    for row in axes:
        for ax in row:
            _zoom(ax, tails)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in (row[0] for row in axes):
        ax.set_ylabel("accuracy (%)")
    figure_legend(fig, axes, ncol=4)
    fig.suptitle(f"{results[0].arch.dataset}: accuracy per epoch, mean ± SE over seeds (selected learning rate)")
    return fig


def test_accuracy(results: list[ArchResults]) -> Figure:
    """fig3_4 and kin: test accuracy at the best epoch per configuration, mean ± SE."""
    widths = sorted({r.arch.width for r in results})
    depths = sorted({r.arch.depth for r in results})
    variants = sorted({(r.arch.activation, r.arch.batch_norm) for r in results})
    fig, axes = new_figure(
        1, len(widths), width=max(4.5, 1.2 * len(depths) * len(variants) / 2) * len(widths), height=4.2, sharey=True
    )
    offsets = np.linspace(-0.2, 0.2, len(variants)) if len(variants) > 1 else [0.0]
    values = []
    for result in results:
        arch = result.arch
        ax = axes[0][widths.index(arch.width)]
        acc = result.selected_summary()["test_acc"].to_numpy() * 100
        if acc.size == 0:
            continue
        se = acc.std(ddof=1) / np.sqrt(acc.size) if acc.size > 1 else 0.0
        variant = variants.index((arch.activation, arch.batch_norm))
        x = depths.index(arch.depth) + offsets[variant]
        colour = ACTIVATION_COLOURS[arch.activation]
        ax.errorbar(
            x,
            acc.mean(),
            yerr=se,
            fmt="o" if not arch.batch_norm else "s",
            color=colour,
            mfc=colour if not arch.batch_norm else "white",
            capsize=3,
            ms=6,
            label=f"{ACTIVATION_NAMES[arch.activation]}, bn_{int(arch.batch_norm)}",
        )
        values.append(acc.mean() - se)
    for ax, width in zip(axes[0], widths):
        ax.set_xticks(range(len(depths)), [f"{d} layers" for d in depths])
        ax.set_xlim(-0.5, len(depths) - 0.5)
        ax.set_title(f"width {width}")
        ax.grid(axis="y", alpha=0.3)
    if values:
        low = min(values)
        axes[0][0].set_ylim(max(0, low - 0.15 * (100 - low)), 100)
    axes[0][0].set_ylabel("test accuracy at best epoch (%), mean ± SE")
    figure_legend(fig, axes, ncol=len(variants))
    fig.suptitle(f"{results[0].arch.dataset}: test accuracy per configuration")
    return fig
