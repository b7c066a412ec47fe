"""The README's "Add a dataset", followed literally in a copy of the repository with a
dataset scikit-learn ships that does not have 10 classes (iris: 3 classes, 4 features,
150 samples, no official test split): the default config on iris trains, draws a
training figure, makes a table, and plans the scorecard; the networks have 3 outputs."""

import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]

# Step 1: the loader (iris measures to a tenth of a centimetre: x 10 is exact in uint8).
LOADER = '''

def iris(raw_dir: Path) -> Arrays:
    """scikit-learn's bundled iris (cm to 0.1): nothing to download."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    return pooled_split("iris", np.round(bunch.data * 10).astype(np.uint8), bunch.target.astype(np.int64))
'''
# Step 2: its entry in the registry.
ENTRY = '    "iris": DatasetInfo("iris", 4, 80.0, 150, 15, 30, 3, "iris", pooled=True),\n'


def snakemake(copy, *args):
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(copy / "Snakefile"), "--directory", str(copy), *args],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    copy = tmp_path_factory.mktemp("add_a_dataset")
    for part in ("Snakefile", "config.yaml", "workflow", "src", "envs"):
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / part)
    loaders = copy / "src/actstudy/data/loaders.py"
    loaders.write_text(loaders.read_text() + LOADER)
    registry = copy / "src/actstudy/data/datasets.py"
    text = registry.read_text()
    assert "\n}\nDOWNLOADABLE" in text
    registry.write_text(text.replace("\n}\nDOWNLOADABLE", "\n" + ENTRY + "}\nDOWNLOADABLE", 1))
    # Step 3: a config naming it: the default's networks, on iris.
    config = copy / "config.yaml"
    config.write_text(config.read_text().replace("dataset: digits", "dataset: iris"))
    assert "dataset: digits" not in config.read_text()
    return copy


def test_a_dataset_added_the_readmes_way_trains_draws_and_tables(copy):
    snakemake(copy, "--cores", "2", "fig3_4", "table5_2")
    png = (copy / "results/figures/fig3_4.png").read_bytes()
    assert png[:4] == b"\x89PNG" and len(png) > 5000
    table = pd.read_csv(copy / "results/tables/table5_2.csv")
    assert len(table) > 0 and table.drop(columns=["depth", "layer"], errors="ignore").notna().any().any()
    states = torch.load(copy / "results/train/iris/d2_w32_bn0_relu/best.pt", weights_only=True)
    last = [t for name, t in next(iter(states.values())).items() if name.endswith("weight") and t.dim() == 2][-1]
    assert last.shape[0] == 3  # three classes, three outputs
    prepared = dict(np.load(copy / "results/data/iris.npz"))
    assert set(prepared["y_train"]) == {0, 1, 2} and prepared["x_train"].shape[1] == 4
    assert len(prepared["y_test"]) == 30 and len(prepared["y_val"]) == 15


def test_the_scorecard_plans_on_it(copy):
    output = snakemake(copy, "-n", "scorecard")
    assert "rule scorecard" in output or "localrule scorecard" in output
