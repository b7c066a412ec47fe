"""The study's qualitative claims (actstudy.study.checks): every claim of workflow/study/numbers.yaml
made to hold and made to fail on hand-made values, and the rules every claim shares."""

import pandas as pd
import pytest
from conftest import REPO

from actstudy.core.config import Architecture
from actstudy.study import check_kinds, checks, classifier_kinds, measure
from actstudy.study.numbers import load_study, networks_of
from actstudy.study.plan import DIFFERENCES_JOINED_BY, STATE_MARK, at_state

STUDY = load_study(REPO / "workflow/study/numbers.yaml", REPO / "workflow/schemas/study.schema.yaml")
CLAIMS = {c["id"]: c for c in STUDY["checks"]}


def _frame(values: dict) -> pd.DataFrame:
    """Long table from {(arch, metric, layer): value} (one seed)."""
    rows = [
        {"dataset": a.dataset, "network": a.name, "seed": 0, "metric": m, "layer": layer, "value": v}
        for (a, m, layer), v in values.items()
    ]
    frame = pd.DataFrame(rows, columns=measure.MEASURED_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def _layers(arch: Architecture, per_layer: bool, start: int = 1):
    return range(start, arch.depth + 1) if per_layer else [pd.NA]


def _level(arch: Architecture, attribute: str, first) -> float:
    """Where a network stands on ``attribute`` for a claim whose ``first`` side is the
    higher one, between -1 and 1: 1 or 0 for a named value, the depth (over 10) or width
    (over 1000) for larger, minus that for smaller, so that every pair is ordered."""
    x = getattr(arch, attribute)
    if first in ("larger", "smaller"):
        scaled = x / (10.0 if attribute == "depth" else 1000.0)
        return scaled if first == "larger" else -scaled
    return 1.0 if x == first else 0.0


def _example(check: dict, holds: bool) -> dict:
    """Values for every network the claim names, chosen so that each comparison it makes
    holds (or each fails)."""
    sign, kind, v = (1.0 if holds else -1.0), check["kind"], {}
    for a in networks_of(check["networks"]):
        if kind == "compare":
            for metric in check["metrics"]:
                for layer in _layers(a, check.get("per_layer", False)):
                    v[(a, metric, layer)] = 50.0 + sign * 10.0 * _level(a, check["vary"], check["higher"])
        elif kind == "gap":  # the leading side (ReLU) at 60, its twin below by a gap that grows towards larger_at
            gap = 2.0 + sign * _level(a, check["vary"], check["larger_at"])
            leading = getattr(a, check.get("between", "activation")) == check.get("leading", "relu")
            v[(a, check["metric"], pd.NA)] = 60.0 if leading else 60.0 - gap
        elif kind == "trend":
            up = 1.0 if check["direction"] == "increasing" else -1.0
            v[(a, check["metric"], pd.NA)] = 50.0 + sign * up * a.depth
        elif kind == "bound":
            limit = check.get("at_least", check.get("above", check.get("at_most")))
            side = -1.0 if "at_most" in check else 1.0
            for layer in _layers(a, check.get("per_layer", False), check.get("from_layer", 1)):
                v[(a, check["metric"], layer)] = limit + side * sign
        elif kind == "band":  # the band 10 points below (lowest) or above the other layers
            step = -10.0 if check["direction"] == "lowest" else 10.0
            for layer in range(1, a.depth + 1):
                v[(a, check["metric"], layer)] = 50.0 + (sign * step if layer in check["layers"] else 0.0)
        elif kind == "best":
            v[(a, check["metric"], pd.NA)] = 98.0 + (sign if check_kinds._matches(a, check["expect"]) else 0.0)
        elif kind == "trained":
            v[(a, check["metric"], pd.NA)] = 50.0 + sign
            v[(a, f"{check['metric']}_init", pd.NA)] = 50.0
        elif kind == "layers":
            for layer in range(1, a.depth + 1):
                v[(a, check["metric"], layer)] = 5.0
            v[(a, check["metric"], check_kinds._layer(a, check["higher"]))] = 10.0 if holds else 1.0
        elif kind == "polarised":
            for layer in range(1, a.depth + 1):
                v[(a, "class_polarised_pct", layer)] = 20.0 if layer == 1 else (80.0 if holds else 30.0)
        elif kind == "reach_network":  # the network at 98, the discrete system (held, failed) against it
            prefix, network = classifier_kinds.SPLIT_METRICS[check.get("split", "test")]
            accs = {"within": (97.5, 96.5), "short": (96.5, 97.5), "not_above": (97.5, 98.5), "equal": (97.9, 97.5)}
            v[(a, network, pd.NA)] = 98.0
            for layer in range(1, a.depth + 1):
                v[(a, f"{prefix}:discrete", layer)] = 90.0
            layer = a.depth if check.get("layer", "last") == "last" else 2
            v[(a, f"{prefix}:discrete", layer)] = accs[check.get("relation", "within")][0 if holds else 1]
        elif kind == "drop":  # a peak at layer 2 (98), then a drop a point larger in the higher net (held)
            for system in check["systems"]:
                for layer in range(1, a.depth + 1):
                    v[(a, f"layer_acc:{system}", layer)] = 98.0 if layer == 2 else 97.5
                v[(a, f"layer_acc:{system}", a.depth)] = 97.5 - sign * _level(a, check["vary"], check["higher"])
        elif kind == "converge":  # within 1 point from layer 2 (the higher side, when held) or 3
            first = (_level(a, check["vary"], check["higher"]) == 1.0) == holds
            v[(a, "network_acc", pd.NA)] = 98.0
            for layer in range(1, a.depth + 1):
                v[(a, "layer_acc:discrete", layer)] = 97.5 if layer >= (2 if first else 3) else 90.0
        elif kind == "systems":
            layer = 1 if check["layer"] == "first" else a.depth
            v[(a, f"layer_acc:{check['higher']}", layer)] = 95.0 if holds else 85.0
            for lower in check["lower"]:
                v[(a, f"layer_acc:{lower}", layer)] = 90.0
        elif kind == "peak":
            for system in check["systems"]:
                for layer in range(1, a.depth + 1):
                    v[(a, f"layer_acc:{system}", layer)] = 97.0
                v[(a, f"layer_acc:{system}", 2)] = 98.0
                v[(a, f"layer_acc:{system}", a.depth)] = 97.5 if holds else 98.5
        elif kind == "gain":  # 80 at each state; in the final model layer 1 gains 2 points, the others 7 (or -3)
            for system in check["systems"]:
                for layer in range(1, a.depth + 1):
                    for state in check["states"]:
                        v[(a, at_state(f"layer_acc:{system}", state), layer)] = 80.0
                    v[(a, f"layer_acc:{system}", layer)] = 82.0 + (0.0 if layer == 1 else 5.0 * sign)
        elif kind == "dip":  # the layer before the last at 90; the last 2 points below (above) at each state,
            for system in check["systems"]:  # level (a point below) in the final model
                for metric in [f"layer_acc:{system}", *(at_state(f"layer_acc:{system}", s) for s in check["states"])]:
                    v[(a, metric, a.depth - 1)] = 90.0
                    v[(a, metric, a.depth)] = 90.0 - 2.0 * sign if STATE_MARK in metric else 90.0 - (not holds)
        else:
            raise AssertionError(f"no example for kind {kind}")
    return v


def _run(check: dict, values: dict) -> pd.Series:
    trained = {(a.dataset, a.name): "" for a, _, _ in values}
    return checks.run_checks([check], _frame(values), trained).iloc[0]


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_every_claim_holds_and_fails_on_hand_made_values(claim):
    check = CLAIMS[claim]
    held = _run(check, _example(check, holds=True))
    assert held["verdict"] == "holds" and held["comparisons"] >= 1 and held["failed"] == 0, held["details"]
    failed = _run(check, _example(check, holds=False))
    assert failed["verdict"] == "fails" and failed["failed"] >= 1 and "✗" in failed["details"], failed["details"]


def test_at_least_eight_claims_and_every_kind_has_a_function():
    assert len(CLAIMS) >= 8
    assert {c["kind"] for c in CLAIMS.values()} <= set(checks.CHECK_KINDS)


def test_a_claim_without_its_networks_is_not_run():
    result = checks.run_checks([CLAIMS["deeper_more_dead"]], _frame({}), {})
    assert result.iloc[0]["verdict"] == "not run" and result.iloc[0]["comparisons"] == 0


def test_per_layer_claims_compare_every_layer_and_name_them_readably():
    check = CLAIMS["relu_sparser_than_sigmoid"]
    relu, sigmoid = Architecture("mnist", 4, 200, False, "relu"), Architecture("mnist", 4, 200, False, "sigmoid")
    values = {(relu, "sparsity", layer): 76.0 for layer in range(1, 5)}
    values |= {(sigmoid, "sparsity", layer): 55.0 for layer in range(1, 5)}
    values[(sigmoid, "sparsity", 3)] = 80.0
    result = _run(check, values)
    assert result["verdict"] == "fails" and (result["comparisons"], result["failed"]) == (4, 1)
    assert "mnist 4x200 no BN, layer 3: ReLU 76.00 vs sigmoid 80.00 ✗" in result["details"]


def test_most_holds_when_more_than_half_of_the_comparisons_do():
    check = CLAIMS["relu_tests_better_without_bn"]
    assert check["quantifier"] == "most"
    values = _example(check, holds=True)
    relus = [a for a in networks_of(check["networks"]) if a.activation == "relu"]
    half = len(relus) // 2
    for arch in relus[: half - 1]:  # sigmoid ahead in fewer than half of the pairs
        values[(arch, "test_acc", pd.NA)] = 0.0
    assert _run(check, values)["verdict"] == "holds"
    values[(relus[half - 1], "test_acc", pd.NA)] = 0.0  # in exactly half: not more than half hold
    assert _run(check, values)["verdict"] == "fails"


def test_classifier_claim_names_the_system_and_the_networks_floor():
    check = CLAIMS["classifiers_reach_network"]
    arch = Architecture("mnist", 4, 200, False, "relu")
    values = _example(check, holds=True)
    values |= {
        (arch, "network_acc", pd.NA): 98.29,
        (arch, "layer_acc:combined", 4): 98.33,
        (arch, "layer_acc:combined", 1): 90.0,
        (arch, "layer_acc:discrete", 4): 98.0,
    }
    result = _run(check, values)
    scope = networks_of(check["networks"])
    assert result["verdict"] == "holds" and result["comparisons"] == len(scope) + 1  # the last layer only
    assert (
        "mnist 4x200 ReLU no BN, last hidden layer (4), test: combined 98.33 vs network - 1 97.29" in result["details"]
    )


def test_a_claim_the_study_contradicts_says_so():
    check = CLAIMS["batch_norm_fewer_dead"]
    result = _run(check, _example(check, holds=True))
    assert "Table 5.1 has more dead nodes with batch norm" in result["inconsistent"]


def test_values_equal_but_for_rounding_are_a_tie_not_a_difference():
    check = CLAIMS["batch_norm_widens_gap"]
    nets = {(bn, act): Architecture("mnist", 4, 200, bn, act) for bn in (False, True) for act in ("relu", "sigmoid")}
    # the gap is 0.1267 points with and without batch norm, but for float32 noise
    values = {
        (nets[(False, "relu")], "val_acc", pd.NA): 98.30666685,
        (nets[(False, "sigmoid")], "val_acc", pd.NA): 98.18,
        (nets[(True, "relu")], "val_acc", pd.NA): 98.74666691,
        (nets[(True, "sigmoid")], "val_acc", pd.NA): 98.62,
    }
    result = _run(check, values)
    assert result["verdict"] == "fails"
    assert "BN 0.1267 vs no BN 0.1267 ✗" in result["details"]  # close values printed with enough digits


def _subset(values: dict, keep) -> dict:
    return {key: v for key, v in values.items() if keep(key[0])}


def test_a_claim_compared_on_part_of_its_scope_is_partly_run_and_names_what_is_missing():
    check = CLAIMS["batch_norm_moderates_activity"]  # 4x200 and 8x200, ReLU and sigmoid, BN off and on
    depth8 = _subset(_example(check, holds=True), lambda a: a.depth == 8)
    result = _run(check, depth8)
    assert result["verdict"] == "partly run" and (result["comparisons"], result["failed"]) == (2, 0)
    assert "not compared: 4 of 8 networks (not trained by this config: mnist d4_w200_bn0_relu, " in result["details"]
    # the 4x200 nets trained, but their node metrics written before class_polarised_pct existed
    trained = {(a.dataset, a.name): "" for a in networks_of(check["networks"])}
    without = checks.run_checks([check], _frame(depth8), trained).iloc[0]
    assert without["verdict"] == "partly run"
    assert (
        "(trained, without class_polarised_pct: mnist d4_w200_bn0_relu, d4_w200_bn0_sigmoid, d4_w200_bn1_relu, "
        in (without["details"])
    )


def test_a_counterexample_fails_a_claim_about_every_net_even_on_part_of_its_scope():
    check = CLAIMS["relu_sparser_than_sigmoid"]
    assert check.get("quantifier", "all") == "all"
    depth4 = _subset(_example(check, holds=False), lambda a: a.depth == 4)
    result = _run(check, depth4)
    assert result["verdict"] == "fails" and "not compared: 4 of 8 networks" in result["details"]


def test_a_hedged_claim_on_part_of_its_scope_is_partly_run_whatever_it_found():
    check = CLAIMS["dead_nodes_deepest"]
    assert check["quantifier"] == "most"
    for holds in (True, False):
        result = _run(check, _subset(_example(check, holds), lambda a: a.depth == 4))
        assert result["verdict"] == "partly run", result["details"]


def test_a_net_missing_from_a_pair_counts_as_missing():
    check = CLAIMS["relu_more_dead_than_sigmoid"]  # the 8x200 pair without batch norm
    relu_only = _subset(_example(check, holds=True), lambda a: a.activation == "relu")
    result = _run(check, relu_only)
    assert result["verdict"] == "not run" and result["comparisons"] == 0
    assert "not compared: 1 of 2 networks (not trained by this config: mnist d8_w200_bn0_sigmoid)" in result["details"]


def test_the_verdict_rule_over_scope_and_quantifier():
    made = [
        check_kinds.Comparison("x", "a", 2.0, "b", 1.0, True),
        check_kinds.Comparison("y", "a", 0.0, "b", 1.0, False),
    ]
    assert checks.verdict([], "all", complete=True) == "not run"
    assert checks.verdict(made[:1], "all", complete=True) == "holds"
    assert checks.verdict(made[:1], "all", complete=False) == "partly run"
    assert checks.verdict(made, "all", complete=False) == "fails"
    assert checks.verdict(made + made[:1], "most", complete=True) == "holds"
    assert checks.verdict(made + made[:1], "most", complete=False) == "partly run"


def test_a_claim_on_a_state_its_config_keeps_no_snapshot_of_is_not_run_and_says_why():
    check = CLAIMS["sigmoid_discrete_dips_at_epoch30"]
    assert check["states"] == ["epoch30"]
    values = {key: v for key, v in _example(check, holds=True).items() if STATE_MARK not in key[1]}
    result = _run(check, values)  # the net trained, its final model measured, no epoch-30 snapshot
    assert result["verdict"] == "not run" and result["comparisons"] == 0
    assert "trained, without layer_acc:discrete@epoch30 (a state its config keeps no snapshot of" in result["details"]
    gain = CLAIMS["relu_later_layers_learn_more"]
    values = _example(gain, holds=True)
    arch = networks_of(gain["networks"])[0]
    del values[(arch, "layer_acc:combined@epoch1", 1)]  # one value missing: the net is not compared at all
    assert _run(gain, values)["verdict"] == "not run"


def test_training_claims_compare_each_later_layer_s_gain_with_layer_1_s_and_name_the_states():
    check = CLAIMS["relu_later_layers_learn_more"]
    arch = networks_of(check["networks"])[0]
    values = _example(check, holds=True)
    values[(arch, "layer_acc:continuous", 4)] = 81.0  # layer 4 loses a point while layer 1 gains 2
    result = _run(check, values)
    assert result["verdict"] == "fails" and (result["comparisons"], result["failed"]) == (9, 1)  # 3 systems x 3 layers
    assert (
        "fmnist 6x100 ReLU no BN continuous, test accuracy gained from epoch1 to the final model: "
        "layer 4 1.00 vs layer 1 2.00 ✗" in result["details"]
    )
    dip = CLAIMS["sigmoid_discrete_dips_at_epoch30"]
    held = _run(dip, _example(dip, holds=True))
    assert "discrete, test, epoch30: layer 5 90.00 vs layer 6 88.00" in held["details"]
    assert "discrete, test, final model: layer 6 90.0000 vs layer 5 90.0000" in held["details"]  # level: no dip


def test_snapshot_values_do_not_stand_for_the_final_model_s_systems():
    check = CLAIMS["systems_reach_network_before_last"]
    values = _example(check, holds=True)
    arch = networks_of(check["networks"])[0]
    values[(arch, "layer_acc:discrete@epoch1", 1)] = 10.0  # a snapshot's system is not another system
    result = _run(check, values)
    assert result["verdict"] == "holds" and "discrete@epoch1" not in result["details"]


def test_a_claim_s_protocol_note_names_the_nets_it_concerns_one_difference_at_a_time():
    check = CLAIMS["deeper_more_dead"]  # 4x200 and 8x200 at width 200, BN off and on
    coarse = "learning rate chosen from the initial rates only (the study refines it: Section 3.3.1)"
    protocol = {(a.dataset, a.name): "" for a in networks_of(check["networks"])}
    protocol |= {("mnist", "d8_w200_bn0_relu"): coarse, ("mnist", "d8_w200_bn1_relu"): coarse}
    # one net with two differences, as plan.protocol_differences joins them
    protocol |= {("mnist", "d4_w200_bn1_sigmoid"): DIFFERENCES_JOINED_BY.join(["30 epochs (study 300)", coarse])}
    result = checks.run_checks([check], _frame(_example(check, holds=True)), protocol).iloc[0]
    assert result["protocol"] == (
        "30 epochs (study 300): mnist d4_w200_bn1_sigmoid. "
        f"{coarse}: mnist d4_w200_bn1_sigmoid, d8_w200_bn0_relu, d8_w200_bn1_relu"
    )
    agreed = {key: "" for key in protocol}
    assert checks.run_checks([check], _frame(_example(check, holds=True)), agreed).iloc[0]["protocol"] == ""


def test_a_protocol_note_over_two_datasets_keeps_each_difference_apart():
    nets = [Architecture("mnist", 4, 200, False, "relu"), Architecture("fmnist", 4, 200, False, "relu")]
    protocol = {
        ("mnist", nets[0].name): "30 epochs (study 300)",
        ("fmnist", nets[1].name): "30 epochs (study 300); 2 seeds (study 3)",
    }
    assert checks.describe_protocol(nets, protocol) == (
        "2 seeds (study 3): fmnist d4_w200_bn0_relu. 30 epochs (study 300): mnist d4_w200_bn0_relu; fmnist d4_w200_bn0_relu"
    )
