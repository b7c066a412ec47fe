"""The study's numbers as data, and the scorecard's verdicts on hand-made results."""

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO

from actstudy.core.config import Architecture, RunGrid
from actstudy.study import checks, measure, scorecard
from actstudy.study import pages as scorecard_pages
from actstudy.study.numbers import StudyError, load_study, study_rows
from actstudy.study.plan import needs, protocol_differences

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
    # Section 4.1 prints the four; Section 5.3.1 a second value for the ReLU net: both rows, both marked
    assert sorted(test["study"]) == [98.18, 98.36, 98.55, 98.6, 98.71]
    relu = test[test["network"] == "d4_w200_bn0_relu"]
    assert set(relu["source"]) == {"Section 4.1 (Fig. 3.4)", "Section 5.3.1"}
    assert all("98.55" in text and "98.6 " in text for text in relu["inconsistent"])
    # Table 5.2's 8-layer ReLU columns, identical in layers 1-4, say so
    copied = table52[(table52["activation"] == "relu") & (table52["depth"] == 8) & (table52["layer"] <= 4)]
    assert len(copied) == 8 and copied["inconsistent"].str.contains("same four values").all()
    assert set(rows["unit"]) == {"%"} and rows["split"].notna().all()


def test_a_range_is_a_row_with_both_ends_and_a_statement_covers_each_network(study):
    rows = study_rows(study)
    ranges = rows[(rows["metric"] == "val_acc") & (rows["dataset"] == "mnist") & (rows["activation"] == "relu")]
    assert len(ranges) == 16  # depths 2-8 x widths 200, 800 x batch norm off, on
    assert set(zip(ranges["study_low"], ranges["study_high"])) == {(98.5, 99.0)}
    assert set(ranges["tolerance"]) == {0.3}  # the metric's own: a range is widened by it


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


def test_a_net_selected_without_the_studys_refinement_differs_in_protocol(study):
    protocol, grid = study["protocol"], RunGrid((0.01, 0.001, 0.0001), (0, 1, 2))
    assert protocol["refined"] is True
    coarse = protocol_differences(grid, STUDY_TRAINING, protocol)
    assert coarse == "learning rate chosen from the initial rates only (the study refines it: Section 3.3.1)"
    assert protocol_differences(grid, {**STUDY_TRAINING, "refine_rounds": 2}, protocol) == ""


def test_needs_reads_only_trained_networks(study):
    grids = {RELU: RunGrid((0.01,), (0, 1)), Architecture("digits", 2, 32, False, "relu"): RunGrid((0.01,), (0,))}
    wanted = needs(study, grids)
    assert set(wanted) == {RELU}
    assert wanted[RELU] == {
        ("train", "best"),
        ("layers", "best"),
        ("layers", "init"),
        ("nodes", "init"),
        ("classifiers", "best"),
    }
    assert ("nodes", "init") in needs(study, {SIGMOID: RunGrid((0.01,), (0,))})[SIGMOID]  # untrained activity
    assert ("layers", "epoch300") in needs(study, grids, state="epoch300")[RELU]


def _measured(values):
    """Long table from {(network, metric, layer): [per-seed values]}."""
    rows = [
        {"dataset": "mnist", "network": net, "seed": seed, "metric": metric, "layer": layer, "value": v}
        for (net, metric, layer), seeds in values.items()
        for seed, v in enumerate(seeds)
    ]
    frame = pd.DataFrame(rows, columns=measure.MEASURED_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def _row(**fields):
    base = {
        "source": "T",
        "dataset": "mnist",
        "network": RELU.name,
        "depth": 4,
        "width": 200,
        "batch_norm": False,
        "activation": "relu",
        "metric": "sparsity",
        "layer": 1,
        "split": "train",
        "state": "best",
        "unit": "%",
        "study": 75.0,
        "study_se": 0.0,
        "tolerance": 1.0,
        "note": "",
        "inconsistent": "",
    }
    fields = {**base, **fields}
    fields.setdefault("study_low", fields["study"])
    fields.setdefault("study_high", fields["study"])
    frame = pd.DataFrame([fields])
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


def test_a_range_agrees_inside_it_widened_by_the_tolerance():
    # ours 98.2 (no SE) against 98.5-99.0 with tolerance 0.3: 0.3 below the range agrees
    measured = _measured({(RELU.name, "val_acc", pd.NA): [98.2, 98.2]})

    def verdict(low, high):
        row = _row(metric="val_acc", layer=pd.NA, study=(low + high) / 2, study_low=low, study_high=high, tolerance=0.3)
        return scorecard.score(row, measured, {("mnist", RELU.name): ""}, 2).iloc[0]

    inside = verdict(98.0, 98.5)
    assert inside["verdict"] == "agree" and inside["difference"] == 0.0
    near = verdict(98.49, 99.0)
    assert near["verdict"] == "agree" and near["difference"] == pytest.approx(-0.29)
    far = verdict(98.6, 99.0)
    assert far["verdict"] == "disagree" and far["difference"] == pytest.approx(-0.4)


def test_z_is_the_difference_in_combined_standard_errors_or_in_tolerances():
    measured = _measured({(RELU.name, "sparsity", 1): [70.0, 72.0, 74.0]})  # SE 2 / sqrt(3)
    with_se = scorecard.score(_row(study=75.0, study_se=1.0), measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert with_se["z"] == pytest.approx(-3.0 / math.hypot(2 / math.sqrt(3), 1.0))
    # the study prints no SE: the tolerance (1.0) stands in for it
    without = scorecard.score(_row(study=75.0), measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert without["z"] == pytest.approx(-3.0 / math.hypot(2 / math.sqrt(3), 1.0))
    flat = _measured({(RELU.name, "sparsity", 1): [72.0, 72.0]})
    assert scorecard.score(_row(study=75.0), flat, {("mnist", RELU.name): ""}, 2).iloc[0]["z"] == pytest.approx(-3.0)
    missing = scorecard.score(_row(network=SIGMOID.name), measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert math.isnan(missing["z"])


def test_an_upper_bound_agrees_anywhere_below_it_and_a_lower_bound_anywhere_above():
    measured = _measured({(RELU.name, "val_acc", pd.NA): [97.0, 97.0], (SIGMOID.name, "val_acc", pd.NA): [98.9, 98.9]})
    trained = {("mnist", RELU.name): "", ("mnist", SIGMOID.name): ""}
    at_most = {
        "study": 98.5,
        "study_low": -math.inf,
        "study_high": 98.5,
        "metric": "val_acc",
        "layer": pd.NA,
        "tolerance": 0.3,
    }
    far_below = scorecard.score(_row(**at_most), measured, trained, 2).iloc[0]
    assert far_below["verdict"] == "agree" and far_below["difference"] == 0.0
    above = scorecard.score(_row(**at_most, network=SIGMOID.name), measured, trained, 2).iloc[0]
    assert above["verdict"] == "disagree" and above["difference"] == pytest.approx(0.4)
    at_least = {**at_most, "study_low": 98.5, "study_high": math.inf}
    assert scorecard.score(_row(**at_least), measured, trained, 2).iloc[0]["difference"] == pytest.approx(-1.5)
    page = scorecard_pages.to_markdown(scorecard.score(_row(**at_most), measured, trained, 2), _no_claims())
    assert "≤ 98.50" in page


def _no_claims() -> pd.DataFrame:
    return pd.DataFrame(columns=checks.CHECK_COLUMNS)


def test_the_numbers_file_reads_each_kind_of_row(study):
    rows = study_rows(study)
    sigmoid = rows[(rows["metric"] == "val_acc") & (rows["dataset"] == "mnist") & (rows["activation"] == "sigmoid")]
    assert len(sigmoid) == 16 and (sigmoid["study_low"] == -math.inf).all() and (sigmoid["study_high"] == 98.5).all()
    fmnist = rows[(rows["metric"] == "val_acc") & (rows["dataset"] == "fmnist")]
    assert set(fmnist["tolerance"]) == {0.3}  # the metric's own, as on MNIST
    sigmoid = fmnist[fmnist["activation"] == "sigmoid"]
    assert (sigmoid.loc[sigmoid["width"] == 800, "study_high"] == math.inf).all()  # at least 90.0 when wide
    assert (sigmoid.loc[sigmoid["width"] == 200, "study_low"] == -math.inf).all()  # at most 90.0 otherwise


def test_a_reading_changed_after_results_shows_the_verdict_under_both(study):
    rows = study_rows(study)
    relu = rows[(rows["metric"] == "val_acc") & (rows["network"] == RELU.name) & (rows["dataset"] == "mnist")]
    assert len(relu) == 1 and relu.iloc[0]["earlier"].startswith("mnist_relu_validation_range (6cbbf9c, 2026-12-03)")
    assert (relu.iloc[0]["earlier_low"], relu.iloc[0]["earlier_tolerance"]) == (98.75, 0.25)
    # 98.31: inside the range widened by 0.3, but 0.44 from 98.75 with 0.25 allowed
    measured = _measured({(RELU.name, "val_acc", pd.NA): [98.31, 98.31, 98.31]})
    scored = scorecard.score(relu, measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert (scored["verdict"], scored["earlier_verdict"]) == ("agree", "disagree")
    page = scorecard_pages.to_markdown(scorecard.score(relu, measured, {("mnist", RELU.name): ""}, 2), _no_claims())
    assert "98.75, tolerance 0.25: disagree (mnist_relu_validation_range (6cbbf9c, 2026-12-03))" in page
    other = rows[(rows["metric"] == "val_acc") & (rows["network"] == "d8_w200_bn0_relu") & (rows["dataset"] == "mnist")]
    assert other.iloc[0]["earlier"] == ""  # the earlier reading covered the 4x200 net only


def test_a_row_with_values_for_only_some_seeds_is_partly_run():
    measured = _measured(
        {(RELU.name, "sparsity", 1): [75.0, 75.0, 75.0], (RELU.name, "class_polarised_pct", 1): [60.0, 61.0]}
    )
    row = _row(metric="class_polarised_pct", study=60.5)
    result = scorecard.score(row, measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert result["verdict"] == "partly run" and "values for 2 of the network's 3 seeds" in result["note"]
    assert result["ours"] == pytest.approx(60.5)  # ours still shown
    full = scorecard.score(_row(), measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert full["verdict"] == "agree"


def test_a_row_the_study_contradicts_is_noted_whatever_its_verdict():
    measured = _measured({(RELU.name, "sparsity", 1): [75.0, 75.0]})
    row = _row(inconsistent="Table 5.2 prints the same values twice")
    result = scorecard.score(row, measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert (
        result["verdict"] == "agree" and "study inconsistent: Table 5.2 prints the same values twice" in result["note"]
    )


def test_protocol_differs_and_not_run_are_reported_with_the_reason():
    measured = _measured({(RELU.name, "sparsity", 1): [75.0, 75.0]})
    differs = scorecard.score(_row(), measured, {("mnist", RELU.name): "30 epochs (study 300)"}, 2).iloc[0]
    assert differs["verdict"] == "protocol differs" and "30 epochs" in differs["note"]
    assert differs["difference"] == pytest.approx(0.0)  # ours is still shown
    missing = scorecard.score(_row(network=SIGMOID.name), measured, {("mnist", RELU.name): ""}, 2).iloc[0]
    assert missing["verdict"] == "not run" and "not trained" in missing["note"] and math.isnan(missing["ours"])


def test_measure_reads_selected_runs_and_weights_dead_nodes_by_layer_size(tmp_path):
    summary = pd.DataFrame(
        {
            "run": ["lr0.01_s0", "lr0.01_s1", "lr0.001_s0"],
            "learning_rate": [0.01, 0.01, 0.001],
            "seed": [0, 1, 0],
            "diverged": [False, False, False],
            "test_acc": [0.98, 0.96, 0.5],
            "train_acc": [1.0, 1.0, 0.5],
            "val_acc": [0.9, 0.9, 0.5],
            "best_epoch": [7, 9, 1],
        }
    )
    summary.to_csv(tmp_path / "summary.csv", index=False)
    # the selected runs' validation accuracy per epoch: epoch 1 apart by 2 points (SE 1), epoch 2 by 4 (SE 2)
    pd.DataFrame(
        {
            "run": ["lr0.01_s0", "lr0.01_s1", "lr0.01_s0", "lr0.01_s1", "lr0.001_s0"],
            "learning_rate": [0.01, 0.01, 0.01, 0.01, 0.001],
            "seed": [0, 1, 0, 1, 0],
            "epoch": [1, 1, 2, 2, 1],
            "train_loss": [0.1] * 5,
            "train_acc": [0.9] * 5,
            "val_acc": [0.90, 0.92, 0.90, 0.94, 0.1],
        }
    ).to_csv(tmp_path / "history.csv", index=False)
    (tmp_path / "selected.json").write_text(json.dumps({"learning_rate": 0.01, "runs": ["lr0.01_s0", "lr0.01_s1"]}))
    # 100 nodes with 10% dead and 300 nodes with 0% dead: 10 / 400 = 2.5%
    pd.DataFrame(
        {
            "layer": [1, 2],
            "n_nodes": [100, 300],
            "dead_pct": [10.0, 0.0],
            "sparsity": [60.0, 80.0],
            "class_polarised_pct": [20.0, 60.0],
            "mean_class_median": [1.0, 3.0],
        }
    ).to_csv(tmp_path / "layers.csv", index=False)
    pd.DataFrame(
        {
            "layer": [pd.NA, pd.NA, 1, 2, 2, 2],
            "system": ["network", "network", "discrete", "discrete", "continuous", "discrete"],
            "split": ["train", "test", "test", "test", "test", "train"],
            "accuracy": [100.0, 98.0, 90.0, 97.5, 98.2, 99.0],
        }
    ).to_csv(tmp_path / "classifiers.csv", index=False)
    # layer 1: activities 0, 5, 50, 95 -> 3 of 4 polarised; layer 2: 50, 100 -> 1 of 2
    pd.DataFrame(
        {
            "layer": [1, 1, 1, 1, 2, 2],
            "node": range(6),
            "activity_train": [0.0, 5.0, 50.0, 95.0, 50.0, 100.0],
            "activity_test": [0.0] * 6,
            "dead": [True] + [False] * 5,
        }
    ).to_csv(tmp_path / "nodes.csv", index=False)
    plan = [
        {
            "dataset": "mnist",
            "network": RELU.name,
            "summary": tmp_path / "summary.csv",
            "selection": tmp_path / "selected.json",
            "history": tmp_path / "history.csv",
            "layers": {0: tmp_path / "layers.csv"},
            "init_layers": {0: tmp_path / "layers.csv"},
            "init_nodes": {0: tmp_path / "nodes.csv"},
            "classifiers": {0: tmp_path / "classifiers.csv"},
        }
    ]
    measured = measure.measure(plan).set_index(["metric", "seed", "layer"])["value"]
    assert measured[("test_acc", 0, pd.NA)] == pytest.approx(98.0) and measured[
        ("test_acc", 1, pd.NA)
    ] == pytest.approx(96.0)
    assert len(measured.loc["test_acc"]) == 2  # the unselected learning rate is not read
    assert measured[("dead_pct", 0, pd.NA)] == pytest.approx(2.5)
    assert measured[("sparsity", 0, 2)] == 80.0 and measured[("sparsity_init", 0, 1)] == 60.0
    # the last hidden layer (2) on test: discrete 97.5 - 98, continuous 98.2 - 98
    assert measured[("last_layer_gap:discrete", 0, pd.NA)] == pytest.approx(-0.5)
    assert measured[("last_layer_gap:continuous", 0, pd.NA)] == pytest.approx(0.2)
    assert measured[("layer_acc:discrete", 0, 1)] == 90.0 and measured[("network_acc", 0, pd.NA)] == 98.0
    # the learning-rate reading: the runs of that rate instead of the selected ones
    other = measure.measure([{**plan[0], "learning_rate": 0.001}]).set_index(["metric", "seed", "layer"])["value"]
    assert len(other.loc["test_acc"]) == 1 and other[("test_acc", 0, pd.NA)] == pytest.approx(50.0)
    assert measured[("dead_pct", 0, 1)] == 10.0  # per layer too
    assert measured[("polarised_pct_init", 0, 1)] == 75.0 and measured[("polarised_pct_init", 0, 2)] == 50.0
    assert measured[("polarised_pct_init", 0, pd.NA)] == pytest.approx(100 * 4 / 6)
    # node-class pairs polarised: per layer, and over the net weighted by layer size (100, 300)
    assert measured[("class_polarised_pct", 0, 2)] == 60.0
    assert measured[("class_polarised_pct", 0, pd.NA)] == pytest.approx((20 * 100 + 60 * 300) / 400)
    assert measured[("polarised_from_layer", 0, pd.NA)] == 2.0  # layer 2 is the first above one half
    # the mean class median per layer, over the net weighted by layer size, trained and untrained
    assert measured[("mean_class_median", 0, 2)] == 3.0
    assert measured[("mean_class_median_init", 0, pd.NA)] == pytest.approx((1 * 100 + 3 * 300) / 400)
    # the best epochs per seed; the seeds' spread of validation accuracy over the epochs, one value over the seeds
    assert measured[("best_epoch", 1, pd.NA)] == 9.0
    spread = measure.measure(plan)
    spread = spread[spread["metric"] == "val_acc_seed_se"]
    assert len(spread) == 1 and spread["seed"].isna().all() and spread["value"].iloc[0] == pytest.approx(1.5)
    # the classifiers on the training set, and per layer the spread over the systems on the test set
    assert measured[("layer_train_acc:discrete", 0, 2)] == 99.0 and measured[("network_train_acc", 0, pd.NA)] == 100.0
    assert measured[("system_spread", 0, 2)] == pytest.approx(0.7) and measured[("system_spread", 0, 1)] == 0.0


def test_markdown_leads_with_the_counts(study):
    rows = _row()
    scores = scorecard.score(rows, _measured({(RELU.name, "sparsity", 1): [75.2, 75.0]}), {("mnist", RELU.name): ""}, 2)
    claims = checks.run_checks(study["checks"], _measured({}), {})
    text = scorecard_pages.to_markdown(scores, claims, figure="scorecard.png")
    n = len(study["checks"])
    assert (
        f"**1 numbers of the study: 1 agree, 0 disagree, 0 partly run, 0 protocol differs, 0 not run. {n} claims: 0 holds, "
        f"0 fails, 0 partly run, {n} not run.**" in text
    )
    assert "75.10 ± 0.10" in text and "![The scorecard at a glance](scorecard.png)" in text


def test_html_page_colours_each_verdict(study):
    scores = scorecard.score(
        _row(study=80.0), _measured({(RELU.name, "sparsity", 1): [75.0, 75.0]}), {("mnist", RELU.name): ""}, 2
    )
    claims = checks.run_checks(study["checks"], _measured({}), {})
    page = scorecard_pages.to_html(scores, claims, readings="state best")
    assert page.startswith("<!doctype html>") and "1 numbers of the study: 0 agree, 1 disagree" in page
    assert '<td style="background:#f8d0d0">disagree</td>' in page and "<th>z</th>" in page
    assert page.count('<td style="background:#eeeeee">not run</td>') == len(study["checks"])
    assert "Definitions used: state best" in page


def test_headline_counts_what_was_computed_and_the_landing_page_carries_it(tmp_path, study):
    scores = scorecard.score(
        _row(study=80.0), _measured({(RELU.name, "sparsity", 1): [75.0, 75.0]}), {("mnist", RELU.name): ""}, 2
    )
    claims = checks.run_checks(study["checks"], _measured({}), {})
    n = len(study["checks"])
    line = f"1 of the study's 1 numbers computed: 0 agree, 1 disagree. 0 of its {n} claims tested: 0 hold, 0 fail."
    assert scorecard_pages.headline(scores, claims) == line
    template = tmp_path / "workflow.rst"
    template.write_text("Intro.\n\n.. headline\n\nMore.\n")
    results = tmp_path / "results"
    assert scorecard_pages.landing_page(template, results, tmp_path / "out") == str(template)  # no scorecard yet
    results.mkdir()
    scores.to_csv(results / "scorecard.csv", index=False)
    claims.to_csv(results / "scorecard_checks.csv", index=False)
    page = scorecard_pages.landing_page(template, results, tmp_path / "out")
    assert f"**Did it reproduce?** {line}" in Path(page).read_text()
    (results / "scorecard.csv").write_text("not,a,scorecard\n1,2,3\n")  # damaged: the report builds without it
    assert scorecard_pages.landing_page(template, results, tmp_path / "out") == str(template)


def test_overview_figure_draws_the_computed_rows_and_the_claims(tmp_path, study):
    from actstudy.figures.draw import save
    from actstudy.figures.scorecard import lines, overview

    measured = _measured({(RELU.name, "sparsity", 1): [75.0, 75.0], (RELU.name, "sparsity", 2): [90.0, 90.0]})
    scores = scorecard.score(
        pd.concat([_row(study=75.5), _row(layer=2, study=75.0)]), measured, {("mnist", RELU.name): ""}, 2
    )
    drawn = lines(scores)
    assert list(drawn["scaled"]) == pytest.approx([-0.5, 15.0]) and set(drawn["line"]) == {"mnist 4x200 ReLU: sparsity"}
    claims = checks.run_checks(study["checks"], _measured({}), {})
    save(overview(scores, claims), tmp_path / "scorecard.png")
    assert (tmp_path / "scorecard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_provenance_names_code_software_machine_and_config_and_reaches_the_report_as_plain_text(tmp_path):
    import json

    from actstudy.core.provenance import PACKAGES, collect, config_digest

    provenance = collect(REPO, {"b": 1, "a": [1, 2]})
    assert set(provenance["packages"]) == set(PACKAGES) and provenance["python"].count(".") == 2
    assert provenance["config_sha256"] == config_digest({"a": [1, 2], "b": 1})  # key order does not matter
    assert provenance["config_sha256"] != config_digest({"a": [1, 2], "b": 2})
    assert len(provenance["git_commit"]) == 40 or provenance["git_commit"].startswith("unknown")
    template = tmp_path / "workflow.rst"
    template.write_text("Intro.\n\n.. headline\n\nMore.\n\n.. provenance\n")
    results = tmp_path / "results"
    results.mkdir()
    # a results file is untrusted: a value that could become markup or a template expression is not shown
    provenance["machine"]["cpu"] = "{{ snakemake.config }} `evil`"
    (results / "provenance.json").write_text(json.dumps(provenance))
    page = Path(scorecard_pages.landing_page(template, results, tmp_path / "out")).read_text()
    assert "**Provenance** of this run's scorecard" in page and provenance["git_commit"] in page
    assert "torch " in page and "config SHA-256: " + provenance["config_sha256"] in page
    assert "{{" not in page and "evil" not in page and "(not shown: unexpected characters)" in page
    assert ".. headline" not in page  # no scorecard yet: no headline, and no stray comment


def test_a_restored_runs_results_line_names_its_bundle_and_a_forged_record_is_not_shown():
    from actstudy.core.provenance import report_lines, results_origin

    record = {
        "bundle_sha256": "ab" * 32,
        "bundle_git_commit": "c0ffee" * 6 + "abcd",
        "networks": {"a": 1, "b": 2},
        "accepted_differences": [],
    }
    line = report_lines({"restored_from": record, "results": results_origin(record)})[-1]
    assert len(results_origin(record)) > 200  # longer than any other value may be
    assert line == f"- results: {results_origin(record)}" and "ab" * 32 in line
    forged = {**record, "bundle_sha256": "`evil` {{ snakemake.config }}" + "a" * 40}
    line = report_lines({"restored_from": forged, "results": results_origin(forged)})[-1]
    assert "evil" not in line and "{{" not in line and line.endswith("(not shown: the restore record is malformed)")
    for broken in ({"networks": []}, "a string", {**record, "bundle_git_commit": "<b>"}):
        assert report_lines({"restored_from": broken})[-1].endswith("(not shown: the restore record is malformed)")
    assert (
        report_lines({"restored_from": None, "results": "computed by this workflow here (no restored bundle)"})[-1]
        == "- results: computed by this workflow here (no restored bundle)"
    )


def test_the_sigmoid_upper_bound_keeps_its_two_sided_reading_beside_it(study):
    rows = study_rows(study)
    sigmoid = rows[(rows["metric"] == "val_acc") & (rows["dataset"] == "mnist") & (rows["activation"] == "sigmoid")]
    assert (sigmoid["earlier"].str.startswith("mnist_sigmoid_validation_upper_bound (56ba5dd, 2026-12-06)")).all()
    # 98.18: under the ceiling (agree), 0.32 below 98.5 scored two-sided (disagree)
    measured = _measured({(SIGMOID.name, "val_acc", pd.NA): [98.18, 98.18, 98.18]})
    net = sigmoid[sigmoid["network"] == SIGMOID.name]
    scored = scorecard.score(net, measured, {("mnist", SIGMOID.name): ""}, 2).iloc[0]
    assert (scored["verdict"], scored["earlier_verdict"]) == ("agree", "disagree")


def test_under_the_gamma_reading_the_study_s_batch_norm_nets_are_read_from_their_uniform_twins(study):
    from actstudy.study.plan import plan_files, scorecard_plan

    bn = Architecture("mnist", 4, 200, True, "relu")
    gu = Architecture("mnist", 4, 200, True, "relu", bn_init="uniform")
    grids = {gu: RunGrid((0.01,), (0, 1)), RELU: RunGrid((0.01,), (0, 1))}
    assert bn not in needs(study, grids) and RELU in needs(study, grids)  # by default the twin is another net
    plan = {item["network"]: item for item in scorecard_plan(study, grids, STUDY_TRAINING, bn_init="uniform")}
    assert set(plan) == {bn.name, RELU.name}  # the study's names: the rows find them
    files = plan_files([plan[bn.name]])
    assert files and all("d4_w200_bn1_relu_gu/" in f for f in files), files
    assert all("_gu" not in f for f in plan_files([plan[RELU.name]]))  # no batch norm: itself


FMNIST_SIGMOID = Architecture("fmnist", 6, 100, False, "sigmoid")  # Figure 6.7's net


def _classifiers_csv(path: Path, discrete: list[float], continuous: list[float]) -> None:
    """A layer classifiers file: per layer each system's accuracy (the same on both splits)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"layer": pd.NA, "system": "network", "split": split, "accuracy": 89.0} for split in ("train", "test")]
    for system, accs in (("discrete", discrete), ("continuous", continuous)):
        for layer, acc in enumerate(accs, 1):
            rows += [{"layer": layer, "system": system, "split": split, "accuracy": acc} for split in ("train", "test")]
    pd.DataFrame(rows).to_csv(path, index=False)


def test_the_scorecard_plans_the_classifiers_at_a_claim_s_states_only_where_kept(tmp_path, study):
    from actstudy.study.plan import plan_files, scorecard_plan

    grids = {FMNIST_SIGMOID: RunGrid((0.01,), (0, 1)), RELU: RunGrid((0.01,), (0,))}
    kept = {**STUDY_TRAINING, "snapshot_epochs": [1, 5, 10, 30, 100]}
    plan = {item["network"]: item for item in scorecard_plan(study, grids, kept, results="out")}
    states = plan[FMNIST_SIGMOID.name]["classifiers_at"]
    assert set(states) == {"epoch1", "epoch30"}  # the states its claims name, not every snapshot
    assert states["epoch30"][1] == "out/metrics/fmnist/d6_w100_bn0_sigmoid/seed1/epoch30_classifiers.csv"
    assert states["epoch30"][1] in plan_files(list(plan.values()))
    assert "classifiers_at" not in plan[RELU.name]  # no claim reads its snapshots
    # a config that keeps only the epoch-1 snapshot: the epoch-30 claim is not planned (it is not run)
    few = scorecard_plan(study, grids, {**STUDY_TRAINING, "snapshot_epochs": [1]}, results="out")
    assert set(next(i for i in few if i["network"] == FMNIST_SIGMOID.name)["classifiers_at"]) == {"epoch1"}
    assert not any("epoch30" in f for f in plan_files(few))


def test_the_scorecard_reads_snapshot_classifiers_and_checks_the_learning_process(tmp_path, study):
    from actstudy.study.plan import scorecard_plan

    grids = {FMNIST_SIGMOID: RunGrid((0.01,), (0,))}
    training = {**STUDY_TRAINING, "snapshot_epochs": [1, 30]}
    item = scorecard_plan(study, grids, training, results=str(tmp_path))[0]
    # epoch 1: every layer about 70 %; epoch 30: the discrete system's last layer 2 points below layer 5;
    # the final model: the later layers 10+ points up, layer 1 one point, no dip
    _classifiers_csv(Path(item["classifiers_at"]["epoch1"][0]), [70, 72, 75, 78, 80, 81], [70, 71, 72, 73, 74, 75])
    _classifiers_csv(Path(item["classifiers_at"]["epoch30"][0]), [75, 80, 84, 85, 86, 84], [74, 78, 82, 84, 85, 86])
    _classifiers_csv(Path(item["classifiers"][0]), [71, 82, 86, 87, 87.5, 88], [71, 80, 84, 86, 87, 88])
    part = {k: item[k] for k in ("dataset", "network", "protocol", "classifiers", "classifiers_at")}
    measured = measure.measure([part]).set_index(["metric", "seed", "layer"])["value"]
    assert measured[("layer_acc:discrete@epoch30", 0, 6)] == 84.0 and measured[("layer_acc:discrete", 0, 6)] == 88.0
    assert measured[("network_acc@epoch1", 0, pd.NA)] == 89.0  # every classifier metric, at its state
    _, claims = scorecard.build(study, [part])
    verdicts = claims.set_index("check")["verdict"]
    assert verdicts["sigmoid_discrete_dips_at_epoch30"] == "holds"
    assert verdicts["sigmoid_continuous_later_layers_learn_more"] == "holds"
    assert verdicts["relu_later_layers_learn_more"] == "not run"  # its net is not trained here
