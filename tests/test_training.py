"""The batched trainer equals training each network alone, the plain PyTorch way."""

import math
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from actstudy.core.activations import NAMES as ACTIVATIONS
from actstudy.core.config import Architecture, RunGrid, run_id
from actstudy.training.device import tensors_on
from actstudy.training.models import BatchedMLP, dropout_seed, reference_mlp
from actstudy.training.optim import StackedAdam
from actstudy.training.steps import batch_starts
from actstudy.training.trainer import TrainSettings, train

CPU = torch.device("cpu")


def train_alone(arch, lr, seed, splits, settings):
    """The conventional loop: one nn.Sequential, torch.optim.Adam, ExponentialLR. Its
    nn.Dropout draws from torch's global generator, seeded as the trainer seeds the run's."""
    data = tensors_on(splits, CPU)
    x, y = data["train"]
    generator = torch.Generator().manual_seed(seed)
    model = reference_mlp(arch, x.shape[1], 10, generator)
    torch.manual_seed(dropout_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, foreach=False, weight_decay=arch.weight_decay)
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=settings.lr_decay)
    losses = []
    for _ in range(settings.epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        total, seen = 0.0, 0
        for start in batch_starts(len(x), settings.batch_size, arch.batch_norm):
            idx = order[start : start + settings.batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        losses.append(total / seen)
        schedule.step()
    return losses, model.state_dict()


def assert_trains_as_alone(arch, tiny_splits):
    grid = RunGrid((0.01, 0.001), (0, 1))
    settings = TrainSettings(epochs=4, batch_size=64, lr_decay=0.99)
    # the final parameters are compared, so keep every epoch's parameters as "best" too
    result = train(arch, grid, tiny_splits, TrainSettings(4, 64, 0.99, (4,)), 10, CPU)
    for lr, seed in grid.runs:
        losses, state = train_alone(arch, lr, seed, tiny_splits, settings)
        rows = result.history[result.history["run"] == run_id(lr, seed)]
        np.testing.assert_allclose(rows["train_loss"], losses, rtol=1e-5, atol=1e-6)
        final = result.states["epoch4"][run_id(lr, seed)]
        assert final.keys() == state.keys()
        for name, tensor in state.items():
            torch.testing.assert_close(final[name].to(tensor.dtype), tensor, rtol=1e-4, atol=1e-5, msg=name)


@pytest.mark.parametrize("batch_norm", [False, True, "after"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_batched_training_equals_training_each_model_alone(tiny_splits, batch_norm, activation):
    position = "after" if batch_norm == "after" else "before"
    assert_trains_as_alone(Architecture("tiny", 3, 16, bool(batch_norm), activation, position), tiny_splits)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_trains_as_the_reference(tiny_splits, activation):
    assert_trains_as_alone(Architecture("tiny", 2, 12, False, activation), tiny_splits)


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize(("dropout", "weight_decay"), [(0.3, 0.0), (0.0, 0.01), (0.2, 0.001)])
def test_dropout_and_weight_decay_train_as_the_reference(tiny_splits, batch_norm, dropout, weight_decay):
    """Same masks from the same seed: each run of the batch draws its own, as the reference does."""
    arch = Architecture("tiny", 3, 16, batch_norm, "gelu", dropout=dropout, weight_decay=weight_decay)
    assert_trains_as_alone(arch, tiny_splits)


def test_dropout_masks_are_independent_between_runs_and_at_the_rate():
    arch = Architecture("x", 1, 4000, False, "relu", dropout=0.3)
    model = BatchedMLP.from_references(arch, 5, [reference_mlp(arch, 5, 10, torch.Generator().manual_seed(0))] * 3)
    model.dropout_generators = [torch.Generator().manual_seed(s) for s in (0, 1, 0)]
    kept = model._dropout(torch.ones(3, 50, 4000)) != 0
    assert abs(kept.float().mean().item() - 0.7) < 0.01
    assert torch.equal(kept[0], kept[2]) and not torch.equal(kept[0], kept[1])  # a run's masks are its seed's
    model.eval()
    x = torch.randn(7, 5)
    assert torch.equal(model(x), model(x))  # no dropout outside training


def test_init_state_is_the_reference_network_of_the_seed(tiny_splits):
    arch = Architecture("tiny", 2, 8, False, "relu")
    result = train(arch, RunGrid((0.01,), (3,)), tiny_splits, TrainSettings(1, 64, 0.99), 10, CPU)
    expected = reference_mlp(arch, 20, 10, torch.Generator().manual_seed(3)).state_dict()
    saved = result.states["init"]["lr0.01_s3"]
    assert saved.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(saved[name], expected[name], rtol=0, atol=0)


def test_uniform_batch_norm_scale_is_drawn_from_the_seed_and_trains_as_the_reference(tiny_splits):
    """batch_norm_init: uniform draws each BN scale from U[0, 1] with the run's generator
    (after the weights), as torch before 1.2 did; the batched training keeps it."""
    arch = Architecture("tiny", 2, 8, True, "relu", bn_init="uniform")
    result = train(arch, RunGrid((0.01,), (3,)), tiny_splits, TrainSettings(1, 64, 0.99), 10, CPU)
    saved = result.states["init"]["lr0.01_s3"]
    expected = reference_mlp(arch, 20, 10, torch.Generator().manual_seed(3)).state_dict()
    scales = [name for name in saved if name.endswith("weight") and saved[name].ndim == 1]
    assert len(scales) == 2
    for name in scales:
        torch.testing.assert_close(saved[name], expected[name], rtol=0, atol=0)
        assert 0 <= saved[name].min() and saved[name].max() <= 1 and saved[name].std() > 0.05
    ones = reference_mlp(
        Architecture("tiny", 2, 8, True, "relu"), 20, 10, torch.Generator().manual_seed(3)
    ).state_dict()
    assert torch.equal(ones[scales[0]], torch.ones(8))
    assert_trains_as_alone(arch, tiny_splits)


def test_architecture_follows_the_study():
    plain = reference_mlp(Architecture("mnist", 3, 10, False, "sigmoid"), 784, 10)
    biases = [name for name, _ in plain.named_parameters() if name.endswith("bias")]
    assert biases == ["0.bias"]  # only the first hidden layer has a bias
    bn = reference_mlp(Architecture("mnist", 2, 10, True, "relu"), 784, 10)
    kinds = [type(m).__name__ for m in bn]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d", "ReLU", "Linear"]
    assert all(m.bias is None for m in bn if isinstance(m, torch.nn.Linear))
    # the "batch norm after the activation" reading: the same layers in another order
    after = reference_mlp(Architecture("mnist", 2, 10, True, "relu", "after"), 784, 10)
    kinds = [type(m).__name__ for m in after]
    assert kinds == ["Linear", "ReLU", "BatchNorm1d", "Linear", "ReLU", "BatchNorm1d", "Linear"]
    assert [name for name, _ in after.named_parameters() if name.endswith("bias")] == ["2.bias", "5.bias"]  # BN only
    # He init for ReLU: weight variance 2 / fan_in; Xavier for sigmoid: 2 / (fan_in + fan_out)
    he = reference_mlp(Architecture("x", 1, 2000, False, "relu"), 500, 10, torch.Generator().manual_seed(0))
    assert math.isclose(he[0].weight.var().item(), 2 / 500, rel_tol=0.02)
    xavier = reference_mlp(Architecture("x", 1, 2000, False, "sigmoid"), 500, 10, torch.Generator().manual_seed(0))
    assert math.isclose(xavier[0].weight.var().item(), 2 / 2500, rel_tol=0.02)


NO_CXX = pytest.mark.skipif(shutil.which("g++") is None, reason="torch.compile on the CPU needs a C++ compiler")


@pytest.mark.parametrize("update", ["fused", "foreach", pytest.param("compiled", marks=NO_CXX)])
def test_stacked_adam_matches_torch_adam_per_model(update):
    """Each update (fused: the CPU's; foreach: CUDA's; compiled: opt-in) is Adam per model."""
    torch.manual_seed(0)
    stacked = torch.randn(3, 4, 5, requires_grad=True)
    singles = [stacked[k].detach().clone().requires_grad_(True) for k in range(3)]
    lrs = torch.tensor([0.1, 0.01, 0.001])
    ours = StackedAdam([stacked], lrs, update=update)
    theirs = [torch.optim.Adam([p], lr=float(lr), foreach=False) for p, lr in zip(singles, lrs)]
    for _ in range(5):
        target = torch.randn(3, 4, 5)
        ours.zero_grad()
        ((stacked - target) ** 2).sum().backward()
        ours.step()
        for k, (p, opt) in enumerate(zip(singles, theirs)):
            opt.zero_grad()
            ((p - target[k]) ** 2).sum().backward()
            opt.step()
    for k in range(3):
        torch.testing.assert_close(stacked[k].detach(), singles[k].detach(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("position", ["before", "after"])
def test_batched_model_round_trips_reference_state(position):
    arch = Architecture("x", 2, 6, True, "sigmoid", position)
    refs = [reference_mlp(arch, 5, 10, torch.Generator().manual_seed(s)) for s in range(3)]
    for ref in refs:  # give the BN buffers non-default values
        ref.train()
        ref(torch.randn(16, 5))
    batched = BatchedMLP.from_references(arch, 5, refs)
    batched.eval()
    x = torch.randn(7, 5)
    logits = batched(x)
    for k, ref in enumerate(refs):
        ref.eval()
        torch.testing.assert_close(logits[k], ref(x), rtol=1e-5, atol=1e-6)
        for name, tensor in ref.state_dict().items():
            if not name.endswith("num_batches_tracked"):
                torch.testing.assert_close(batched.model_state(k)[name], tensor)


def test_diverging_run_is_marked_and_does_not_disturb_the_others(tiny_splits):
    arch = Architecture("tiny", 2, 16, False, "relu")
    grid = RunGrid((1e30, 0.01), (0,))
    result = train(arch, grid, tiny_splits, TrainSettings(5, 64, 0.99), 10, CPU)
    summary = result.summary.set_index("run")
    assert summary.loc["lr1e+30_s0", "diverged"]
    assert not summary.loc["lr0.01_s0", "diverged"]
    assert summary.loc["lr0.01_s0", "val_acc"] > 0.5
    # the healthy run is exactly what it would be alone
    alone = train(arch, RunGrid((0.01,), (0,)), tiny_splits, TrainSettings(5, 64, 0.99), 10, CPU)
    np.testing.assert_allclose(
        result.history.query("run == 'lr0.01_s0'")["train_loss"], alone.history["train_loss"], rtol=1e-5
    )
    bad = result.history.query("run == 'lr1e+30_s0'")
    assert bad["diverged"].iloc[-1] and bad["val_acc"].isna().iloc[-1]


def test_best_epoch_is_the_highest_validation_accuracy(tiny_splits):
    arch = Architecture("tiny", 2, 16, False, "sigmoid")
    result = train(arch, RunGrid((0.01, 0.05), (0, 1)), tiny_splits, TrainSettings(6, 64, 0.99), 10, CPU)
    for run, rows in result.history.groupby("run"):
        best = result.summary.set_index("run").loc[run]
        first_max = rows.loc[rows["val_acc"].idxmax(), "epoch"]
        assert best["best_epoch"] == first_max
        # the kept parameters reproduce that epoch's validation accuracy
        assert best["val_acc"] == pytest.approx(rows["val_acc"].max(), abs=1e-6)
        assert best["generalisation_gap"] == pytest.approx(best["train_acc"] - best["test_acc"])


def test_training_process_flushes_subnormal_floats_in_every_thread():
    """configure_process sets flush-to-zero before torch starts its threads, so a
    subnormal product is 0 on the calling thread and in a parallel op (the pool's
    threads inherit the flag): x86 CPUs compute on subnormals many times slower."""
    code = (
        "import torch\n"
        "from actstudy.training.device import configure_process\n"
        "configure_process(2)\n"
        "tiny = torch.full((4_000_000,), 1e-39)\n"  # 1e-39 is subnormal in float32
        "print(float((torch.tensor([1e-20]) * 1e-19).item()), int((tiny * 0.5).count_nonzero()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0.0", "0"]
