import pandas as pd

from actstudy.selection import select_learning_rate


def summary(rows):
    return pd.DataFrame(rows, columns=["run", "learning_rate", "seed", "val_acc", "diverged"])


def test_best_mean_validation_accuracy_wins():
    choice = select_learning_rate(
        summary(
            [
                ["a0", 0.01, 0, 0.99, False],  # best single run, but a poor mean
                ["a1", 0.01, 1, 0.80, False],
                ["b0", 0.001, 0, 0.95, False],
                ["b1", 0.001, 1, 0.94, False],
            ]
        )
    )
    assert choice["learning_rate"] == 0.001
    assert choice["runs"] == ["b0", "b1"]
    assert choice["val_acc_by_learning_rate"] == {0.001: 0.945, 0.01: 0.895}


def test_diverged_runs_are_never_selected():
    choice = select_learning_rate(
        summary(
            [
                ["a0", 0.1, 0, 0.97, False],
                ["a1", 0.1, 1, float("nan"), True],
                ["b0", 0.01, 0, 0.90, False],
            ]
        )
    )
    assert choice["learning_rate"] == 0.1
    assert choice["runs"] == ["a0"]


def test_all_diverged_selects_nothing():
    choice = select_learning_rate(summary([["a0", 1.0, 0, float("nan"), True]]))
    assert choice["learning_rate"] is None and choice["runs"] == []
    assert choice["val_acc_by_learning_rate"] == {1.0: None}


def test_the_analysed_run_is_the_selected_one_or_the_readings_rate():
    from actstudy.selection import analysed_run

    selection = {"learning_rate": 0.01, "runs": ["lr0.01_s0", "lr0.01_s1"]}
    assert analysed_run(selection, 1) == "lr0.01_s1"
    assert analysed_run(selection, 1, 0.0001) == "lr0.0001_s1"
