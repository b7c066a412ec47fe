"""What training jobs ask a scheduler for: grows with the net, its runs and its epochs."""

from actstudy.core.config import Architecture, RunGrid
from actstudy.training.models import reference_mlp
from actstudy.training.resources import analysis_cpus, n_parameters, train_cpus, train_mem_mb, train_runtime_min

NINE = RunGrid((0.01, 0.001, 0.0001), (0, 1, 2))
ONE = RunGrid((0.001,), (0,))


def test_parameter_count_matches_the_model():
    for arch in (
        Architecture("mnist", 4, 200, False, "relu"),
        Architecture("cifar10", 2, 800, True, "sigmoid"),
        Architecture("digits", 3, 32, False, "sigmoid"),
    ):
        n_in = {"mnist": 784, "cifar10": 3072, "digits": 64}[arch.dataset]
        model = reference_mlp(arch, n_in, 10)
        assert n_parameters(arch) == sum(p.numel() for p in model.parameters()), arch


def test_requests_grow_with_size_runs_and_epochs():
    small, big = Architecture("mnist", 4, 200, False, "relu"), Architecture("mnist", 8, 800, False, "relu")
    assert train_mem_mb(big, NINE) > train_mem_mb(small, NINE) > train_mem_mb(small, ONE) >= 2000
    assert train_runtime_min(big, NINE, 300) > train_runtime_min(small, NINE, 300) > train_runtime_min(small, NINE, 30)
    # the measured 8x800 job of 9 runs (2.8 s per epoch on an H200) fits its request with room
    assert train_runtime_min(big, NINE, 300) * 60 > 2 * 300 * 2.8
    tiny, small = Architecture("digits", 2, 32, False, "relu"), Architecture("mnist", 2, 100, False, "relu")
    assert (train_cpus(tiny), train_cpus(small), train_cpus(big)) == (1, 2, 4)
    assert (analysis_cpus(tiny), analysis_cpus(small), analysis_cpus(big)) == (1, 2, 2)
