"""Every benchmark of the project in one command, on this machine, with ratios measured
in the same run; the whole output also goes to benchmarks/results/run_all_<date>.log.

1. Training throughput per model, batched trainer vs the DataLoader loop, 4x200 and
   8x800, K = 1, 6, 9, beside each K's matrix products alone and the machine's matmul
   rate (train_throughput.py, timed on a fifth of an epoch and scaled).
2. Extraction, node metrics and the layer-classifier analysis of an 8x800 net
   (extract_metrics.py, classifiers.py).
3. `snakemake -n --configfile config/paper.yaml` from scratch: wall time, planned jobs.
4. The default config end to end (`snakemake --cores 2` in a fresh folder): wall time,
   and where it went per rule (pipeline_breakdown.py over the rules' benchmark files).

    python benchmarks/run_all.py [--mirror ../shared/datasets] [--skip-pipeline]

On a GPU machine, benchmarks/device_run.sh runs the GPU measurements instead.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def run(command: list[str], log, cwd: Path = REPO) -> tuple[str, float]:
    """Run a command, echo and log its output; (output, wall seconds)."""
    print(f"\n$ {' '.join(command)}", file=log, flush=True)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    output = done.stdout + done.stderr
    log.write(output)
    log.flush()
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{output[-3000:]}")
    return output, seconds


class Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=None, help="folder with mnist/ for the classifier benchmark")
    parser.add_argument("--skip-pipeline", action="store_true", help="skip 4 (the end-to-end run, minutes)")
    args = parser.parse_args()
    out = REPO / "benchmarks/results" / f"run_all_{datetime.date.today()}.log"
    out.parent.mkdir(exist_ok=True)
    with open(out, "w") as handle:
        log = Tee(sys.stdout, handle)
        print(f"# run_all {datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs", file=log)
        bench = REPO / "benchmarks"
        summary = []

        throughput, _ = run(
            [
                PYTHON,
                str(bench / "train_throughput.py"),
                "--device",
                "cpu",
                "--archs",
                "4x200",
                "8x800",
                "--models",
                "1",
                "6",
                "9",
                "--n-train",
                "11000",
                "--loader-steps",
                "150",
                "--matmul-floor",
            ],
            log,
        )
        for line in throughput.splitlines():
            if re.match(r"\s+\dx\d+\s+(batched|matmuls)", line):
                summary.append(
                    f"training {line.split()[0]} {line.split()[1]} K={line.split()[2]}: "
                    f"{line.split()[4]} s/epoch/model, {line.split()[5]} vs the DataLoader loop"
                )
            elif line.startswith("this machine's matmul rate"):
                summary.append(line)

        extraction, _ = run([PYTHON, str(bench / "extract_metrics.py")], log)
        summary += [line for line in extraction.splitlines() if line.startswith(("extraction:", "node metrics"))]
        command = [PYTHON, str(bench / "classifiers.py")] + (["--mirror", args.mirror] if args.mirror else [])
        classifiers, _ = run(command, log)
        summary += [line for line in classifiers.splitlines() if line.startswith(("full analysis", "exact KDE"))]

        with tempfile.TemporaryDirectory() as folder:
            snakemake = [PYTHON, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", folder]
            (Path(folder) / "config.yaml").write_text((REPO / "config.yaml").read_text())
            plan, seconds = run([*snakemake, "-n", "--configfile", str(REPO / "config/paper.yaml")], log)
            jobs = re.search(r"^total\s+(\d+)$", plan, re.M)
            summary.append(f"dry run of config/paper.yaml: {jobs[1] if jobs else '?'} jobs planned in {seconds:.1f} s")
            if not args.skip_pipeline:
                done, seconds = run([*snakemake, "--cores", "2"], log)
                finished = len(re.findall(r"^Finished jobid", done, re.M))
                summary.append(f"default config end to end: {finished} jobs in {seconds / 60:.1f} min (--cores 2)")
                breakdown, _ = run(
                    [
                        PYTHON,
                        str(bench / "pipeline_breakdown.py"),
                        "--results",
                        str(Path(folder) / "results"),
                        "--wall",
                        f"{seconds:.0f}",
                    ],
                    log,
                )
                summary += ["per rule:", *breakdown.splitlines()]

        print("\n# summary", file=log)
        for line in summary:
            print(f"- {line}", file=log)
        print(f"\nfull output: {out.relative_to(REPO)}", file=log)


if __name__ == "__main__":
    main()
