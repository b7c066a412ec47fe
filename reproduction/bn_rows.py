"""The MNIST 4x200 batch-norm rows (Table 5.1 dead nodes, Table 5.2 sparsity) under every
reading we tried, side by side, from the committed CSVs only:

    python reproduction/bn_rows.py > reproduction/mnist-4x200/bn-rows.md

Sources, all under ``reproduction/mnist-4x200``: the study's numbers and the full run's other
readings (``readings/summary.csv``, means only), the full run's tables (``results/tables``),
the learning-rate readings at 300 epochs (``lr-300/readings``), the 30-epoch screen
(``screen-30/readings/tables.csv``), batch norm after the activation (``readings/bn-after``,
20 epochs), the refined nets' readings at 300 epochs (``lr-300/refined/readings``) and the
searched nets with γ ~ U(0, 1) (``refine-bn-uniform/results``, issue 34 part 2). Cells are
"mean ± SE" over 3 seeds where the source has the SE.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).resolve().parents[1] / "reproduction/mnist-4x200"
NETS = {"ReLU, BN": "d4_w200_bn1_relu", "sigmoid, BN": "d4_w200_bn1_sigmoid"}
ROWS = [(net, None) for net in NETS] + [(net, layer) for net in NETS for layer in range(1, 5)]


def from_tables(folder: Path) -> dict:
    """{(network, layer or None for dead nodes): cell} from a folder's table5_1/5_2 CSVs."""
    cells = {}
    dead = pd.read_csv(folder / "table5_1.csv")
    sparsity = pd.read_csv(folder / "table5_2.csv")
    for net in NETS:
        if net in dead:
            cells[(net, None)] = dead[net].iloc[0]
        if net in sparsity:
            cells.update({(net, int(layer)): value for layer, value in zip(sparsity["layer"], sparsity[net])})
    return cells


def from_summary(column: str) -> dict:
    """The same rows from the full run's readings summary (the scorecard's values, means only)."""
    summary = pd.read_csv(FOLDER / "readings/summary.csv")
    cells = {}
    for net, network in NETS.items():
        rows = summary[summary["network"] == network]
        dead = rows[rows["metric"] == "dead_pct"]
        cells[(net, None)] = str(dead[column].iloc[0]).split()[0]
        sparsity = rows[(rows["metric"] == "sparsity") & (rows["source"] == "Table 5.2")]
        cells.update({(net, int(layer)): str(v).split()[0] for layer, v in zip(sparsity["layer"], sparsity[column])})
    return cells


def from_scorecard(path: Path, only: str = "") -> dict:
    """The same rows from a reading's scorecard (mean ± SE; ``only``: keep the nets whose
    name starts so)."""
    scores = pd.read_csv(path)
    cells = {}
    for net, network in NETS.items():
        if not net.startswith(only):
            continue
        rows = scores[(scores["network"] == network) & scores["source"].isin(["Table 5.1", "Table 5.2"])]
        for _, row in rows.iterrows():
            layer = None if row["metric"] == "dead_pct" else int(row["layer"])
            cells[(net, layer)] = f"{row['ours']:.2f} ± {row['ours_se']:.2f}"
    return cells


SCREEN_VARIANTS = {"": "", " (γ ~ U[0, 1])": "_gu"}  # a variant's name after the net's, and after its folder's


def selected_learning_rate(results: Path, network: str) -> str:
    """The learning rate a run's selection chose for a net (its ``selected.json`` under
    ``results``)."""
    return f"{json.loads((results / 'train/mnist' / network / 'selected.json').read_text())['learning_rate']:g}"


def from_screen(column: str, suffix: str = "", only: str = "", selected: bool = True) -> dict:
    """The same rows from the 30-epoch screen's side-by-side tables (``suffix``: a variant's
    name after the net's; ``only``: keep the nets whose name starts so). A column read at
    each net's selected learning rate says which rate that was, cell by cell: the screen
    selected 0.001 for one net and 0.01 for the other."""
    screen = pd.read_csv(FOLDER / "screen-30/readings/tables.csv")
    cells = {}
    for net in NETS:
        if not net.startswith(only):
            continue
        label = ""
        if selected:
            label = f" (lr {selected_learning_rate(FOLDER / 'screen-30/results', NETS[net] + SCREEN_VARIANTS[suffix])})"
        for _, row in screen[screen["network"] == net + suffix].iterrows():
            cells[(net, None if row["table"] == "table5_1" else int(row["layer"]))] = f"{row[column]}{label}"
    return cells


def from_search(folder: Path, suffix: str) -> dict:
    """The rows from a searched run's scorecard, each cell naming the rate the search selected
    for its net (``suffix``: the variant's name after the net's folder, e.g. ``_gu``)."""
    cells = from_scorecard(folder / "scorecard.csv")
    return {
        (net, layer): f"{cell} (lr {selected_learning_rate(folder, NETS[net] + suffix)})"
        for (net, layer), cell in cells.items()
    }


def main() -> None:
    study = from_summary("study")
    at_rate = FOLDER / "lr-300/readings"
    refined = FOLDER / "lr-300/refined/readings"
    columns = {
        "full run (lr 0.01 selected)": from_tables(FOLDER / "results/tables"),
        "lr 0.01 (rerun)": from_tables(at_rate / "learning_rate_0.01"),
        "lr 0.001 (= refined, γ = 1, scored)": from_tables(at_rate / "learning_rate_0.001"),
        "lr 0.0001": from_tables(at_rate / "learning_rate_0.0001"),
        "dead in sparsity": from_summary("dead_in_sparsity"),
        "batch statistics": from_summary("batch_statistics"),
        "screen (30 ep.), selected lr: default": from_screen("default"),
        "screen, selected lr: z before BN": from_screen("z_before_batch_norm"),
        "screen, selected lr: sigmoid z > 0.5": from_screen("sigmoid_z_above_half", only="sigmoid"),
        "screen, selected lr: γ ~ U[0, 1]": from_screen("default", suffix=" (γ ~ U[0, 1])"),
        "BN after activation (20 ep.)": from_tables(FOLDER / "readings/bn-after"),
        "refined (lr 0.001): z before BN": from_scorecard(refined / "z_before_batch_norm/scorecard.csv"),
        "refined: sigmoid z > 0.5": from_scorecard(refined / "sigmoid_z_above_half/scorecard.csv", only="sigmoid"),
        "refined, γ ~ U[0, 1] (scored)": from_search(FOLDER / "refine-bn-uniform/results", "_gu"),
    }
    table = pd.DataFrame(
        [
            {
                "row": f"{net}: " + ("dead nodes %" if layer is None else f"sparsity, layer {layer}"),
                "study": study[(net, layer)],
                **{name: cells.get((net, layer), "") for name, cells in columns.items()},
            }
            for net, layer in ROWS
        ]
    )
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
