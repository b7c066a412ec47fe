"""The activation registry: every entry computes what it says, and the rest of the code
(schema, names, classifier systems, figures) follows it."""

import math

import numpy as np
import pytest
import torch
import yaml
from conftest import REPO

from actstudy.core.activations import NAMES, REGISTRY, get
from actstudy.core.config import Architecture
from actstudy.metrics.activity import activate
from actstudy.metrics.classifiers import systems_for

# a = T(z) at z = -1, 0, 1, by the textbook formula (torch's default parameters)
EXPECTED = {
    "relu": [0.0, 0.0, 1.0],
    "sigmoid": [1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-1))],
    "tanh": [-math.tanh(1), 0.0, math.tanh(1)],
    "leaky_relu": [-0.01, 0.0, 1.0],
    "elu": [math.exp(-1) - 1, 0.0, 1.0],
    "gelu": [-0.5 * (1 + math.erf(-1 / math.sqrt(2))), 0.0, 0.5 * (1 + math.erf(1 / math.sqrt(2)))],
    "silu": [-1 / (1 + math.e), 0.0, 1 / (1 + math.exp(-1))],
    "softplus": [math.log1p(math.exp(-1)), math.log(2), math.log1p(math.e)],
}


def test_every_activation_has_its_formula():
    assert set(EXPECTED) == set(NAMES)
    for name, values in EXPECTED.items():
        np.testing.assert_allclose(activate(np.array([[-1.0, 0.0, 1.0]]), name)[0], values, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_analysis_computes_what_the_network_computed(name, dtype):
    """a = T(z) over NumPy arrays (node metrics, figures) equals the torch module the
    network used, far into both tails and across softplus's switch at z = 20, in the
    dtype and memory layout of z (column-major layers stay column-major)."""
    z = np.concatenate([np.linspace(-120, 120, 2401), [0.0, -0.0, 19.999, 20.0, 20.001, -1e-30, 1e-30]])
    z = np.asfortranarray(np.resize(z, (4, z.size)).T.astype(dtype))
    a = activate(z, name)
    with torch.no_grad():
        expected = REGISTRY[name].make_module()(torch.from_numpy(z)).numpy()
    assert a.dtype == dtype and a.shape == z.shape and a.flags.f_contiguous
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(a, expected, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("name", NAMES)
def test_on_is_z_above_zero_is_a_above_the_threshold(name):
    z = np.concatenate([np.linspace(-12, -1e-3, 500), np.linspace(1e-3, 12, 500)])
    a = activate(z[None, :], name)[0]
    assert ((a > REGISTRY[name].threshold) == (z > 0)).all()
    assert math.isclose(activate(np.zeros((1, 1)), name)[0, 0], REGISTRY[name].threshold, abs_tol=1e-12)


def test_only_an_exact_zero_below_the_threshold_gets_the_combined_classifier():
    for name in NAMES:
        below = activate(np.linspace(-5, 0, 11)[None, :], name)
        assert REGISTRY[name].exact_zero == bool((below == 0).all()), name
        assert ("combined" in systems_for(name)) == REGISTRY[name].exact_zero
    assert systems_for("relu") == ("discrete", "continuous", "combined")


def test_init_is_he_for_the_relu_family_and_xavier_for_the_saturating():
    assert {n for n in NAMES if REGISTRY[n].init == "xavier"} == {"sigmoid", "tanh"}
    assert all(REGISTRY[n].init in ("he", "xavier") for n in NAMES)


def test_schema_lists_exactly_the_registry():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    assert schema["$defs"]["activation"]["enum"] == list(NAMES)


def test_every_activation_names_a_network_and_parses_back():
    for name in NAMES:
        arch = Architecture("mnist", 4, 200, False, name)
        assert Architecture.parse("mnist", arch.name) == arch
        assert REGISTRY[name].label in arch.label
        assert isinstance(REGISTRY[name].make_module(), torch.nn.Module)


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="unknown activation 'swish'; known: relu, sigmoid"):
        get("swish")
    with pytest.raises(ValueError, match="swish"):
        Architecture("mnist", 4, 200, False, "swish")


def test_regularised_networks_have_readable_names_and_defaults_keep_the_old_ones():
    assert Architecture("mnist", 4, 200, False, "relu").name == "d4_w200_bn0_relu"
    arch = Architecture("mnist", 4, 200, False, "gelu", dropout=0.2, weight_decay=1e-4)
    assert arch.name == "d4_w200_bn0_gelu_do0.2_wd0.0001"
    assert Architecture.parse("mnist", arch.name) == arch
    for bad in ("d4_w200_bn0_relu_do0", "d4_w200_bn0_relu_do0.20", "d4_w200_bn0_relu_wd-1"):
        with pytest.raises(ValueError, match="not an architecture name"):
            Architecture.parse("mnist", bad)
    for kwargs in ({"dropout": 1.0}, {"dropout": -0.1}, {"weight_decay": -1e-4}):
        with pytest.raises(ValueError):
            Architecture("mnist", 4, 200, False, "relu", **kwargs)


def test_every_figure_style_knows_every_activation():
    from actstudy.figures.style import ACTIVATION_COLOURS, ACTIVATION_NAMES, CURVE_COLOURS
    from actstudy.study.tables import column_label

    for name in NAMES:
        assert ACTIVATION_NAMES[name] == REGISTRY[name].label
        assert ACTIVATION_COLOURS[name] and CURVE_COLOURS[(name, "train")] and CURVE_COLOURS[(name, "val")]
        assert column_label(name, True) == f"{REGISTRY[name].label}, BN"
    assert CURVE_COLOURS[("relu", "val")] == "tab:green"  # the study's own convention stays


def test_a_study_figure_draws_a_new_activation(tmp_path):
    """fig3_4's renderer on a GELU and a tanh net, as on ReLU and sigmoid."""
    import pandas as pd

    from actstudy.figures.draw import render
    from actstudy.training.results import ArchResults

    results = []
    for act in ("gelu", "tanh"):
        arch = Architecture("digits", 2, 32, False, act)
        summary = pd.DataFrame({"run": ["lr0.01_s0", "lr0.01_s1"], "test_acc": [0.95, 0.96]})
        history = pd.DataFrame({"run": ["lr0.01_s0"], "epoch": [1], "train_acc": [0.9], "val_acc": [0.9]})
        results.append(ArchResults(arch, history, summary, {"runs": ["lr0.01_s0", "lr0.01_s1"], "learning_rate": 0.01}))
    fig = render("fig3_4", results)
    labels = {text.get_text() for legend in fig.legends for text in legend.get_texts()}
    assert {"GELU, bn_0", "tanh, bn_0"} <= labels
