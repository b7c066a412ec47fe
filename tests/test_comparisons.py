"""The comparison figures' numbers, from small hand-made files whose answers are known."""

import json
import math

import pandas as pd
import pytest

from actstudy.figures.catalog import renderer
from actstudy.figures.comparison_numbers import numbers


def write_net(root, name, test_accs, layers, classifiers=None):
    """A network folder: summary (one run per seed at lr 0.001, plus an unselected lr),
    selection, and per seed the layer metrics (and classifier accuracies)."""
    folder = root / name
    folder.mkdir()
    seeds = range(len(test_accs))
    runs = [f"lr0.001_s{s}" for s in seeds]
    summary = pd.DataFrame(
        {
            "run": runs + ["lr0.01_s0"],
            "learning_rate": [0.001] * len(runs) + [0.01],
            "seed": [*seeds, 0],
            "diverged": False,
            "train_acc": 1.0,
            "val_acc": 0.9,
            "test_acc": list(test_accs) + [0.1],
        }
    )
    summary.to_csv(folder / "summary.csv", index=False)
    (folder / "selected.json").write_text(json.dumps({"learning_rate": 0.001, "runs": runs}))
    item = {
        "dataset": "digits",
        "arch": name,
        "summary": str(folder / "summary.csv"),
        "selection": str(folder / "selected.json"),
        "layers": {},
        "classifiers": {},
    }
    for seed in seeds:
        pd.DataFrame(layers[seed]).to_csv(folder / f"layers{seed}.csv", index=False)
        item["layers"][seed] = str(folder / f"layers{seed}.csv")
        if classifiers:
            pd.DataFrame(classifiers[seed]).to_csv(folder / f"classifiers{seed}.csv", index=False)
            item["classifiers"][seed] = str(folder / f"classifiers{seed}.csv")
    return item


def layer_rows(dead, sparsity, n_nodes=(10, 30)):
    return {"layer": [1, 2], "n_nodes": list(n_nodes), "dead_pct": dead, "sparsity": sparsity}


@pytest.fixture
def nets(tmp_path):
    relu = write_net(
        tmp_path,
        "d2_w32_bn0_relu",
        [0.90, 0.94],
        [layer_rows([10.0, 0.0], [60.0, 70.0]), layer_rows([30.0, 20.0], [64.0, 74.0])],
        [
            {
                "layer": [None, None, 1, 1, 1, 2],
                "system": ["network", "network", "discrete", "discrete", "combined", "combined"],
                "split": ["train", "test", "train", "test", "test", "test"],
                "accuracy": [99.0, 92.0, 80.0, 70.0, 75.0, 85.0],
            }
        ]
        * 2,
    )
    tanh = write_net(tmp_path, "d2_w32_bn0_tanh_do0.2", [0.80], [layer_rows([0.0, 0.0], [50.0, 40.0])])
    return relu, tanh


def test_accuracy_is_mean_and_se_of_the_selected_runs(nets):
    table = numbers("accuracy", list(nets))
    relu = table[table["network"] == "d2_w32_bn0_relu"].iloc[0]
    assert relu["mean"] == pytest.approx(92.0)
    assert relu["se"] == pytest.approx(2.0)  # sd of (90, 94) is 2.83, / sqrt 2
    assert relu["n"] == 2
    tanh = table[table["network"] == "d2_w32_bn0_tanh_do0.2"].iloc[0]
    assert (tanh["activation"], tanh["dropout"], tanh["mean"], tanh["se"]) == ("tanh", 0.2, pytest.approx(80.0), 0.0)


def test_sparsity_and_dead_per_layer(nets):
    sparsity = numbers("sparsity", list(nets)).set_index(["network", "layer"])
    assert sparsity.loc[("d2_w32_bn0_relu", 1), "mean"] == pytest.approx(62.0)
    assert sparsity.loc[("d2_w32_bn0_relu", 2), "se"] == pytest.approx(2.0)
    dead = numbers("dead", list(nets)).set_index(["network", "layer"])
    assert dead.loc[("d2_w32_bn0_relu", 1), "mean"] == pytest.approx(20.0)
    assert set(numbers("dead", list(nets))["metric"]) == {"dead"}


def test_regularisation_has_net_level_dead_nodes_weighted_by_layer_size(nets):
    table = numbers("regularisation", list(nets))
    relu = table[table["network"] == "d2_w32_bn0_relu"].set_index("metric")
    # seed 0: (10% of 10 + 0% of 30) / 40 = 2.5 %; seed 1: (3 + 6) / 40 = 22.5 %
    assert relu.loc["dead", "mean"] == pytest.approx(12.5)
    assert relu.loc["mean_sparsity", "mean"] == pytest.approx((65.0 + 69.0) / 2)
    assert relu.loc["test_accuracy", "mean"] == pytest.approx(92.0)
    assert table["layer"].isna().all()


def test_classifier_rows_are_test_accuracy_per_system_and_layer(nets):
    table = numbers("classifiers", [nets[0]])
    network = table[table["metric"] == "network_accuracy"]
    assert len(network) == 1 and network["mean"].iloc[0] == pytest.approx(92.0)  # the test split only
    discrete = table[table["metric"] == "classifier_discrete"]
    assert discrete["layer"].tolist() == [1] and discrete["mean"].iloc[0] == pytest.approx(70.0)
    assert sorted(table[table["metric"] == "classifier_combined"]["layer"].tolist()) == [1, 2]


@pytest.mark.parametrize("kind", ["accuracy", "sparsity", "dead", "regularisation"])
def test_every_comparison_draws_from_its_table(nets, kind):
    fig = renderer(kind)(numbers(kind, list(nets)))
    assert len(fig.axes) >= 1
    assert any(
        not math.isnan(line.get_ydata()[0]) for ax in fig.axes for line in ax.get_lines() if len(line.get_ydata())
    )


def test_an_unknown_comparison_kind_is_an_error_that_names_it(nets):
    with pytest.raises(ValueError, match="'medians' is not a comparison kind of the catalog \\(accuracy, sparsity"):
        numbers("medians", nets)  # a kind of the catalog, but not a comparison
    with pytest.raises(ValueError, match="'mean_sparsity_bars' is not a comparison kind"):
        numbers("mean_sparsity_bars", nets)


def test_every_comparison_kind_of_the_catalog_has_rows_for_every_network(nets):
    from actstudy.figures.catalog import FIGURE_KINDS

    comparisons = [name for name, kind in FIGURE_KINDS.items() if kind.family == "comparison"]
    for kind in comparisons:
        with_files = [item for item in nets if all(item[need] for need in FIGURE_KINDS[kind].needs if need != "train")]
        table = numbers(kind, with_files)
        assert set(table["network"]) == {item["arch"] for item in with_files} != set(), kind  # never an empty table
