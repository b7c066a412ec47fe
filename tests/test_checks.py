"""The study's qualitative claims (actstudy.study.checks): every claim of workflow/study/numbers.yaml
made to hold and made to fail on hand-made values, and the rules every claim shares."""

import pandas as pd
import pytest
from conftest import REPO

from actstudy.core.config import Architecture
from actstudy.study import checks, scorecard
from actstudy.study.numbers import load_study, networks_of

STUDY = load_study(REPO / "workflow/study/numbers.yaml", REPO / "workflow/schemas/study.schema.yaml")
CLAIMS = {c["id"]: c for c in STUDY["checks"]}


def _frame(values: dict) -> pd.DataFrame:
    """Long table from {(arch, metric, layer): value} (one seed)."""
    rows = [{"dataset": a.dataset, "network": a.name, "seed": 0, "metric": m, "layer": layer, "value": v}
            for (a, m, layer), v in values.items()]  # fmt: skip
    frame = pd.DataFrame(rows, columns=scorecard.MEASURED_COLUMNS)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def _layers(arch: Architecture, per_layer: bool, start: int = 1):
    return range(start, arch.depth + 1) if per_layer else [pd.NA]


def _first_pair(archs, attribute, first):
    return next(checks._pairs(archs, attribute, first))


def _example(check: dict, holds: bool) -> dict:
    """Values for the fewest networks the claim compares, chosen so that it holds (or not)."""
    archs = networks_of(check["networks"])
    kind, v = check["kind"], {}
    if kind == "compare":
        a, b = _first_pair(archs, check["vary"], check["higher"])
        for metric in check["metrics"]:
            for layer in _layers(a, check.get("per_layer", False)):
                v[(a, metric, layer)], v[(b, metric, layer)] = (60.0 if holds else 40.0), 50.0
    elif kind == "gap":
        relus = [x for x in archs if x.activation == "relu"]
        a, b = _first_pair(relus, check["vary"], check["larger_at"])
        for arch, sigmoid in ((a, 57.0 if holds else 59.0), (b, 59.0 if holds else 57.0)):
            v[(arch, check["metric"], pd.NA)] = 60.0
            v[(Architecture(arch.dataset, arch.depth, arch.width, arch.batch_norm, "sigmoid"), check["metric"],
               pd.NA)] = sigmoid  # fmt: skip
    elif kind == "trend":
        first = archs[0]
        shallow, deep = sorted((x for x in archs if x.depth != first.depth and
                                x == Architecture(first.dataset, x.depth, first.width, first.batch_norm,
                                                  first.activation)), key=lambda x: x.depth)[0], first  # fmt: skip
        shallow, deep = sorted((shallow, deep), key=lambda x: x.depth)
        up = check["direction"] == "increasing"
        v[(shallow, check["metric"], pd.NA)], v[(deep, check["metric"], pd.NA)] = 50.0, (
            60.0 if up == holds else 40.0)  # fmt: skip
    elif kind == "bound":
        arch, limit = archs[0], check.get("at_least", check.get("above"))
        for layer in _layers(arch, check.get("per_layer", False), check.get("from_layer", 1)):
            v[(arch, check["metric"], layer)] = limit + (1.0 if holds else -1.0)
    elif kind == "layers":
        arch = archs[0]
        for layer in range(1, arch.depth + 1):
            v[(arch, check["metric"], layer)] = 5.0
        v[(arch, check["metric"], arch.depth)] = 10.0 if holds else 1.0
    elif kind == "polarised":
        arch = archs[0]
        for layer in range(1, arch.depth + 1):
            v[(arch, "class_polarised_pct", layer)] = 20.0 if layer == 1 else (80.0 if holds else 30.0)
    elif kind == "reach_network":
        arch = archs[0]
        v[(arch, "network_acc", pd.NA)] = 98.0
        v[(arch, "layer_acc:discrete", arch.depth)] = 97.5 if holds else 96.5
    elif kind == "systems":
        arch, layer = archs[0], 1 if check["layer"] == "first" else archs[0].depth
        v[(arch, f"layer_acc:{check['higher']}", layer)] = 95.0 if holds else 85.0
        for lower in check["lower"]:
            v[(arch, f"layer_acc:{lower}", layer)] = 90.0
    elif kind == "peak":
        arch = archs[0]
        for system in check["systems"]:
            for layer in range(1, arch.depth + 1):
                v[(arch, f"layer_acc:{system}", layer)] = 97.0
            v[(arch, f"layer_acc:{system}", 2)] = 98.0
            v[(arch, f"layer_acc:{system}", arch.depth)] = 97.5 if holds else 98.5
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
    assert {c["kind"] for c in CLAIMS.values()} <= set(checks.KINDS)


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
    nets = [Architecture("mnist", d, 200, False, act) for d in (2, 4, 6) for act in ("relu", "sigmoid")]
    values = {(a, "test_acc", pd.NA): 98.0 if a.activation == "relu" else 97.0 for a in nets}
    values[(nets[0], "test_acc", pd.NA)] = 96.0  # depth 2: sigmoid ahead
    assert _run(check, values)["verdict"] == "holds"  # 2 of 3
    values[(nets[2], "test_acc", pd.NA)] = 96.0  # depth 4 too: 1 of 3
    assert _run(check, values)["verdict"] == "fails"


def test_classifier_claim_names_the_system_and_the_networks_floor():
    check = CLAIMS["classifiers_reach_network"]
    arch = Architecture("mnist", 4, 200, False, "relu")
    values = {(arch, "network_acc", pd.NA): 98.29, (arch, "layer_acc:combined", 4): 98.33,
              (arch, "layer_acc:combined", 1): 90.0}  # fmt: skip
    result = _run(check, values)
    assert result["verdict"] == "holds" and result["comparisons"] == 1  # the last layer only
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
    values = {(nets[(False, "relu")], "val_acc", pd.NA): 98.30666685, (nets[(False, "sigmoid")], "val_acc", pd.NA): 98.18,
              (nets[(True, "relu")], "val_acc", pd.NA): 98.74666691, (nets[(True, "sigmoid")], "val_acc", pd.NA): 98.62}  # fmt: skip
    result = _run(check, values)
    assert result["verdict"] == "fails"
    assert "BN 0.1267 vs no BN 0.1267 ✗" in result["details"]  # close values printed with enough digits
