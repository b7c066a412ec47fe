"""On a GPU: is a job preempted (SIGTERM) and resumed bitwise equal to an uninterrupted one?

Runs tests/fault_job.py on CUDA three ways: uninterrupted; SIGTERM at epoch 4, then
resumed; SIGKILL at epoch 9 (resumes from the last every-2-epochs checkpoint). Prints
the largest difference of every table and tensor against the uninterrupted run.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import torch

JOB = [sys.executable, "tests/fault_job.py"]
WORK = Path("/tmp/gpu_resume")
DEVICE = os.environ.get("DEVICE", "cuda")


def run(out, checkpoint, every, kill=None):
    proc = subprocess.Popen(
        [*JOB, str(out), str(checkpoint), str(every), DEVICE],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if kill and line.startswith(f"epoch {kill[1]}/"):
            proc.send_signal(kill[0])
            break
    lines.append(proc.stdout.read())
    proc.wait()
    return proc.returncode, "".join(lines)


def compare(a: Path, b: Path, label: str) -> None:
    worst = 0.0
    for table in ("history.csv", "summary.csv"):
        left, right = pd.read_csv(a / table), pd.read_csv(b / table)
        numeric = left.select_dtypes("number").columns
        worst = max(worst, float((left[numeric] - right[numeric]).abs().max().max()))
    states = [torch.load(p / "states.pt", weights_only=True) for p in (a, b)]
    for state in states[0]:
        for run_name, tensors in states[0][state].items():
            for name, tensor in tensors.items():
                other = states[1][state][run_name][name]
                worst = max(worst, float((tensor.double() - other.double()).abs().max()))
    print(
        f"{label}: largest difference from the uninterrupted run {worst:.3e} ({'bitwise equal' if worst == 0 else 'NOT bitwise'})"
    )


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    run(WORK / "whole", WORK / "unused.pt", 2)
    code, _ = run(WORK / "term", WORK / "term.pt", 0, (signal.SIGTERM, 4))
    print(f"SIGTERM at epoch 4: exit {code}; rerun:", run(WORK / "term", WORK / "term.pt", 0)[1].count("resumed from"))
    compare(WORK / "whole", WORK / "term", "SIGTERM + resume")
    code, _ = run(WORK / "kill", WORK / "kill.pt", 2, (signal.SIGKILL, 9))
    print(f"SIGKILL at epoch 9: exit {code}; rerun:", run(WORK / "kill", WORK / "kill.pt", 2)[1].count("resumed from"))
    compare(WORK / "whole", WORK / "kill", "SIGKILL + resume")
    again = WORK / "again"
    run(again, WORK / "unused2.pt", 2)
    compare(WORK / "whole", again, "a second uninterrupted run")


if __name__ == "__main__":
    main()
