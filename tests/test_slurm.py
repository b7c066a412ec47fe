"""The default pipeline through a real SLURM scheduler (single node, on this machine).

tests/slurm/start_local_slurm.sh installs and starts munge, MariaDB, slurmdbd,
slurmctld and slurmd (root needed). The workflow then runs with `snakemake --profile`
on a copy of profiles/slurm whose placeholders are filled in, as a user would edit them.
Where the cluster cannot be started (not root) the test is skipped, except under CI
(CI=true), where that is a failure.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import small_config

from actstudy.figures.catalog import names

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slurm, pytest.mark.pipeline, pytest.mark.slow]
ACCOUNT, PARTITION = "actstudy", "debug"


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0 and os.environ.get("CI") != "true":
        pytest.skip("starting a local SLURM cluster needs root")
    done = subprocess.run(
        ["bash", str(REPO / "tests/slurm/start_local_slurm.sh")], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def user_profile(folder: Path) -> Path:
    """profiles/slurm with the placeholders filled in; test-only: poll every second."""
    text = (REPO / "profiles/slurm/config.yaml").read_text()
    placeholders = set(re.findall(r'"<[a-z-]+>"', text))
    assert placeholders == {'"<account>"', '"<cpu-partition>"', '"<gpu-partition>"'}, placeholders
    text = text.replace('"<account>"', ACCOUNT).replace('"<cpu-partition>"', PARTITION)
    text = text.replace('"<gpu-partition>"', PARTITION)
    profile = yaml.safe_load(text)
    profile["slurm-init-seconds-before-status-checks"] = 1
    profile["slurm-logdir"] = str(folder / "slurm-logs")
    profile["slurm-keep-successful-logs"] = True  # the group jobs' logs: how their members ran
    (folder / "profile").mkdir()
    (folder / "profile/config.yaml").write_text(yaml.safe_dump(profile))
    return folder / "profile"


def snakemake(workdir: Path, profile: Path, *args: str) -> str:
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--profile",
        str(profile),
        "--verbose",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3000)
    output = done.stdout + done.stderr
    (workdir / f"snakemake{len(list(workdir.glob('snakemake*.log')))}.log").write_text(output)
    assert done.returncode == 0, output[-5000:]
    return output


def sbatch_calls(output: str) -> list[str]:
    return re.findall(r"^sbatch call: (sbatch .*)$", output, re.M)


# The first target of each kind, and the last layer-classifier figure (its accuracies need
# the classifier jobs), so that every kind of rule runs as a cluster job (train, each net's
# extraction, node metrics and classifiers) or a local one (select, figures, a table). Every
# target is built by the pipeline test; this one is about SLURM.
TARGETS = [names(kind)[0] for kind in ("static", "training", "node", "table")] + [names("classifier")[-1]]


@pytest.fixture(scope="module")
def run(cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("slurm")
    workdir = folder / "work"
    workdir.mkdir()
    (workdir / "config.yaml").write_text(yaml.safe_dump(small_config(learning_rates=[0.01, 0.001], seeds=[0, 1])))
    profile = user_profile(folder)
    first = snakemake(workdir, profile, *TARGETS)
    second = snakemake(workdir, profile, *TARGETS)
    return workdir, first, second


def test_jobs_went_through_sbatch_and_show_in_sacct(run):
    workdir, first, _ = run
    calls = sbatch_calls(first)
    job_ids = set(re.findall(r"SLURM jobid (\d+)", first)) or set(re.findall(r"external jobid '?(\d+)", first))
    assert calls and len(job_ids) == len(calls), first[-3000:]
    accounting = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-o", "JobID,State,Account", "-j", ",".join(job_ids)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("|") for line in accounting.splitlines()]
    assert {row[0] for row in rows} == job_ids
    assert all(state == "COMPLETED" and account == ACCOUNT for _, state, account in rows), accounting
    print(f"\n{len(calls)} sbatch submissions")


def test_training_jobs_ask_for_a_gpu_and_nothing_else_does(run):
    workdir, first, _ = run
    calls = sbatch_calls(first)
    training = [c for c in calls if "rule_train" in c]
    others = [c for c in calls if "rule_train" not in c]
    trained = list((workdir / "results/train/digits").glob("*/summary.csv"))
    assert len(training) == len(trained) == 4, training  # one per net the targets draw on
    for call in training:  # a tiny net's job takes one CPU (actstudy.training.resources.train_cpus)
        assert "--gpus=1" in call and "--mem " in call and " -t " in call and "--cpus-per-task=1" in call, call
    assert others and not any("--gpus" in c or "--gres" in c for c in others)
    # What queues: prepare, one job per net, and the analysis (each net's extraction, node
    # metrics and classifier jobs; up to 8 nets per group job); figures, tables, the
    # scorecard, select and download are local rules. 6 submissions: prepare, 4 trainings,
    # 1 analysis group (7 when figures had a group job of their own; the analysis was one
    # job per (seed, state) and kind, grouped 8 at a time, before it was one per net).
    queued = [re.search(r"slurm-logs/([^/]+)/", c).group(1) for c in calls]
    analysis = [q for q in queued if q.startswith("group_analysis_")]
    assert len(analysis) + queued.count("rule_prepare") + queued.count("rule_train") == len(queued), queued
    assert queued.count("rule_prepare") == 1 and queued.count("rule_train") == 4 and len(analysis) == 1, queued
    print(f"\na training job's sbatch flags: {training[0]}")


def test_all_outputs_are_complete_and_a_second_run_submits_nothing(run):
    workdir, _, second = run
    figures = sorted(p.stem for p in (workdir / "results/figures").glob("*.png"))
    assert figures == sorted(t for t in TARGETS if t.startswith("fig")), figures
    for png in (workdir / "results/figures").glob("*.png"):
        assert png.with_suffix(".pdf").stat().st_size > 5000 and png.stat().st_size > 5000
    assert sorted(p.name for p in (workdir / "results/tables").glob("*")) == [
        "table5_1.csv",
        "table5_1.md",
        "table5_1.tex",
    ]
    assert not sbatch_calls(second)
    assert "Nothing to be done" in second


def test_outputs_made_through_slurm_bundle_and_restore_like_local_ones(run, tmp_path):
    """`snakemake bundle` through the profile (the rest of the nets train as cluster jobs,
    the bundle itself runs locally), then a restore into a fresh working directory plans
    no training."""
    workdir, _, _ = run
    output = snakemake(workdir, user_profile(tmp_path), "bundle")
    assert not any("rule_bundle" in call for call in sbatch_calls(output))
    elsewhere = tmp_path / "restored"
    elsewhere.mkdir()
    (elsewhere / "config.yaml").write_text((workdir / "config.yaml").read_text())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "actstudy.restore",
            str(workdir / "results/bundle/results.tar"),
            "--directory",
            str(elsewhere),
            "--snakefile",
            str(REPO / "Snakefile"),
        ],
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    plan = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(REPO / "Snakefile"),
            "--directory",
            str(elsewhere),
            "-n",
            *TARGETS,
        ],
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert plan.returncode == 0 and "rule train:" not in plan.stdout + plan.stderr, plan.stdout[-3000:]


def test_a_group_job_runs_its_nets_one_at_a_time(run):
    """What the profile's analysis group costs (snakemake issue 4223, plugin issue 469):
    the plugin starts the group's Snakemake with --jobs 1, and it runs the group one
    connected component at a time, each in its own srun: here one net's extraction, node
    metrics and classifiers, whose Snakemake may run the last two side by side on the
    allocation's `cores`. The profile's comment and the group's width are chosen for that;
    if a plugin release runs several nets at once, this fails and the profile should be
    revisited."""
    workdir, _, _ = run
    logs = list((workdir.parent / "slurm-logs").glob("group_analysis_*/*.log"))
    assert logs, "no group log kept"
    for log in logs:
        text = log.read_text()
        assert re.search(r"^\s*Command: .* --jobs 1 ", text, re.M), text[:3000]
        steps = re.split(r"^The call for this job is: srun ", text, flags=re.M)[1:]
        assert len(steps) > 1, text[:3000]
        side_by_side = 1
        for step in steps:
            # the step's Snakemake finishes before the next srun starts: one step at a time
            assert re.search(r"^(\d+) of \1 steps \(100%\) done$", step, re.M), step[:3000]
            jobs = re.search(r"--target-jobs (.*?) --allowed-rules", step).group(1).split()
            nets = {re.sub(r"^(extract|node_metrics|classifiers)_", "", job.strip("'\"").rstrip(":")) for job in jobs}
            assert len(nets) == 1, jobs  # one net per step
            side_by_side = max([side_by_side, *map(int, re.findall(r"^Selected jobs: (\d+)$", step, re.M))])
        print(f"\n{log.name}: {len(steps)} nets one at a time; up to {side_by_side} jobs side by side within a net")
