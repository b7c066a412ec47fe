"""reproduction/collect.py copies a run's small outputs, a learning-rate search's rounds
included, and never a state file or Parquet (hand-made results tree)."""

import importlib.util

from conftest import REPO


def test_rounds_are_collected_and_states_are_not(tmp_path):
    spec = importlib.util.spec_from_file_location("collect", REPO / "reproduction/collect.py")
    collect = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(collect)
    net = tmp_path / "results/train/mnist/d4_w200_bn0_relu"
    for name in (
        "history.csv",
        "summary.csv",
        "selected.json",
        "best.pt",
        "round1/plan.json",
        "round1/history.csv",
        "round1/summary.csv",
        "round1/best.pt",
    ):
        (net / name).parent.mkdir(parents=True, exist_ok=True)
        (net / name).write_text("x")
    copied = collect.collect(tmp_path / "results", tmp_path / "dest", "mnist")
    names = sorted(p.relative_to(tmp_path / "dest/results/train/mnist/d4_w200_bn0_relu").as_posix() for p in copied)
    assert names == [
        "history.csv",
        "round1/history.csv",
        "round1/plan.json",
        "round1/summary.csv",
        "selected.json",
        "summary.csv",
    ]
