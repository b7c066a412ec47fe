import json

import pandas as pd

from actstudy.training.selection import planned_learning_rates, refinement_plan, select_learning_rate


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
    from actstudy.training.selection import analysed_run

    selection = {"learning_rate": 0.01, "runs": ["lr0.01_s0", "lr0.01_s1"]}
    assert analysed_run(selection, 1) == "lr0.01_s1"
    assert analysed_run(selection, 1, 0.0001) == "lr0.0001_s1"


def _summary(rates_and_accuracies):
    rows = [
        {
            "run": f"lr{lr:g}_s{seed}",
            "learning_rate": lr,
            "seed": seed,
            "diverged": acc is None,
            "val_acc": acc if acc is not None else float("nan"),
        }
        for lr, acc in rates_and_accuracies
        for seed in (0, 1)
    ]
    return pd.DataFrame(rows)


def test_refinement_trains_the_neighbours_of_the_best_rate_at_a_halving_step():
    from actstudy.training.selection import refinement_plan

    coarse = _summary([(0.01, 0.90), (0.001, 0.95), (0.0001, 0.93)])
    first = refinement_plan(coarse, 1, 3)
    assert first["winner"] == 0.001 and first["step_decades"] == 0.5 and first["learning_rates"] == [0.000316, 0.00316]
    moved = pd.concat([coarse, _summary([(0.000316, 0.94), (0.00316, 0.96)])])
    second = refinement_plan(moved, 2, 3, first)
    assert second["winner"] == 0.00316 and second["learning_rates"] == [0.00178, 0.00562]  # a quarter decade
    # the stopping rules: the best rate did not move; the rounds are done; all diverged
    assert refinement_plan(coarse, 2, 3, first)["learning_rates"] == []
    assert "did not move" in refinement_plan(coarse, 2, 3, first)["why"]
    assert (
        refinement_plan(moved, 4, 3, second)["learning_rates"] == []
        and "rounds" in refinement_plan(moved, 4, 3, second)["why"]
    )
    assert refinement_plan(_summary([(0.01, None)]), 1, 3)["learning_rates"] == []
    # a neighbour already trained is not trained again, nor a rate of 1 or more
    edge = refinement_plan(_summary([(0.5, 0.9), (0.158, 0.8)]), 1, 3)
    assert edge["learning_rates"] == []


def test_a_plan_names_its_learning_rates_and_an_older_plans_key_is_still_read(tmp_path):
    plan = refinement_plan(_summary([(0.001, 0.9), (0.01, 0.8)]), 1, 2)
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    assert planned_learning_rates(tmp_path / "plan.json") == plan["learning_rates"] == [0.000316, 0.00316]
    (tmp_path / "old.json").write_text(json.dumps({"round": 1, "rates": [0.0316]}))  # before 2026-12-07
    assert planned_learning_rates(tmp_path / "old.json") == [0.0316]
