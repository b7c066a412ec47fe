"""What training jobs ask a scheduler for: grows with the net, its runs and its epochs."""

from actstudy.config import Architecture, RunGrid
from actstudy.models import reference_mlp
from actstudy.resources import n_parameters, train_cpus, train_mem_mb, train_runtime_min

NINE = RunGrid((0.01, 0.001, 0.0001), (0, 1, 2))
ONE = RunGrid((0.001,), (0,))


def test_parameter_count_matches_the_model():
    for arch in (Architecture("mnist", 4, 200, False, "relu"), Architecture("cifar10", 2, 800, True, "sigmoid"),
                 Architecture("digits", 3, 32, False, "sigmoid")):  # fmt: skip
        n_in = {"mnist": 784, "cifar10": 3072, "digits": 64}[arch.dataset]
        model = reference_mlp(arch, n_in)
        assert n_parameters(arch) == sum(p.numel() for p in model.parameters()), arch


def test_requests_grow_with_size_runs_and_epochs():
    small, big = Architecture("mnist", 4, 200, False, "relu"), Architecture("mnist", 8, 800, False, "relu")
    assert train_mem_mb(big, NINE) > train_mem_mb(small, NINE) > train_mem_mb(small, ONE) >= 2000
    assert train_runtime_min(big, NINE, 300) > train_runtime_min(small, NINE, 300) > train_runtime_min(small, NINE, 30)
    # the measured 8x800 job of 9 runs (2.8 s per epoch on an H200) fits its request with room
    assert train_runtime_min(big, NINE, 300) * 60 > 2 * 300 * 2.8
    assert train_cpus(Architecture("digits", 2, 32, False, "relu")) == 2 and train_cpus(big) == 4
