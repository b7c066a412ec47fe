"""The config is checked before anything runs; every error names its key."""

import pytest
import yaml
from conftest import REPO

from actstudy.core.config import Architecture, ConfigError, figure_architectures, run_grids
from actstudy.validation import load_schema, validate

SCHEMA = load_schema(REPO / "workflow/schemas/config.schema.yaml")


def default_config():
    return yaml.safe_load((REPO / "config.yaml").read_text())


def paper_config():
    return yaml.safe_load((REPO / "config/paper.yaml").read_text())


def keys(tree, prefix=""):
    if isinstance(tree, dict):
        return {k for key, value in tree.items() for k in keys(value, f"{prefix}.{key}") | {f"{prefix}.{key}"}}
    return set()


def layered(*names):
    """config/paper.yaml with the named config files on top, merged as Snakemake merges them."""
    from snakemake.utils import update_config

    config = paper_config()
    for name in names:
        update_config(config, yaml.safe_load((REPO / "config" / name).read_text()))
    return config


def test_shipped_configs_are_valid():
    validate(default_config(), SCHEMA)
    validate(paper_config(), SCHEMA)
    for name in ("activations.yaml", "regularisation.yaml", "overrides/reproduce-mnist-4x200.yaml"):
        validate(layered(name), SCHEMA)


@pytest.mark.parametrize("name", ["activations.yaml", "regularisation.yaml"])
def test_beyond_the_study_configs_keep_the_study_grid(name):
    config = layered(name)
    assert config["architectures"][: len(paper_config()["architectures"])] == paper_config()["architectures"]
    grids = run_grids(config)
    assert set(run_grids(paper_config())) <= set(grids)
    new = set(grids) - set(run_grids(paper_config()))
    if name == "activations.yaml":
        assert {a.activation for a in new} == {"tanh", "leaky_relu", "elu", "gelu", "silu", "softplus"}
        assert len(new) == 6 * 2 * 2  # six new activations x depth 4, 8 x BN off, on
    else:
        assert len(new) == 2 * 3 * 2 - 2  # ReLU, sigmoid x 3 dropouts x 2 decays, less the two the study has
        assert {(a.dropout, a.weight_decay) for a in new} >= {(0.5, 0.0001)}
    assert figure_architectures(config, "cmp_accuracy")


def test_schema_lists_exactly_the_known_datasets():
    from actstudy.data.datasets import DATASETS

    assert SCHEMA["$defs"]["dataset"]["enum"] == list(DATASETS)


def test_schema_figure_keys_are_the_catalogs():
    from actstudy.figures.catalog import TARGETS

    figures = set(SCHEMA["properties"]["figures"]["properties"])
    tables = set(SCHEMA["properties"]["tables"]["properties"])
    assert figures | tables | {"fig1_1"} == set(TARGETS)
    assert set(default_config()["figures"]) == figures


def test_paper_config_sets_every_key_of_the_default():
    # --configfile merges onto config.yaml: a key only the default sets would leak into the study.
    default, paper = default_config(), paper_config()
    assert keys(default["data"]) <= keys(paper["data"])
    assert keys(default["training"]) <= keys(paper["training"])
    assert set(default["figures"]) == set(paper["figures"])
    for name, selection in default["figures"].items():  # e.g. a dropout list would leak into the study's figure
        assert set(selection) <= set(paper["figures"][name]), name


def test_paper_config_is_the_study():
    config = paper_config()
    grids = run_grids(config)
    main = [a for a in grids if a.width in (200, 800) and a.depth in (2, 4, 6, 8)]
    assert len(main) == 3 * 4 * 2 * 2 * 2
    science = {k: v for k, v in config["training"].items() if k not in ("snapshot_epochs", "checkpoint_every")}
    assert science == {
        "epochs": 300,
        "batch_size": 64,
        "lr_decay": 0.99,
        "learning_rates": [0.01, 0.001, 0.0001],
        "seeds": [0, 1, 2],
    }
    assert len(grids[Architecture("mnist", 4, 200, False, "relu")].seeds) == 10  # Figure 1.3


def test_later_block_wins_and_figures_expand_in_order():
    config = default_config()
    grids = run_grids(config)
    assert grids[Architecture("digits", 2, 32, False, "relu")].learning_rates == (0.01, 0.001, 0.0001)
    assert grids[Architecture("digits", 4, 32, False, "relu")].seeds == (0, 1)
    archs = figure_architectures(config, "fig3_2")
    assert archs[0] == Architecture("digits", 2, 32, False, "relu")
    assert len(archs) == 8


def mutate(path, value):
    config = default_config()
    node = config
    *parents, last = path
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return config


DELETE = object()
BAD = [
    (("trainig",), {}, "trainig"),
    (("training", "epoch"), 3, "epoch"),
    (("training", "epochs"), "ten", "training.epochs"),
    (("training", "epochs"), 0, "training.epochs"),
    (("training", "batch_size"), -1, "training.batch_size"),
    (("training", "seeds"), [], "training.seeds"),
    (("training", "learning_rates"), [0.0], "training.learning_rates.0"),
    (("training", "learning_rates"), [-0.1], "training.learning_rates.0"),
    (("training", "lr_decay"), 1.5, "training.lr_decay"),
    (("training", "snapshot_epochs"), [31], "training.snapshot_epochs"),
    (("training", "checkpoint_every"), -5, "training.checkpoint_every"),
    (("data", "split_seed"), DELETE, "split_seed"),
    (("data", "mirror"), 3, "data.mirror"),
    (("architectures", 0, "depth"), 0, "architectures.0.depth"),
    (("architectures", 0, "width"), -1, "architectures.0.width"),
    (("architectures", 0, "activation"), "swish", "architectures.0.activation"),
    (("architectures", 0, "activation"), ["relu", "swish"], "architectures.0.activation"),
    (("architectures", 0, "dropout"), 1.0, "architectures.0.dropout"),
    (("architectures", 0, "dropout"), [0.2, -0.1], "architectures.0.dropout"),
    (("architectures", 0, "weight_decay"), -0.0001, "architectures.0.weight_decay"),
    (("figures", "cmp_accuracy", "activation"), "elu", "figures.cmp_accuracy: digits d2_w32_bn0_elu is not a trained"),
    (("figures", "cmp_regularisation"), DELETE, "cmp_regularisation"),
    (("architectures", 0, "dataset"), "imagenet", "architectures.0.dataset"),
    (("architectures", 0, "colour"), "red", "colour"),
    (("figures", "fig3_2", "width"), 999, "figures.fig3_2"),
    (("figures", "fig9_9"), {}, "fig9_9"),
    (("figures", "fig3_4"), DELETE, "fig3_4"),
    (("figures", "fig4_3", "state"), "epoch7", "figures.fig4_3.state"),
    (("figures", "fig6_6", "states"), ["epoch5", "epoch99"], "figures.fig6_6.states"),
    (("figures", "fig6_6", "state"), "best", "figures.fig6_6: give either state or states"),
    (("figures", "fig6_1", "layer"), 9, "figures.fig6_1.layer"),
    (("figures", "fig6_1", "layer"), 0, "figures.fig6_1.layer"),
    (("figures", "fig6_2", "layer"), 1, "layer"),  # only fig6_1 shows one layer
    (("figures", "fig6_7"), DELETE, "fig6_7"),
    (("analysis", "node_on"), "z>=1", "analysis.node_on"),
    (("analysis", "samples"), "validation", "analysis.samples"),
    (("analysis", "batch_norm"), "train", "analysis.batch_norm"),
    (("analysis", "dead_in_sparsity"), "yes", "analysis.dead_in_sparsity"),
    (("analysis", "state"), "epoch7", "analysis.state: 'epoch7' is not kept"),
    (("analysis", "state"), "init", "analysis.state"),
    (("analysis", "stat"), "best", "stat"),
    (("analysis", "learning_rate"), "best", "analysis.learning_rate"),
    (("analysis", "sigmoid_on"), "a>0.5", "analysis.sigmoid_on"),
    (("analysis", "z"), "before_bn", "analysis.z"),
    (("analysis", "learning_rate"), 0.5, "analysis.learning_rate: 0.5 is not a learning rate of digits"),
    # hostile or careless values that a schema alone lets through
    (("training", "learning_rates"), [float("nan")], "training.learning_rates.0: nan is not a finite number"),
    (("training", "learning_rates"), [float("inf")], "training.learning_rates.0: inf is not a finite number"),
    (("training", "learning_rates"), [1.5], "training.learning_rates.0: 1.5 is greater than the maximum of 1"),
    (("training", "lr_decay"), float("nan"), "training.lr_decay: nan is not a finite number"),
    (("architectures", 0, "depth"), 4.0, "architectures.0.depth: 4.0 is not a whole number (write 4)"),
    (("architectures", 0, "width"), 10**7, "architectures.0.width: 10000000 is greater than the maximum of 16384"),
    (("architectures", 0, "depth"), 1000, "architectures.0.depth: 1000 is greater than the maximum of 64"),
    (("figures", "fig3_2", "depth"), [2.0, 4], "figures.fig3_2.depth.0: 2.0 is not a whole number"),
    (("training", "snapshot_epochs"), [5.5], "training.snapshot_epochs.0: 5.5 is not a whole number"),
    (("training", "seeds"), [2**32], "training.seeds.0: 4294967296 is greater than the maximum of 4294967295"),
    (("training", "seeds"), [-1], "training.seeds.0: -1 is less than the minimum of 0"),
    (("data", "split_seed"), 2**40, "data.split_seed: 1099511627776 is greater than the maximum"),
    (("training", "batch_size"), 1, "training.batch_size: 1 with batch norm"),
    (("training", "epochs"), "5", "training.epochs: '5' is a string, not an integer; values given with --config"),
    (("architectures", 0, "batch_norm"), "yes", "architectures.0.batch_norm"),
    (
        ("architectures", 0, "width"),
        16384,
        "d4_w16384_bn0_relu with 4 runs needs about 80 GB in one training job, over limits.train_memory_gb = 64",
    ),
    (("limits",), {"train_memory_gb": 0.5}, "over limits.train_memory_gb = 0.5"),
    (("limits",), {"train_memory": 100}, "limits: Additional properties are not allowed"),
    (("also_analyse",), ["results/figures/fig3_1.png"], "also_analyse.0"),
    (("also_analyse",), ["results/z/digits/d2_w7_bn0_relu/seed0/best_train.parquet"], "also_analyse.0: results/z"),
    (("also_analyse",), ["results/z/digits/d2_w32_bn0_relu/seed9/best_train.parquet"], "also_analyse.0: seed 9"),
    (("also_analyse",), ["results/metrics/digits/d2_w32_bn0_relu/seed0/epoch7_layers.csv"], "state 'epoch7'"),
]


@pytest.mark.parametrize("path,value,named", BAD, ids=[".".join(map(str, b[0])) + f"={b[1]!r}"[:30] for b in BAD])
def test_bad_config_is_rejected_naming_the_key(path, value, named):
    with pytest.raises(ConfigError) as error:
        validate(mutate(path, value), SCHEMA)
    assert named in str(error.value)


def test_a_raised_memory_limit_lets_a_big_grid_through():
    config = mutate(("architectures", 0, "width"), 16384)
    config["limits"] = {"train_memory_gb": 200}
    config["figures"] = {k: v for k, v in config["figures"].items()}
    with pytest.raises(ConfigError) as error:
        validate(config, SCHEMA)
    assert "train_memory_gb" not in str(error.value)  # only the figures' missing nets remain


def test_error_lists_allowed_values():
    with pytest.raises(ConfigError, match="'swish' is not allowed; choose one of .'relu'.*'softplus'"):
        validate(mutate(("architectures", 0, "activation"), "swish"), SCHEMA)
    with pytest.raises(ConfigError, match="allowed keys: .*epochs"):
        validate(mutate(("training", "epoch"), 3), SCHEMA)


def test_missing_analysis_keys_take_the_definitions():
    from actstudy.core.config import ANALYSIS_DEFAULTS, analysis_settings, describe_readings

    config = mutate(("analysis",), DELETE)
    validate(config, SCHEMA)
    assert analysis_settings(config) == ANALYSIS_DEFAULTS
    partial = mutate(("analysis",), {"node_on": "z>=0"})
    validate(partial, SCHEMA)
    assert analysis_settings(partial) == {**ANALYSIS_DEFAULTS, "node_on": "z>=0"}
    assert describe_readings(ANALYSIS_DEFAULTS) == (
        "state best; on when z>0; dead nodes excluded in sparsity; samples train; batch norm at extraction eval; "
        "learning rate selected; sigmoid on when z>0; z at the activation's input"
    )
    every_net_has_it = mutate(("analysis",), {"learning_rate": 0.001})  # every digits block trains 0.001
    validate(every_net_has_it, SCHEMA)


def test_batch_norm_after_the_activation_is_its_own_network():
    from actstudy.core.config import expand_networks

    block = {
        "dataset": "mnist",
        "depth": 4,
        "width": 200,
        "batch_norm": [False, True],
        "activation": "relu",
        "batch_norm_position": ["before", "after"],
    }
    names = [a.name for a in expand_networks(block)]
    assert names == ["d4_w200_bn0_relu", "d4_w200_bn1_relu", "d4_w200_bn1after_relu"]  # no BN: once
    after = Architecture.parse("mnist", "d4_w200_bn1after_relu")
    assert after.bn_after and after.label == "4x200 ReLU, BN after" and after.name == "d4_w200_bn1after_relu"
    config = default_config()
    config["architectures"][0]["batch_norm_position"] = ["before", "after"]  # the figures' nets stay trained
    validate(config, SCHEMA)
    assert Architecture("digits", 2, 32, True, "relu", "after") in run_grids(config)
    config["architectures"][0]["batch_norm_position"] = "middle"
    with pytest.raises(ConfigError, match="architectures.0.batch_norm_position"):
        validate(config, SCHEMA)


def test_architecture_names_round_trip():
    arch = Architecture("mnist", 8, 800, True, "sigmoid")
    assert arch.name == "d8_w800_bn1_sigmoid"
    assert Architecture.parse("mnist", arch.name) == arch
    with pytest.raises(ValueError):
        Architecture.parse("mnist", "d8_w800_sigmoid")


def test_uniform_batch_norm_scale_is_its_own_network():
    from actstudy.core.config import expand_networks

    block = {
        "dataset": "mnist",
        "depth": 4,
        "width": 200,
        "batch_norm": [False, True],
        "activation": "relu",
        "batch_norm_init": ["ones", "uniform"],
    }
    names = [a.name for a in expand_networks(block)]
    assert names == ["d4_w200_bn0_relu", "d4_w200_bn1_relu", "d4_w200_bn1_relu_gu"]  # no BN: once
    uniform = Architecture.parse("mnist", "d4_w200_bn1_relu_gu_do0.2")
    assert uniform.bn_init == "uniform" and uniform.dropout == 0.2 and uniform.name == "d4_w200_bn1_relu_gu_do0.2"
    assert uniform.label == "4x200 ReLU, BN (γ ~ U[0, 1]), dropout 0.2"
    with pytest.raises(ValueError, match="not an architecture name"):
        Architecture.parse("mnist", "d4_w200_bn0_relu_gu")  # no batch norm, no scale to initialise
    config = default_config()
    config["architectures"][0]["batch_norm_init"] = "normal"
    with pytest.raises(ConfigError, match="architectures.0.batch_norm_init"):
        validate(config, SCHEMA)


def test_extraction_settings_follow_the_readings_only_where_they_change_z():
    from actstudy.core.config import ANALYSIS_DEFAULTS, extraction_settings

    readings = {**ANALYSIS_DEFAULTS, "batch_norm": "batch", "z": "linear", "learning_rate": 0.001}
    bn, plain = Architecture("mnist", 4, 200, True, "relu"), Architecture("mnist", 4, 200, False, "relu")
    assert extraction_settings(readings, bn) == {"batch_norm": "batch", "z_at": "linear", "learning_rate": 0.001}
    # without batch norm z is the same either way: the defaults, so it is not extracted again
    assert extraction_settings(readings, plain) == {"batch_norm": "eval", "z_at": "activation", "learning_rate": 0.001}
    assert extraction_settings(ANALYSIS_DEFAULTS, bn) == {
        "batch_norm": "eval",
        "z_at": "activation",
        "learning_rate": None,
    }
