"""reproduction/search_table.py: a learning-rate search as Markdown, on hand-made rounds."""

import json
import subprocess
import sys

import pandas as pd
from conftest import REPO


def _round(folder, k, runs, plan=None):
    (folder / f"round{k}").mkdir(parents=True)
    pd.DataFrame(runs, columns=["run", "learning_rate", "seed", "diverged", "val_acc", "test_acc"]).to_csv(
        folder / f"round{k}/summary.csv", index=False
    )
    if plan is not None:
        (folder / f"round{k}/plan.json").write_text(json.dumps(plan))


def test_the_search_table_gives_each_rounds_rates_and_the_selection_over_all_rounds(tmp_path):
    net = tmp_path / "results/train/mnist/d4_w200_bn0_relu"
    _round(
        net,
        0,
        [
            ["lr0.01_s0", 0.01, 0, False, 0.97, 0.96],
            ["lr0.01_s1", 0.01, 1, True, 0.10, 0.10],  # diverged: never counts
            ["lr0.001_s0", 0.001, 0, False, 0.98, 0.97],
            ["lr0.001_s1", 0.001, 1, False, 0.99, 0.98],
        ],
    )
    plan1 = {"round": 1, "winner": 0.001, "step_decades": 0.5, "rates": [0.00316], "why": ""}  # the old key
    _round(
        net,
        1,
        [["lr0.00316_s0", 0.00316, 0, False, 0.991, 0.99], ["lr0.00316_s1", 0.00316, 1, False, 0.993, 0.99]],
        plan1,
    )
    (net / "round2").mkdir()
    plan2 = {"round": 2, "winner": 0.00316, "learning_rates": [], "why": "the 1 rounds of the config are done"}
    (net / "round2/plan.json").write_text(json.dumps(plan2))
    done = subprocess.run(
        [sys.executable, REPO / "reproduction/search_table.py", tmp_path], capture_output=True, text=True, timeout=3600
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| 0       | 0.01            | 2       | 1          | 97.000      |        | 96.000       |" in out
    assert "| 0       | 0.001           | 2       | 0          | 98.500      | 0.500  | 97.500       |" in out
    assert "| 1       | 0.00316         | 2       | 0          | 99.200      | 0.100  | 99.000       |" in out
    assert "Selected over every round: 0.00316." in out
    assert "The search stopped: round 2 was not run: the 1 rounds of the config are done." in out


def test_a_search_still_training_gives_the_best_so_far_and_the_planned_round(tmp_path):
    net = tmp_path / "results/train/mnist/d4_w200_bn1_relu_gu"
    _round(net, 0, [["lr0.01_s0", 0.01, 0, False, 0.99, 0.98], ["lr0.001_s0", 0.001, 0, False, 0.98, 0.97]])
    (net / "round1").mkdir()
    plan1 = {"round": 1, "winner": 0.01, "step_decades": 0.5, "learning_rates": [0.00316, 0.0316], "why": ""}
    (net / "round1/plan.json").write_text(json.dumps(plan1))
    done = subprocess.run(
        [sys.executable, REPO / "reproduction/search_table.py", tmp_path], capture_output=True, text=True, timeout=3600
    )
    assert done.returncode == 0, done.stderr
    assert "Best so far: 0.01; round 1 (0.00316, 0.0316) is planned and not finished." in done.stdout
    assert "Selected" not in done.stdout and "stopped" not in done.stdout
