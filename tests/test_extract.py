"""Activations to Parquet and back; node metrics and tables computed from them."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import torch

from actstudy.core.config import Architecture
from actstudy.extraction.extract import forward_recording, write_activations
from actstudy.extraction.zparquet import layer_columns, layers_in, network_accuracy, read_layer
from actstudy.metrics.activity import class_separation
from actstudy.metrics.nodes import node_metrics
from actstudy.study.tables import dead_nodes_table, sparsity_table, write_table
from actstudy.training.models import reference_mlp

ARCH = Architecture("x", 2, 5, True, "relu")


@pytest.fixture
def written(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (300, 12)).astype(np.uint8)
    y = rng.integers(0, 10, 300)
    model = reference_mlp(ARCH, 12, 10, torch.Generator().manual_seed(0))
    model.train()
    model(torch.randn(64, 12))  # non-trivial BN running statistics
    path = tmp_path / "z.parquet"
    write_activations(model, x, y, 255.0, path)
    return path, model, x, y


def test_round_trip_through_pandas_and_pyarrow(written):
    path, model, x, y = written
    expected, logits = forward_recording(model, torch.as_tensor(x).float() / 255)  # eval mode: after BN
    frame = pd.read_parquet(path)
    assert list(frame.columns[:3]) == ["sample", "label", "predicted"]
    np.testing.assert_array_equal(frame["sample"], np.arange(300))
    np.testing.assert_array_equal(frame["label"], y)
    np.testing.assert_array_equal(frame["predicted"], logits.argmax(1).numpy())
    assert network_accuracy(path) == pytest.approx(100 * np.mean(logits.argmax(1).numpy() == y))
    table = pq.read_table(path, columns=layer_columns(frame.columns.tolist(), 2))
    assert table.num_columns == 5 and table.schema.field(0).type == "float"
    for layer in (1, 2):
        z, labels = read_layer(path, layer)
        np.testing.assert_array_equal(labels, y)
        np.testing.assert_allclose(z, expected[layer - 1].numpy(), rtol=1e-6)
        np.testing.assert_allclose(frame[[f"l{layer}_n{n:03d}" for n in range(5)]].to_numpy(), z)
    assert layers_in(path) == [1, 2]


def test_z_at_the_linear_output_is_read_before_batch_norm(written, tmp_path):
    """The ``z: linear`` reading: each hidden Linear's output, where a forward hook on
    nn.Linear reads it (Linear -> BatchNorm1d -> ReLU here), not batch norm's output; in a
    net without batch norm both readings are the same z."""
    _, model, x, y = written
    xt = torch.as_tensor(x).float() / 255
    linear_z, logits = forward_recording(model, xt, z_at="linear")
    after_bn, same_logits = forward_recording(model, xt)
    with torch.no_grad():
        first = model[0](xt)
        second = model[3](model[2](model[1](first)))
    torch.testing.assert_close(linear_z[0], first)
    torch.testing.assert_close(linear_z[1], second)
    torch.testing.assert_close(after_bn[0], model[1](first))
    assert not torch.allclose(linear_z[0], after_bn[0]) and torch.equal(logits, same_logits)
    write_activations(model, x, y, 255.0, tmp_path / "linear.parquet", z_at="linear")
    np.testing.assert_allclose(read_layer(tmp_path / "linear.parquet", 2)[0], second.numpy(), rtol=1e-6)
    plain = reference_mlp(Architecture("x", 2, 5, False, "relu"), 12, 10, torch.Generator().manual_seed(0))
    for a, b in zip(forward_recording(plain, xt, z_at="linear")[0], forward_recording(plain, xt)[0]):
        torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="z_at must be one of"):
        forward_recording(model, xt, z_at="bn")


def test_one_layer_is_read_alone(written):
    path, *_ = written
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_rows == 300
    assert parquet.metadata.row_group(0).column(2).compression == "ZSTD"
    z, _ = read_layer(path, 1)
    assert z.shape == (300, 5)


def identity_net(width):
    """A 1-layer ReLU "network" whose z is its input: identity weights, zero bias."""
    model = reference_mlp(Architecture("x", 1, width, False, "relu"), width, 10)
    with torch.no_grad():
        model[0].weight.copy_(torch.eye(width))
        model[0].bias.zero_()
    return model


def test_node_metrics_of_a_known_layer(tmp_path):
    model = identity_net(3)
    # pixel values / 255 become z directly: node 0 on for class 0, node 1 on for class 1, node 2 never
    x = np.array([[255, 0, 0], [200, 0, 0], [0, 255, 0], [0, 100, 0]], dtype=np.uint8)
    y = np.array([0, 0, 1, 1])
    write_activations(model, x, y, 255.0, tmp_path / "train.parquet")
    write_activations(model, x[:2], y[:2], 255.0, tmp_path / "test.parquet")
    tables = node_metrics(tmp_path / "train.parquet", tmp_path / "test.parquet", "relu", 10)
    nodes = tables["nodes"]
    assert nodes["dead"].tolist() == [False, False, True]
    np.testing.assert_allclose(nodes["activity_train"], [50, 50, 0])
    np.testing.assert_allclose(nodes["activity_test"], [100, 0, 0])
    layer = tables["layers"].iloc[0]
    assert layer["dead_pct"] == pytest.approx(100 / 3) and layer["sparsity"] == pytest.approx(50.0)
    cls = tables["class_nodes"].set_index(["node", "class"])
    assert cls.loc[(0, 0), "median_a"] == pytest.approx((1 + 200 / 255) / 2)
    assert cls.loc[(0, 1), "activity_train"] == 0 and cls.loc[(1, 1), "activity_train"] == 100
    assert layer["class_polarised_pct"] == 100.0  # every node is on for all or none of each class
    # nodes 0 and 1 each tell the classes mostly apart; node 2 (0 for every sample) is left out
    assert (
        layer["class_separation"] == pytest.approx(class_separation(x / 255.0, y, 10))
        and layer["class_separation"] > 80
    )
    assert layer["mean_class_median"] == pytest.approx(tables["class_nodes"]["median_a"].mean())


def test_batch_statistics_normalise_each_minibatch(written):
    """The "batch" reading: every minibatch of 64 rows is normalised by its own mean and
    variance, so each node's z over one minibatch has mean beta and std gamma; 300 rows
    = 4 batches of 64 + 44; the running statistics are left as they were."""
    _, model, x, _ = written
    bn = model[1]
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0]))
        bn.bias.copy_(torch.tensor([0.0, -1.0, 0.5, 2.0, 0.0]))
    running = bn.running_mean.clone()
    xt = torch.as_tensor(x).float() / 255
    (z1, _), _ = forward_recording(model, xt, "batch", 64)
    for start, stop in ((0, 64), (64, 128), (256, 300)):
        part = z1[start:stop]
        np.testing.assert_allclose(part.mean(0), bn.bias.detach(), atol=1e-5)
        np.testing.assert_allclose(part.std(0, unbiased=False), bn.weight.detach(), rtol=1e-3)
    assert torch.equal(bn.running_mean, running)
    eval_z = forward_recording(model, xt)[0][0]
    assert not torch.allclose(eval_z, z1, atol=1e-3)  # the running statistics differ from a batch's
    # a trailing single row joins the batch before it; 65 rows = one batch
    (z65, _), _ = forward_recording(model, xt[:65], "batch", 64)
    np.testing.assert_allclose(z65.mean(0), bn.bias.detach(), atol=1e-5)
    with pytest.raises(ValueError, match="batch_norm must be one of"):
        forward_recording(model, xt, "train")


def test_node_metrics_count_train_and_validation_together(tmp_path):
    model = identity_net(2)
    # train: node 0 on for 1 of 2; validation: on for 2 of 2 -> 3 of 4 together; node 1 never on in
    # train, on once in validation: dead on train alone, alive on train+validation
    write_activations(
        model, np.array([[255, 0], [0, 0]], np.uint8), np.array([0, 1]), 255.0, tmp_path / "train.parquet"
    )
    write_activations(
        model, np.array([[255, 255], [255, 0]], np.uint8), np.array([0, 1]), 255.0, tmp_path / "val.parquet"
    )
    alone = node_metrics(tmp_path / "train.parquet", tmp_path / "val.parquet", "relu", 10)
    both = node_metrics([tmp_path / "train.parquet", tmp_path / "val.parquet"], tmp_path / "val.parquet", "relu", 10)
    assert alone["nodes"]["dead"].tolist() == [False, True] and both["nodes"]["dead"].tolist() == [False, False]
    np.testing.assert_allclose(both["nodes"]["activity_train"], [75, 25])
    assert both["layers"].iloc[0]["sparsity"] == pytest.approx(50.0)  # (25 + 75) / 2
    assert alone["layers"].iloc[0]["sparsity"] == pytest.approx(50.0)  # node 0 only
    dead_in = node_metrics(tmp_path / "train.parquet", tmp_path / "val.parquet", "relu", 10, include_dead=True)
    assert dead_in["layers"].iloc[0]["sparsity"] == pytest.approx(75.0)  # (50 + 100) / 2


def layer_rows():
    rows = []
    for act in ("relu", "sigmoid"):
        for bn in (False, True):
            for seed, sparsity in ((0, 70.0), (1, 74.0)):
                for layer in (1, 2):
                    rows.append(
                        {
                            "depth": 2,
                            "activation": act,
                            "batch_norm": bn,
                            "seed": seed,
                            "layer": layer,
                            "n_nodes": 10,
                            "dead_pct": 10.0 * seed * layer,
                            "sparsity": sparsity + layer,
                        }
                    )
    return pd.DataFrame(rows)


def test_tables_in_the_study_layout(tmp_path):
    dead = dead_nodes_table(layer_rows())
    assert list(dead.columns) == ["ReLU, no BN", "ReLU, BN", "sigmoid, no BN", "sigmoid, BN"]
    # seed 0: 0 dead of 20; seed 1: 1 + 2 = 3 dead of 20 -> 0% and 15%: mean 7.5, SE 7.5
    assert dead.loc[2, "ReLU, no BN"] == "7.50 ± 7.50"
    sparsity = sparsity_table(layer_rows())
    assert sparsity.loc[(2, 1), "sigmoid, BN"] == "73.00 ± 2.00"
    write_table(sparsity, tmp_path / "t.csv", tmp_path / "t.md", tmp_path / "t.tex", "Layer sparsity")
    header = (tmp_path / "t.md").read_text().splitlines()[2]
    assert [cell.strip() for cell in header.strip("|").split("|")][:3] == ["depth", "layer", "ReLU, no BN"]
    assert "\\begin{table}" in (tmp_path / "t.tex").read_text()
    assert pd.read_csv(tmp_path / "t.csv").shape == (2, 6)


def test_a_variant_of_a_net_gets_its_own_column_never_pooled_with_the_plain_net():
    """Nets that differ only in batch norm's initial scale (or position, dropout, weight
    decay) are different nets: each variant is a column of its own."""
    from actstudy.core.config import Architecture
    from actstudy.study.tables import variant

    plain = layer_rows().assign(variant="")
    gu = layer_rows().query("batch_norm").assign(variant="γ ~ U[0, 1]", sparsity=10.0, dead_pct=50.0)
    both = pd.concat([plain, gu], ignore_index=True)
    sparsity, dead = sparsity_table(both), dead_nodes_table(both)
    assert list(sparsity.columns) == [
        "ReLU, no BN",
        "ReLU, BN",
        "ReLU, BN (γ ~ U[0, 1])",
        "sigmoid, no BN",
        "sigmoid, BN",
        "sigmoid, BN (γ ~ U[0, 1])",
    ]
    pd.testing.assert_frame_equal(sparsity[sparsity_table(plain).columns], sparsity_table(plain))
    pd.testing.assert_frame_equal(dead[dead_nodes_table(plain).columns], dead_nodes_table(plain))
    assert sparsity.loc[(2, 1), "sigmoid, BN (γ ~ U[0, 1])"] == "10.00 ± 0.00"
    assert dead.loc[2, "ReLU, BN (γ ~ U[0, 1])"] == "50.00 ± 0.00"
    assert variant(Architecture.parse("mnist", "d4_w200_bn1_relu")) == ""
    assert variant(Architecture.parse("mnist", "d4_w200_bn1_relu_gu")) == "γ ~ U[0, 1]"
    assert variant(Architecture.parse("mnist", "d4_w200_bn1after_sigmoid")) == "BN after"
    assert variant(Architecture.parse("digits", "d2_w32_bn0_relu_do0.2")) == "dropout 0.2"
