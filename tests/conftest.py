import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from actstudy.data.splits import Splits

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]


def pytest_report_header(config):
    """Say when every Snakemake start will wait: the SLURM plugin, loaded by every
    Snakemake run, asks `scontrol show config` (up to 10 s) where SLURM's client is
    installed; without a controller (a machine kept after the SLURM test) each start
    waits ~9 s (tests/test_faults.py: 131 s against 75 s with the controller up)."""
    if shutil.which("sinfo") is None:  # what the plugin looks for before it asks
        return None
    try:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=20).stdout
    except subprocess.TimeoutExpired:
        ping = ""
    if "UP" in ping:
        return None
    return (
        "SLURM's client is installed and no controller answers: every Snakemake start waits ~9 s "
        "(bash tests/slurm/start_local_slurm.sh starts the test cluster)"
    )


def snakemake(workdir, *args, timeout=3600):
    """Run the real Snakefile in ``workdir`` (its config.yaml); the timeout only guards
    against a hang."""
    done = subprocess.run(
        [*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(workdir / "config.yaml"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def pipeline_workdir(tmp_path_factory):
    """The default pipeline (digits), run once for every test that reads its results."""
    workdir = tmp_path_factory.mktemp("pipeline")
    (workdir / "config.yaml").write_text((REPO / "config.yaml").read_text())
    snakemake(workdir, "--cores", "2")
    return workdir


@pytest.fixture
def tiny_splits() -> Splits:
    """A small, learnable 10-class problem: class c lights up feature block c."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 10, n)
        x = rng.integers(0, 60, (n, 20))
        x[np.arange(n), 2 * y] += 150
        return x.astype(np.uint8), y.astype(np.int64)

    x_train, y_train = make(150)  # 150 = 2 batches of 64 + a partial one of 22
    x_val, y_val = make(40)
    x_test, y_test = make(40)
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test, scale=255.0, split_seed=0)


def small_config(learning_rates: list[float], seeds: list[int]) -> dict:
    """The default config on fewer networks: each figure and table drawn from the 2x32
    nets of the default's activations, with and without batch norm (and its dropout net),
    trained for 15 epochs."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["training"] |= {"epochs": 15, "learning_rates": learning_rates, "seeds": seeds}
    listed = [block["activation"] for block in config["architectures"]]
    activations = sorted({a for value in listed for a in ([value] if isinstance(value, str) else value)})
    config["architectures"] = [
        {"dataset": "digits", "depth": 2, "width": 32, "batch_norm": [False, True], "activation": activations},
        {"dataset": "digits", "depth": 2, "width": 32, "batch_norm": False, "activation": "relu", "dropout": 0.2},
    ]
    for section in ("figures", "tables"):
        for selection in config[section].values():
            selection |= {"depth": 2, "width": 32}
    return config
