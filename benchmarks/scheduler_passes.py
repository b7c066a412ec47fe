"""Count Snakemake's scheduling passes and the CPU its own process spends, for one run.

    python benchmarks/scheduler_passes.py -- SNAKEMAKE ARGS...

Runs Snakemake in this process with its ``JobScheduler.job_selector`` (one call per pass
that has ready jobs) and ``update_input_sizes`` counted, then prints the counts, the CPU
seconds of this process (the scheduler: parsing, DAG, passes) and of its children (the
jobs), and the wall time: the counts behind benchmarks/RESULTS.md's "The scheduler's own
passes" (the instrument wraps two of Snakemake's methods to count them; the workflow
itself patches nothing of Snakemake's).
"""

from __future__ import annotations

import resource
import sys
import time

from snakemake import cli
from snakemake.scheduling.job_scheduler import JobScheduler

COUNTS = {"passes with ready jobs": 0, "input-size updates": 0}


def counted(method, key):
    def wrapper(*args, **kwargs):
        COUNTS[key] += 1
        return method(*args, **kwargs)

    return wrapper


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    JobScheduler.job_selector = counted(JobScheduler.job_selector, "passes with ready jobs")
    JobScheduler.update_input_sizes = counted(JobScheduler.update_input_sizes, "input-size updates")
    start = time.perf_counter()
    try:
        cli.main(args)
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    wall = time.perf_counter() - start
    own, jobs = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"exit {code}; wall {wall:.1f} s; scheduler process {own.ru_utime + own.ru_stime:.1f} CPU-s; "
        f"jobs {jobs.ru_utime + jobs.ru_stime:.1f} CPU-s; "
        + "; ".join(f"{key} {value}" for key, value in COUNTS.items()),
        file=sys.stderr,
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
