"""The fix to Snakemake's scheduler loop (actstudy.scheduling): many requests for a
re-evaluation while one is pending arm one timer, which wakes the loop once; after it has
fired the next request arms a new one; a delay of its own gets a timer of its own; and the
method it wraps is the one Snakemake has."""

import threading
import time

from snakemake.scheduling.job_scheduler import JobScheduler

from actstudy.scheduling import coalesce_reevaluations


def fake_scheduler_class():
    class Scheduler:
        def __init__(self):
            self._open_jobs = threading.Semaphore(0)
            self.armed = 0

        def _schedule_reevalutation(self, delay):
            self.armed += 1  # Snakemake's: one more timer per call

    return Scheduler


def wake_ups(scheduler, within: float) -> int:
    count, deadline = 0, time.monotonic() + within
    while scheduler._open_jobs.acquire(timeout=max(0.0, deadline - time.monotonic())):
        count += 1
    return count


def test_requests_while_one_is_pending_wake_the_loop_once():
    scheduler_class = fake_scheduler_class()
    assert coalesce_reevaluations(scheduler_class)
    scheduler = scheduler_class()
    for _ in range(50):
        scheduler._schedule_reevalutation(0.05)
    assert wake_ups(scheduler, within=0.5) == 1
    assert scheduler.armed == 0  # the wrapped method no longer runs
    scheduler._schedule_reevalutation(0.05)  # after the wake-up: armed again
    assert wake_ups(scheduler, within=0.5) == 1


def test_each_delay_has_its_own_timer():
    scheduler_class = fake_scheduler_class()
    coalesce_reevaluations(scheduler_class)
    scheduler = scheduler_class()
    for delay in (0.05, 0.1, 0.05, 0.1):
        scheduler._schedule_reevalutation(delay)
    assert wake_ups(scheduler, within=0.6) == 2


def test_wrapping_twice_is_refused_and_a_missing_method_is_left_alone():
    scheduler_class = fake_scheduler_class()
    assert coalesce_reevaluations(scheduler_class) and not coalesce_reevaluations(scheduler_class)
    assert not coalesce_reevaluations(type("NoSuchMethod", (), {}))


def test_snakemake_has_the_method_it_wraps():
    # the Snakefile applies the fix; a Snakemake without the method makes it a silent no-op
    assert callable(getattr(JobScheduler, "_schedule_reevalutation", None))
