"""Stopping and resuming a training job: signals, the job's identity, the checkpoint file."""

from __future__ import annotations

import hashlib
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from actstudy.core.config import Architecture, RunGrid
from actstudy.core.io import atomic_path
from actstudy.data.splits import Splits

log = logging.getLogger(__name__)
CHECKPOINT_FORMAT = 2  # raised when the checkpoint's tensors change layout (2: weights [K, in, out])


class Preempted(RuntimeError):
    """Training stopped on request (SIGTERM); its full state was saved first."""


class StopFlag:
    requested = False


@contextmanager
def stop_on_signals(*signals: int) -> Iterator[StopFlag]:
    """A flag that the given signals set (instead of killing the process), so that
    training can save its state at the next step and stop cleanly."""
    flag = StopFlag()

    def request_stop(signum, _frame):
        log.warning("received signal %d: saving state at the next step", signum)
        flag.requested = True

    previous = {sig: signal.signal(sig, request_stop) for sig in signals}
    try:
        yield flag
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def fingerprint(arch: Architecture, grid: RunGrid, splits: Splits, settings) -> str:
    """Identity of a training job: a checkpoint only resumes the job that wrote it."""
    digest = hashlib.sha256(repr((CHECKPOINT_FORMAT, arch, grid.runs, settings)).encode())
    for name in ("train", "val", "test"):
        for array in splits.split(name):
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def save(state: dict, path: str | Path) -> None:
    """Write a training job's state (``Trainer.state_dict``) atomically."""
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load(path: str | Path, expected_fingerprint: str) -> dict | None:
    """The state saved at ``path`` if it is there, readable and this very job's; else None.

    A file that cannot be read (truncated, damaged, not a checkpoint) would fail every
    retry of the job the same way, forever under a requeue: it is moved aside to
    ``<name>.damaged`` (kept for inspection) with a warning, and the job starts afresh.
    Loaded with ``weights_only``: a checkpoint is data and never runs code.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict):
            raise ValueError(f"holds a {type(state).__name__}, not a training state")
    except Exception as error:  # noqa: BLE001 - any unreadable file is set aside the same way
        aside = path.with_name(path.name + ".damaged")
        path.replace(aside)
        log.warning(
            "%s is not a readable checkpoint (%s: %s); moved to %s, starting afresh",
            path,
            type(error).__name__,
            str(error).splitlines()[0][:200] if str(error) else "",
            aside,
        )
        return None
    if state.get("fingerprint") != expected_fingerprint:
        log.warning("%s belongs to another configuration, dataset or checkpoint format: starting afresh", path)
        return None
    return state


def cpu_copy(part):
    """A CPU copy of one part of a checkpoint: a module's or the optimizer's state_dict, a
    tensor, a generator's state, or a dict or list of these."""
    if hasattr(part, "state_dict"):
        return cpu_copy(part.state_dict())
    if isinstance(part, torch.Tensor):
        return part.detach().to("cpu", copy=True)
    if isinstance(part, torch.Generator):
        return part.get_state()
    if isinstance(part, dict):
        return {name: cpu_copy(value) for name, value in part.items()}
    return [cpu_copy(value) for value in part]


def restore(part, saved) -> None:
    """Put a saved part back into the live one, in place (``cpu_copy``'s inverse)."""
    if hasattr(part, "load_state_dict"):
        part.load_state_dict(saved)
    elif isinstance(part, torch.Tensor):
        part.copy_(saved)
    elif isinstance(part, torch.Generator):
        part.set_state(saved)
    elif isinstance(part, dict):
        for name, value in part.items():
            restore(value, saved[name])
    else:
        for value, saved_value in zip(part, saved, strict=True):
            restore(value, saved_value)
