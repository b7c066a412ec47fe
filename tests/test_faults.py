"""Fault injection: kills and preemptions lose nothing, bad input never starts work.

Every fault here is injected into a real process: SIGKILL (a node dies, the OOM killer)
and SIGTERM (SLURM preemption or wall time) at a random epoch of a training job, a kill
in the middle of writing a file, a damaged dataset, an invalid config.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml
from conftest import REPO, SHARED

from actstudy.core.io import atomic_path
from actstudy.training.states import save_states

JOB = [sys.executable, str(Path(__file__).with_name("fault_job.py"))]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONUNBUFFERED": "1"}
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--cores", "2"]


def run_job(out, checkpoint, every=2):
    done = subprocess.run(
        [*JOB, str(out), str(checkpoint), str(every)], env=ENV, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def interrupt_job(out, checkpoint, sig, at_epoch, every=2):
    """Start the job and send ``sig`` once it reports ``at_epoch``; return its output."""
    proc = subprocess.Popen(
        [*JOB, str(out), str(checkpoint), str(every)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith(f"epoch {at_epoch}/"):
            proc.send_signal(sig)
            break
    lines += proc.stdout.readlines()
    proc.wait(timeout=120)
    output = "".join(lines)
    assert "finished" not in output, "the job ended before the fault was injected"
    return proc.returncode, output


def assert_identical(a: Path, b: Path) -> None:
    for table in ("history.csv", "summary.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(a / table), pd.read_csv(b / table), check_exact=True)
    left, right = (torch.load(p / "states.pt", weights_only=True) for p in (a, b))
    assert left.keys() == right.keys()
    for state in left:
        for run in left[state]:
            for name, tensor in left[state][run].items():
                assert torch.equal(tensor, right[state][run][name]), (state, run, name)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted")
    run_job(out, out / "unused.pt")
    return out


@pytest.mark.parametrize("attempt", range(2))
def test_sigkill_at_a_random_epoch_then_rerun_gives_the_uninterrupted_result(uninterrupted, tmp_path, attempt):
    epoch = random.Random(attempt).randint(3, 11)
    code, output = interrupt_job(tmp_path / "out", tmp_path / "state.pt", signal.SIGKILL, epoch)
    assert code == -signal.SIGKILL
    assert (tmp_path / "state.pt").is_file() and not (tmp_path / "out").exists()
    resumed = run_job(tmp_path / "out", tmp_path / "state.pt")
    assert "resumed from" in resumed
    assert_identical(uninterrupted, tmp_path / "out")


@pytest.mark.parametrize("attempt", range(2))
def test_sigterm_saves_mid_epoch_and_rerun_gives_the_uninterrupted_result(uninterrupted, tmp_path, attempt):
    epoch = random.Random(100 + attempt).randint(2, 12)
    code, output = interrupt_job(tmp_path / "out", tmp_path / "state.pt", signal.SIGTERM, epoch, every=0)
    assert code != 0 and "Preempted" in output
    state = torch.load(tmp_path / "state.pt", weights_only=True)
    assert state["epoch"] >= epoch + 1  # saved in the epoch after the one reported, mid-way
    resumed = run_job(tmp_path / "out", tmp_path / "state.pt", every=0)
    assert f"resumed from {tmp_path / 'state.pt'} at epoch {state['epoch']}, step {state['position']}/" in resumed
    assert_identical(uninterrupted, tmp_path / "out")


def test_checkpoint_of_another_job_is_not_resumed(tmp_path):
    torch.save({"fingerprint": "another job"}, tmp_path / "state.pt")
    output = run_job(tmp_path / "out", tmp_path / "state.pt")
    assert "belongs to another configuration" in output


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all", b"PK\x03\x04truncated zip"])
def test_damaged_checkpoint_is_set_aside_and_the_job_starts_afresh(uninterrupted, tmp_path, content):
    """A damaged checkpoint would fail every retry the same way (forever under a requeue):
    it is moved aside, kept for inspection, and the job gives the uninterrupted result."""
    (tmp_path / "state.pt").write_bytes(content)
    output = run_job(tmp_path / "out", tmp_path / "state.pt")
    assert "is not a readable checkpoint" in output and "starting afresh" in output
    assert (tmp_path / "state.pt.damaged").read_bytes() == content
    assert_identical(uninterrupted, tmp_path / "out")


def test_truncated_real_checkpoint_is_set_aside(tmp_path):
    code, _ = interrupt_job(tmp_path / "first", tmp_path / "state.pt", signal.SIGKILL, 4)
    good = (tmp_path / "state.pt").read_bytes()
    (tmp_path / "state.pt").write_bytes(good[: len(good) // 2])
    output = run_job(tmp_path / "out", tmp_path / "state.pt")
    assert "moved to" in output and "resumed from" not in output
    assert (tmp_path / "out/summary.csv").is_file()


def killed_while_writing(target: Path, setup: str, write: str) -> None:
    """Run ``write`` in a process whose writer (patched by ``setup``) SIGKILLs it mid-file;
    the target must not exist afterwards."""
    code = "import os, signal\n" + setup + write
    done = subprocess.run([sys.executable, "-c", code], env=ENV)
    assert done.returncode == -signal.SIGKILL
    assert not target.exists()


def test_kill_while_writing_leaves_no_file(tmp_path):
    target = tmp_path / "best.pt"
    setup = (
        "import torch\n"
        "def dying_save(obj, f):\n"
        "    with open(f, 'wb') as h: h.write(b'PK' * 1000)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "torch.save = dying_save\n"
    )
    write = f"from actstudy.training.states import save_states\nsave_states({{'run': {{'w': torch.ones(3)}}}}, {str(target)!r})\n"
    killed_while_writing(target, setup, write)


def test_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "table.csv") as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    save_states({"r": {"w": torch.ones(2)}}, tmp_path / "ok.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["ok.pt"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "ok.pt").stat().st_mode & 0o777 == 0o666 & ~umask  # not left private


def digits_config(**changes):
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    for path, value in changes.items():
        node = config
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return config


@pytest.mark.slow  # runs Snakemake in a subprocess
def test_invalid_config_stops_before_any_job(tmp_path):
    config = digits_config(training__epochs=0)
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    done = subprocess.run(
        [*SNAKEMAKE, "--directory", str(tmp_path), "--configfile", str(tmp_path / "bad.yaml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "training.epochs: 0 is less than the minimum of 1" in done.stdout + done.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.skipif(not (SHARED / "datasets/mnist").is_dir(), reason="shared dataset mirror not present")
@pytest.mark.slow  # runs Snakemake in a subprocess
def test_damaged_dataset_stops_the_workflow_before_training(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(SHARED / "datasets/mnist", mirror / "mnist")
    labels = mirror / "mnist/t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-50])
    text = (REPO / "config.yaml").read_text().replace("digits", "mnist")
    config = yaml.safe_load(text)
    config["data"]["mirror"] = str(mirror)
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    done = subprocess.run(
        [*SNAKEMAKE, "fig3_4", "--directory", str(tmp_path), "--configfile", str(tmp_path / "c.yaml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    log = (tmp_path / "results/logs/download/mnist.log").read_text()
    assert "t10k-labels-idx1-ubyte.gz with md5 ec29112dd5afa0611ce80d1b7f02629c" in log
    produced = [p for p in (tmp_path / "results").rglob("*") if p.is_file() and "logs" not in p.parts]
    assert [p.name for p in produced if not p.name.endswith(".gz")] == []  # no manifest, arrays, runs


@pytest.mark.slow  # runs Snakemake in a subprocess
def test_workflow_killed_mid_training_resumes_on_rerun(tmp_path):
    """The whole workflow dies (SIGKILL to its process group, as when a node fails): the
    job's outputs are missing, its checkpoint survives, and the rerun resumes from it
    and ends with exactly the history of an uninterrupted run."""
    config = digits_config(training__epochs=60, training__checkpoint_every=2)
    target = "results/train/digits/d4_w64_bn1_relu/history.csv"
    for name in ("killed", "whole"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "c.yaml").write_text(yaml.safe_dump(config))
    command = [*SNAKEMAKE, target, "--rerun-incomplete", "--configfile", "c.yaml"]
    whole = subprocess.run(command, cwd=tmp_path / "whole", capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr[-2000:]

    killed = tmp_path / "killed"
    log = killed / "results/logs/train/digits/d4_w64_bn1_relu.log"
    proc = subprocess.Popen(
        command, cwd=killed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 300
    while not (log.is_file() and "epoch 10/" in log.read_text()):
        assert proc.poll() is None and time.monotonic() < deadline, "training ended or stalled before the kill"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / target).exists()
    checkpoint = killed / "results/resume/digits/d4_w64_bn1_relu.pt"
    assert checkpoint.is_file()

    subprocess.run([*command, "--unlock"], cwd=killed, check=True, capture_output=True)  # the dead run's lock
    rerun = subprocess.run(command, cwd=killed, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "resumed from" in log.read_text()
    assert not checkpoint.exists()  # removed once the outputs are written
    pd.testing.assert_frame_equal(
        pd.read_csv(killed / target), pd.read_csv(tmp_path / "whole" / target), check_exact=True
    )


def test_extraction_killed_mid_write_leaves_no_parquet(tmp_path):
    """SIGKILL after the first row group is on disk: no file that reads as valid but short."""
    target = tmp_path / "best_train.parquet"
    setup = (
        "import pyarrow.parquet as pq\n"
        "real, calls = pq.ParquetWriter.write_batch, []\n"
        "def dying(self, *args, **kwargs):\n"
        "    real(self, *args, **kwargs)\n"
        "    calls.append(1)\n"
        "    if len(calls) == 2: os.kill(os.getpid(), signal.SIGKILL)\n"
        "pq.ParquetWriter.write_batch = dying\n"
    )
    write = (
        "import numpy as np\n"
        "from actstudy.core.config import Architecture\n"
        "from actstudy.extraction.extract import write_activations\nfrom actstudy.extraction.zparquet import ROW_GROUP\n"
        "from actstudy.training.models import reference_mlp\n"
        "x = np.zeros((3 * ROW_GROUP, 8), np.uint8); y = np.zeros(3 * ROW_GROUP, int)\n"
        "model = reference_mlp(Architecture('x', 2, 4, False, 'relu'), 8, 10)\n"
        f"write_activations(model, x, y, 255.0, {str(target)!r})\n"
    )
    killed_while_writing(target, setup, write)
