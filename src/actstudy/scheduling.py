"""A fix to Snakemake's scheduler loop, applied by the Snakefile in the process that
schedules (benchmarks/RESULTS.md, "the scheduler's own passes").

Snakemake 9 (checked on 9.27) with its job-rate limiter (on by default, ``100/1s``) arms
a one-second re-evaluation timer at the end of every scheduling pass that leaves ready
jobs behind, and a finished job starts a pass of its own, so every finished job starts one
more chain of such timers. The chains add up: on our default pipeline 15-18 thousand passes
for 149 jobs, each re-reading the size of every input of every ready job: 23 of the run's
217 CPU-s, against 8 with one timer. One pending timer per delay does all the chains do: it wakes the
loop within the delay, and the passes that jobs trigger when they finish are untouched.
Upstream knows the pattern (snakemake pull request 3744); this is a no-op on a Snakemake
that lacks the method it wraps.
"""

from __future__ import annotations

import threading


def coalesce_reevaluations(scheduler_class=None) -> bool:
    """Make ``scheduler_class`` (Snakemake's ``JobScheduler``) keep at most one pending
    re-evaluation timer per delay. Returns whether it wrapped the method now."""
    if scheduler_class is None:
        try:
            from snakemake.scheduling.job_scheduler import JobScheduler as scheduler_class
        except ImportError:
            return False
    arm = getattr(scheduler_class, "_schedule_reevalutation", None)  # sic: Snakemake's spelling
    if arm is None or getattr(arm, "coalesced", False):
        return False

    def schedule_reevaluation(self, delay) -> None:
        pending = self.__dict__.setdefault("_pending_reevaluations", set())
        if delay in pending:
            return
        pending.add(delay)

        def wake() -> None:
            pending.discard(delay)  # before the wake-up, so that its pass may arm the next one
            self._open_jobs.release()

        threading.Timer(delay, wake).start()

    schedule_reevaluation.coalesced = True
    scheduler_class._schedule_reevalutation = schedule_reevaluation
    return True
