"""The study's numbers as data, and the scorecard's verdicts on hand-made results."""

import json
import math

import pandas as pd
import pytest
import yaml
from conftest import REPO

from actstudy import scorecard, scorecard_pages
from actstudy.config import Architecture, RunGrid
from actstudy.study import StudyError, load_study, needs, protocol_differences, study_rows

STUDY = REPO / "workflow/study/numbers.yaml"
SCHEMA = REPO / "workflow/schemas/study.schema.yaml"
PROTOCOL = {"epochs": 300, "n_seeds": 3, "learning_rates": [0.01, 0.001, 0.0001], "batch_size": 64, "lr_decay": 0.99}
STUDY_TRAINING = {"epochs": 300, "batch_size": 64, "lr_decay": 0.99}
RELU = Architecture("mnist", 4, 200, False, "relu")
SIGMOID = Architecture("mnist", 4, 200, False, "sigmoid")


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY, SCHEMA)


def test_the_numbers_file_holds_the_studys_tables(study):
    rows = study_rows(study)
    assert len(rows[rows["source"] == "Table 5.1"]) == 8
    table52 = rows[rows["source"] == "Table 5.2"]
    assert len(table52) == 48 and (table52["study_se"] > 0).all()
    cell = table52[(table52["network"] == "d4_w200_bn1_sigmoid") & (table52["layer"] == 3)].iloc[0]
    assert (cell["study"], cell["study_se"]) == (34.39, 1.14)
    # the untrained claim: one row per layer of the Table 5.2 networks (4 x 4 + 4 x 8)
    untrained = rows[rows["metric"] == "sparsity_init"]
    assert len(untrained) == 48 and set(untrained["tolerance"]) == {5.0} and set(untrained["state"]) == {"init"}
    test = rows[(rows["metric"] == "test_acc") & (rows["dataset"] == "mnist")]
    assert sorted(test["study"]) == [98.18, 98.36, 98.6, 98.71]
    assert set(rows["unit"]) == {"%"} and rows["split"].notna().all()


def test_a_malformed_numbers_file_is_refused_with_file_and_entry(tmp_path, study):
    broken = json.loads(json.dumps(study))
    broken["numbers"][3]["metric"] = "test_accuracy"
    path = tmp_path / "numbers.yaml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(StudyError, match=r"numbers\.yaml: numbers\.3: metric 'test_accuracy'"):
        load_study(path, SCHEMA)
    broken["numbers"][3]["valeu"] = 1.0
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(StudyError, match=r"numbers\.3.*'valeu'"):
        load_study(path, SCHEMA)


def test_protocol_differences_name_each_setting():
    assert protocol_differences(RunGrid((0.01, 0.001, 0.0001), (0, 1, 2)), STUDY_TRAINING, PROTOCOL) == ""
    text = protocol_differences(RunGrid((0.01,), (0, 1)), {**STUDY_TRAINING, "epochs": 30}, PROTOCOL)
    assert text == "30 epochs (study 300); 2 seeds (study 3); learning rates 0.01 (study 0.01, 0.001, 0.0001)"


def test_needs_reads_only_trained_networks(study):
    grids = {RELU: RunGrid((0.01,), (0, 1)), Architecture("digits", 2, 32, False, "relu"): RunGrid((0.01,), (0,))}
    wanted = needs(study, grids)
    assert set(wanted) == {RELU}
    assert wanted[RELU] == {("train", "best"), ("layers", "best"), ("layers", "init"), ("classifiers", "best")}
    assert ("layers", "epoch300") in needs(study, grids, state="epoch300")[RELU]


def _measured(values):
    """Long table from {(network, metric, layer): [per-seed values]}."""
    rows = [{"dataset": "mnist", "network": net, "seed": seed, "metric": metric, "layer": layer, "value": v}
            for (net, metric, layer), seeds in values.items() for seed, v in enumerate(seeds)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=scorecard.MEASURED_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def _row(**fields):
    base = {"source": "T", "dataset": "mnist", "network": RELU.name, "depth": 4, "width": 200, "batch_norm": False,
            "activation": "relu", "metric": "sparsity", "layer": 1, "split": "train", "state": "best", "unit": "%",
            "study": 75.0, "study_se": 0.0, "tolerance": 1.0, "note": ""}  # fmt: skip
    frame = pd.DataFrame([{**base, **fields}])
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def test_verdict_uses_combined_standard_errors_or_the_tolerance():
    # seeds 70, 72, 74: mean 72, standard deviation 2, SE 2 / sqrt(3)
    measured = _measured({(RELU.name, "sparsity", 1): [70.0, 72.0, 74.0]})
    se = 2.0 / math.sqrt(3)
    allowed = 2 * math.hypot(se, 0.5)
    near = scorecard.score(_row(study=72.0 + allowed - 1e-9, study_se=0.5), measured, {("mnist", RELU.name): ""}, 2)
    far = scorecard.score(_row(study=72.0 + allowed + 1e-6, study_se=0.5), measured, {("mnist", RELU.name): ""}, 2)
    assert near.iloc[0]["verdict"] == "agree" and far.iloc[0]["verdict"] == "disagree"
    assert near.iloc[0]["ours"] == pytest.approx(72.0) and near.iloc[0]["ours_se"] == pytest.approx(se)
    assert near.iloc[0]["allowed"] == pytest.approx(allowed) and near.iloc[0]["n_seeds"] == 3
    # where the standard errors are small, the metric's tolerance decides
    tight = _measured({(RELU.name, "sparsity", 1): [72.0, 72.0, 72.0]})
    assert scorecard.score(_row(study=72.9), tight, {("mnist", RELU.name): ""}, 2).iloc[0]["verdict"] == "agree"
    assert scorecard.score(_row(study=73.1), tight, {("mnist", RELU.name): ""}, 2).iloc[0]["verdict"] == "disagree"


def test_protocol_differs_and_not_run_are_reported_with_the_reason():
    measured = _measured({(RELU.name, "sparsity", 1): [75.0, 75.0]})
    differs = scorecard.score(_row(), measured, {("mnist", RELU.name): "30 epochs (study 300)"}, 2).iloc[0]
    assert differs["verdict"] == "protocol differs" and "30 epochs" in differs["note"]
    assert differs["difference"] == pytest.approx(0.0)  # ours is still shown
    missing = scorecard.score(_row(network=SIGMOID.name), measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert missing["verdict"] == "not run" and "not trained" in missing["note"] and math.isnan(missing["ours"])


def test_measure_reads_selected_runs_and_weights_dead_nodes_by_layer_size(tmp_path):
    summary = pd.DataFrame({"run": ["lr0.01_s0", "lr0.01_s1", "lr0.001_s0"], "seed": [0, 1, 0],
                            "test_acc": [0.98, 0.96, 0.5], "train_acc": [1.0, 1.0, 0.5], "val_acc": [0.9, 0.9, 0.5]})  # fmt: skip
    summary.to_csv(tmp_path / "summary.csv", index=False)
    (tmp_path / "selected.json").write_text(json.dumps({"learning_rate": 0.01, "runs": ["lr0.01_s0", "lr0.01_s1"]}))
    # 100 nodes with 10% dead and 300 nodes with 0% dead: 10 / 400 = 2.5%
    pd.DataFrame({"layer": [1, 2], "n_nodes": [100, 300], "dead_pct": [10.0, 0.0], "sparsity": [60.0, 80.0]}).to_csv(
        tmp_path / "layers.csv", index=False)  # fmt: skip
    pd.DataFrame({"layer": [pd.NA, pd.NA, 1, 2, 2, 2], "system": ["network", "network", "discrete", "discrete", "continuous", "discrete"],
                  "split": ["train", "test", "test", "test", "test", "train"],
                  "accuracy": [100.0, 98.0, 90.0, 97.5, 98.2, 99.0]}).to_csv(tmp_path / "classifiers.csv", index=False)  # fmt: skip
    plan = [{"dataset": "mnist", "network": RELU.name, "summary": tmp_path / "summary.csv",
             "selection": tmp_path / "selected.json", "layers": {0: tmp_path / "layers.csv"},
             "init_layers": {0: tmp_path / "layers.csv"}, "classifiers": {0: tmp_path / "classifiers.csv"}}]  # fmt: skip
    measured = scorecard.measure(plan).set_index(["metric", "seed", "layer"])["value"]
    assert measured[("test_acc", 0, pd.NA)] == pytest.approx(98.0) and measured[
        ("test_acc", 1, pd.NA)
    ] == pytest.approx(96.0)
    assert len(measured.loc["test_acc"]) == 2  # the unselected learning rate is not read
    assert measured[("dead_pct", 0, pd.NA)] == pytest.approx(2.5)
    assert measured[("sparsity", 0, 2)] == 80.0 and measured[("sparsity_init", 0, 1)] == 60.0
    # the last hidden layer (2) on test: discrete 97.5 - 98, continuous 98.2 - 98
    assert measured[("last_layer_gap:discrete", 0, pd.NA)] == pytest.approx(-0.5)
    assert measured[("last_layer_gap:continuous", 0, pd.NA)] == pytest.approx(0.2)


CHECKS = {c["id"]: c for c in yaml.safe_load(STUDY.read_text())["checks"]}
TRAINED = {
    ("mnist", a): "" for a in ("d4_w200_bn0_relu", "d4_w200_bn0_sigmoid", "d4_w200_bn1_relu", "d4_w200_bn1_sigmoid")
}


def _check(check_id, values, trained=TRAINED):
    return scorecard.run_checks([CHECKS[check_id]], _measured(values), trained).iloc[0]


def test_relu_sparser_check_compares_every_layer():
    values = {("d4_w200_bn0_relu", "sparsity", layer): [76.0] for layer in range(1, 5)}
    values |= {("d4_w200_bn0_sigmoid", "sparsity", layer): [55.0] for layer in range(1, 5)}
    held = _check("relu_sparser_than_sigmoid", values)
    assert held["verdict"] == "holds" and held["comparisons"] == 4
    values[("d4_w200_bn0_sigmoid", "sparsity", 3)] = [80.0]
    failed = _check("relu_sparser_than_sigmoid", values)
    assert failed["verdict"] == "fails" and "layer 3: ReLU vs sigmoid: 76.00 vs 80.00 ✗" in failed["details"]


def test_batch_norm_checks_compare_each_pair():
    values = {(f"d4_w200_bn{bn}_{act}", "sparsity", layer): [s] for act, sp in (("relu", (76.0, 62.0)), ("sigmoid", (55.0, 50.0)))
              for bn, s in enumerate(sp) for layer in range(1, 5)}  # fmt: skip
    assert _check("batch_norm_lowers_sparsity", values)["verdict"] == "holds"
    acc = {("d4_w200_bn0_relu", "test_acc", pd.NA): [98.6], ("d4_w200_bn1_relu", "test_acc", pd.NA): [98.5]}
    result = _check("batch_norm_raises_accuracy", acc)
    assert result["verdict"] == "fails" and result["comparisons"] == 1  # sigmoid: no values, no comparison


def test_depth_check_is_not_run_without_both_depths():
    values = {("d4_w200_bn0_relu", "dead_pct", pd.NA): [1.0]}
    assert _check("deeper_relu_more_dead", values)["verdict"] == "not run"
    trained = {**TRAINED, ("mnist", "d8_w200_bn0_relu"): "30 epochs (study 300)"}
    values[("d8_w200_bn0_relu", "dead_pct", pd.NA)] = [20.0, 18.0]
    result = _check("deeper_relu_more_dead", values, trained)
    assert result["verdict"] == "holds" and "30 epochs" in result["protocol"]


def test_classifier_check_allows_one_point_below_the_network():
    values = {("d4_w200_bn0_relu", "last_layer_gap:discrete", pd.NA): [-0.4, -0.8],
              ("d4_w200_bn0_relu", "last_layer_gap:continuous", pd.NA): [0.1, 0.0]}  # fmt: skip
    assert _check("classifiers_reach_network", values)["verdict"] == "holds"
    values[("d4_w200_bn0_sigmoid", "last_layer_gap:discrete", pd.NA)] = [-3.0]
    assert _check("classifiers_reach_network", values)["verdict"] == "fails"


def test_markdown_leads_with_the_counts(study):
    rows = _row()
    scores = scorecard.score(rows, _measured({(RELU.name, "sparsity", 1): [75.2, 75.0]}), {("mnist", RELU.name): ""}, 2)
    checks = scorecard.run_checks(study["checks"], _measured({}), {})
    text = scorecard_pages.to_markdown(scores, checks)
    assert (
        "**1 numbers of the study: 1 agree, 0 disagree, 0 protocol differs, 0 not run. 5 claims: 0 holds, 0 fails, 5 not run.**"
        in text
    )
    assert "75.10 ± 0.10" in text


def test_html_page_colours_each_verdict(study):
    scores = scorecard.score(_row(study=80.0), _measured({(RELU.name, "sparsity", 1): [75.0, 75.0]}),
                             {("mnist", RELU.name): ""}, 2)  # fmt: skip
    checks = scorecard.run_checks(study["checks"], _measured({}), {})
    page = scorecard_pages.to_html(scores, checks, readings="state best")
    assert page.startswith("<!doctype html>") and "1 numbers of the study: 0 agree, 1 disagree" in page
    assert '<td style="background:#f8d0d0">disagree</td>' in page
    assert page.count('<td style="background:#eeeeee">not run</td>') == 5 and "Definitions used: state best" in page
