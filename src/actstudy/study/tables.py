"""Tables 5.1 (dead nodes) and 5.2 (layer sparsity), laid out as in the study.

Input: one row per (architecture, seed, layer) with ``depth``, ``activation``,
``batch_norm``, ``seed``, ``layer``, ``n_nodes``, ``dead_pct``, ``sparsity`` (and
``variant``: what else sets the net apart, e.g. ``γ ~ U[0, 1]``; empty for the study's
nets). Columns of both tables: each activation present (in the registry's order, so ReLU
/ sigmoid first as in the study) x BN off / on, then each variant in a column of its own
(never pooled with the plain net). Written as CSV, Markdown and LaTeX.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from actstudy.core.activations import NAMES, get
from actstudy.core.config import Architecture
from actstudy.core.io import atomic_path, read_table
from actstudy.metrics.activity import mean_se
from actstudy.metrics.nodes import network_dead_pct

# The study's four columns, always present (empty where a configuration was not run).
STUDY_COLUMNS = [("relu", False, ""), ("relu", True, ""), ("sigmoid", False, ""), ("sigmoid", True, "")]
COLUMN = ["activation", "batch_norm", "variant"]  # what one column holds


def variant(arch: Architecture) -> str:
    """What sets a net apart from the study's net of its activation and batch norm
    (batch norm after the activation, its scale from U[0, 1], dropout, weight decay),
    or "" for the study's own."""
    parts = [
        "BN after" if arch.bn_after else "",
        "γ ~ U[0, 1]" if arch.bn_init == "uniform" else "",
        f"dropout {arch.dropout:g}" if arch.dropout else "",
        f"wd {arch.weight_decay:g}" if arch.weight_decay else "",
    ]
    return ", ".join(part for part in parts if part)


def column_label(activation: str, batch_norm: bool, variant: str = "") -> str:
    label = f"{get(activation).label}, {'BN' if batch_norm else 'no BN'}"
    return f"{label} ({variant})" if variant else label


def _columns(layers: pd.DataFrame) -> pd.DataFrame:
    return layers if "variant" in layers else layers.assign(variant="")


def _layout(cells: dict, index: list, index_names: list[str]) -> pd.DataFrame:
    present = {col for _, col in cells}
    columns = sorted(present | set(STUDY_COLUMNS), key=lambda c: (NAMES.index(c[0]), c[1], c[2]))
    frame = pd.DataFrame(
        [[cells.get((key, col), "") for col in columns] for key in index],
        index=pd.MultiIndex.from_tuples(index, names=index_names)
        if len(index_names) > 1
        else pd.Index(index, name=index_names[0]),
        columns=[column_label(*c) for c in columns],
    )
    return frame


def dead_nodes_table(layers: pd.DataFrame) -> pd.DataFrame:
    """% of all hidden nodes that are dead, per depth; mean ± SE over seeds."""
    cells = {}
    for (depth, act, bn, kind), group in _columns(layers).groupby(["depth", *COLUMN]):
        mean, se = mean_se([network_dead_pct(seed) for _, seed in group.groupby("seed")])
        cells[(depth, (act, bool(bn), kind))] = f"{mean:.2f} ± {se:.2f}"
    return _layout(cells, sorted(layers["depth"].unique().tolist()), ["depth"])


def sparsity_table(layers: pd.DataFrame) -> pd.DataFrame:
    """Layer sparsity (% of training samples off, over non-dead nodes); mean ± SE over seeds."""
    cells = {}
    for (depth, layer, act, bn, kind), group in _columns(layers).groupby(["depth", "layer", *COLUMN]):
        mean, se = mean_se(group["sparsity"])
        cells[((depth, layer), (act, bool(bn), kind))] = f"{mean:.2f} ± {se:.2f}"
    index = sorted(layers[["depth", "layer"]].drop_duplicates().itertuples(index=False, name=None))
    return _layout(cells, index, ["depth", "layer"])


def network_layers(networks: list[dict]) -> pd.DataFrame:
    """Every network's layer metrics (``dataset``, ``arch``, ``seed``, ``layers`` path per
    item) in one frame with the columns the tables group by."""
    frames = []
    for item in networks:
        arch = Architecture.parse(item["dataset"], item["arch"])
        frame = read_table(item["layers"], "layers")
        net = {
            "depth": arch.depth,
            "activation": arch.activation,
            "batch_norm": arch.batch_norm,
            "variant": variant(arch),
            "seed": item["seed"],
        }
        frames.append(frame.assign(**net))
    return pd.concat(frames, ignore_index=True)


# The caption each of the catalog's table kinds writes into its Markdown and LaTeX.
CAPTIONS = {
    "dead_nodes_table": "Dead nodes (% of all hidden nodes, on for no training sample), mean ± SE over seeds",
    "sparsity_table": "Layer sparsity (% of training samples a non-dead node is off for, averaged over the layer), "
    "mean ± SE over seeds",
}


def write_table(frame: pd.DataFrame, csv: str | Path, markdown: str | Path, latex: str | Path, caption: str) -> None:
    with atomic_path(csv) as tmp:
        frame.to_csv(tmp)
    with atomic_path(markdown) as tmp:
        tmp.write_text(f"{caption}\n\n{frame.reset_index().to_markdown(index=False)}\n")
    with atomic_path(latex) as tmp:
        tmp.write_text(frame.to_latex(caption=caption, escape=True, multirow=True))
