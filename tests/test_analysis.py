"""The per-network analysis jobs: what each net's jobs make, from the files the targets
read (hand-made lists), and that the jobs write what the per-state functions write."""

import os

import pandas as pd
import pytest
import torch

from actstudy.analysis.plan import (
    StateWork,
    classifier_outputs,
    extraction_inputs,
    measured_z,
    node_outputs,
    plan_analyses,
    z_outputs,
)
from actstudy.analysis.run import extract_network, measure_nodes, score_classifiers
from actstudy.core.config import Architecture
from actstudy.data.splits import save_splits
from actstudy.extraction.extract import write_activations
from actstudy.metrics.classifiers import classifier_accuracies
from actstudy.metrics.nodes import node_metrics
from actstudy.training.models import reference_mlp
from actstudy.training.states import save_states

RELU = Architecture("digits", 2, 32, False, "relu")
BN = Architecture("digits", 2, 32, True, "sigmoid")
REQUESTED = [
    "results/train/digits/d2_w32_bn0_relu/summary.csv",  # not the analysis's: ignored
    "results/z/digits/d2_w32_bn0_relu/seed0/best_train.parquet",  # a histogram figure
    "results/metrics/digits/d2_w32_bn0_relu/seed0/best_layers.csv",  # a table
    "results/metrics/digits/d2_w32_bn0_relu/seed1/best_layers.csv",
    "results/metrics/digits/d2_w32_bn0_relu/seed0/best_classifiers.csv",  # a classifier figure
    "results/metrics/digits/d2_w32_bn0_relu/seed0/init_layers.csv",
    "results/z/digits/d2_w32_bn1_sigmoid/seed0/epoch5_train.parquet",  # z only: no metrics
    "results/metrics/digits/d2_w32_bn0_relu/seed0/best_layers.csv",  # asked twice: once
]


def test_requested_files_are_grouped_by_network_into_per_state_work():
    plans = plan_analyses(REQUESTED)
    assert list(plans) == [RELU, BN]  # sorted by dataset and name
    assert plans[RELU] == [
        StateWork(0, "best", ("train", "test"), node_metrics=True, classifiers=True),
        StateWork(0, "init", ("train", "test"), node_metrics=True, classifiers=False),
        StateWork(1, "best", ("train", "test"), node_metrics=True, classifiers=False),
    ]
    assert plans[BN] == [StateWork(0, "epoch5", ("train", "test"), node_metrics=False, classifiers=False)]
    assert all(StateWork.from_params(w.as_params()) == w for w in plans[RELU])


def test_the_validation_reading_extracts_the_validation_split_for_node_metrics_only():
    plans = plan_analyses(REQUESTED, with_validation=True)
    assert [w.splits for w in plans[RELU]] == [("train", "test", "val")] * 3
    assert plans[BN][0].splits == ("train", "test")  # no node metrics: no validation split
    assert measured_z(RELU, plans[RELU][:1], "nodes", with_validation=True) == [
        f"results/z/digits/d2_w32_bn0_relu/seed0/best_{s}.parquet" for s in ("train", "val", "test")
    ]
    assert measured_z(RELU, plans[RELU][:1], "classifiers", with_validation=True) == [
        f"results/z/digits/d2_w32_bn0_relu/seed0/best_{s}.parquet" for s in ("train", "test")
    ]


def test_each_job_lists_every_file_it_writes_and_reads():
    works = plan_analyses(REQUESTED)[RELU]
    folder = "results/metrics/digits/d2_w32_bn0_relu"
    assert z_outputs(RELU, works) == [
        f"results/z/digits/d2_w32_bn0_relu/seed{seed}/{state}_{split}.parquet"
        for seed, state in [(0, "best"), (0, "init"), (1, "best")]
        for split in ("train", "test")
    ]
    assert node_outputs(RELU, works) == [
        f"{folder}/seed{seed}/{state}_{table}"
        for seed, state in [(0, "best"), (0, "init"), (1, "best")]
        for table in ("class_nodes.parquet", "nodes.csv", "layers.csv")
    ]
    assert classifier_outputs(RELU, works) == [f"{folder}/seed0/best_classifiers.csv"]
    assert node_outputs(BN, plan_analyses(REQUESTED)[BN]) == [] == classifier_outputs(BN, plan_analyses(REQUESTED)[BN])
    assert extraction_inputs(RELU, works) == {
        "states": ["results/train/digits/d2_w32_bn0_relu/best.pt", "results/train/digits/d2_w32_bn0_relu/init.pt"],
        "selection": "results/train/digits/d2_w32_bn0_relu/selected.json",
        "data": "results/data/digits.npz",
    }


@pytest.fixture
def trained(tmp_path, tiny_splits):
    """A working directory with prepared data and two saved states of a two-seed batch-norm net."""
    arch = Architecture("x", 2, 6, True, "relu")
    save_splits(tiny_splits, tmp_path / "results/data/x.npz")
    folder = tmp_path / "results/train/x" / arch.name
    for state, offset in (("init", 0), ("best", 10)):
        runs = {f"lr0.01_s{s}": reference_mlp(arch, 20, 10, torch.Generator().manual_seed(s + offset)) for s in (0, 1)}
        for model in runs.values():  # running statistics that are not the defaults
            model[1].running_mean.uniform_(-0.5, 0.5)
            model[1].running_var.uniform_(0.5, 2.0)
        save_states({run: model.state_dict() for run, model in runs.items()}, folder / f"{state}.pt")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield arch, {"learning_rate": 0.01, "runs": ["lr0.01_s0", "lr0.01_s1"]}, tiny_splits
    os.chdir(cwd)


def test_a_networks_jobs_write_what_the_per_state_functions_write(trained, tmp_path):
    arch, selection, splits = trained
    works = [
        StateWork(0, "best", ("train", "test", "val"), True, True),
        StateWork(1, "init", ("train", "test", "val"), True, False),
    ]
    extraction = {"batch_norm": "eval", "z_at": "activation", "learning_rate": None}
    extract_network(arch, works, selection, "results/data/x.npz", extraction, batch_size=64, n_classes=10)
    measure_nodes(arch, works, on_at_zero=False, include_dead=False, with_validation=True, threshold=0.0, n_classes=10)
    score_classifiers(arch, works, threshold=0.0, n_classes=10)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("results/[zm]*/**/*.*")}
    assert written == set(z_outputs(arch, works) + node_outputs(arch, works) + classifier_outputs(arch, works))
    for work in works:  # the per-state path: one model, one split, one table at a time
        model = reference_mlp(arch, 20, 10)
        model.load_state_dict(torch.load(f"results/train/x/{arch.name}/{work.state}.pt")[f"lr0.01_s{work.seed}"])
        z = {}
        for split in work.splits:
            z[split] = tmp_path / f"alone_{work.seed}_{split}.parquet"
            write_activations(model, *splits.split(split), splits.scale, z[split])
            assert (
                z[split].read_bytes()
                == (tmp_path / f"results/z/x/{arch.name}/seed{work.seed}/{work.state}_{split}.parquet").read_bytes()
            )
        counted = [z["train"], z["val"]] if "val" in work.splits else [z["train"]]
        layers = pd.read_csv(f"results/metrics/x/{arch.name}/seed{work.seed}/{work.state}_layers.csv")
        pd.testing.assert_frame_equal(layers, node_metrics(counted, z["test"], "relu", 10)["layers"], check_dtype=False)
    table = pd.read_csv(f"results/metrics/x/{arch.name}/seed0/best_classifiers.csv")
    expected = classifier_accuracies(tmp_path / "alone_0_train.parquet", tmp_path / "alone_0_test.parquet", "relu", 10)
    assert table["accuracy"].tolist() == expected["accuracy"].tolist()


def test_a_run_the_state_file_lacks_is_named(trained):
    arch, selection, _ = trained
    extraction = {"batch_norm": "eval", "z_at": "activation", "learning_rate": 0.001}  # the learning-rate reading
    with pytest.raises(KeyError, match=r"best.pt holds no run 'lr0.001_s0'; it holds \['lr0.01_s0', 'lr0.01_s1'\]"):
        extract_network(
            arch,
            [StateWork(0, "best", ("train", "test"), True, False)],
            selection,
            "results/data/x.npz",
            extraction,
            batch_size=64,
            n_classes=10,
        )
