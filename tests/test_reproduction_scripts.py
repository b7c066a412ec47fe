"""The scripts under reproduction/ that run the workflow or read its results keep working
with the per-net analysis: readings.py scores a finished run again under other readings
(through the workflow, in a scratch folder), collect.py copies a run's small outputs, and
finish-search.sh finishes a run into a reproduction folder.
(rescore.py, headlines.py, bn_rows.py and core_hours.py have their tests in
test_rescore.py and test_headline.py, moved.py in test_moved.py, search_table.py in test_search_table.py.)"""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]


def run(*args):
    done = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout


def test_readings_rescore_a_finished_run_without_retraining(pipeline_workdir, tmp_path):
    results = pipeline_workdir / "results"
    run(
        REPO / "reproduction/readings.py",
        results,
        tmp_path / "dest",
        "--configfile",
        pipeline_workdir / "config.yaml",
        "--mirror",
        tmp_path,
        "--scratch",
        tmp_path / "scratch",
        "--only",
        "z_at_zero_on",
        "dead_in_sparsity",
        "--tables-only",
    )
    cells = pd.read_csv(tmp_path / "dest/readings/tables.csv")
    assert {"default", "z_at_zero_on", "dead_in_sparsity"} <= set(cells.columns) and len(cells) > 0
    assert cells["z_at_zero_on"].notna().all()
    # never retrained: the scratch folder's trained states are the run's own files
    for state in (tmp_path / "scratch/z_at_zero_on/results/train").rglob("best.pt"):
        original = results / state.relative_to(tmp_path / "scratch/z_at_zero_on/results")
        assert state.read_bytes() == original.read_bytes()


def test_collect_copies_the_small_outputs_only(pipeline_workdir, tmp_path):
    run(REPO / "reproduction/collect.py", pipeline_workdir / "results", tmp_path, "--dataset", "digits")
    copied = {p.suffix for p in tmp_path.rglob("*") if p.is_file()}
    assert {".csv", ".json", ".png", ".md"} <= copied and not copied & {".pt", ".parquet"}
    assert (tmp_path / "results/train/digits/d2_w32_bn0_relu/history.csv").is_file()
    assert (tmp_path / "results/metrics/digits/d2_w32_bn0_relu/seed0/best_layers.csv").is_file()


def test_finish_search_collects_a_finished_run_and_rescores_it_to_the_run_s_own_scorecard(pipeline_workdir, tmp_path):
    dest = tmp_path / "dest"
    venv = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "reproduction/finish-search.sh", pipeline_workdir, dest, tmp_path, pipeline_workdir / "config.yaml"],
        cwd=REPO,
        env=venv,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "rescored: the same scorecard.csv as the run's" in done.stdout
    card = "results/scorecard.csv"
    assert (dest / card).read_bytes() == (pipeline_workdir / card).read_bytes()
    nets = sorted(p.name for p in (pipeline_workdir / "results/train/digits").iterdir())
    assert sorted(p.stem for p in (dest / "logs").glob("*.log")) == nets
    assert all((dest / "results/train/digits" / net / "summary.csv").is_file() for net in nets)
    assert all(f"### {net}" in done.stdout for net in nets)  # the search table, one section per net
