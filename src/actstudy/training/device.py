"""Where a job computes: the device, the process's CPU threads, data resident on the device."""

from __future__ import annotations

import torch

from actstudy.data.splits import Splits


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def configure_process(threads: int) -> None:
    """Process-wide torch settings of a training job: call before any torch computation.

    ``threads`` intra-op CPU threads, and subnormal floats flushed to zero. Adam's first
    moment of a weight whose gradient is always 0 (into a dead ReLU unit, from a pixel
    that is always 0) shrinks by beta1 every step and turns subnormal after about 800
    steps; x86 CPUs compute on subnormals so slowly that the whole CPU training step
    slows down several times (benchmarks/RESULTS.md has the measurement). Flushing them
    changes no parameter: their update, below 1e-30, vanishes in float32 anyway. The
    CPU flag is per thread and torch's pool threads inherit it when they are created,
    hence "before any torch computation"; GPUs compute subnormals at full speed.
    """
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)


def tensors_on(splits: Splits, device: torch.device) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each split as (x float32 in [0, 1], y int64), resident on ``device``."""
    out = {}
    for name in ("train", "val", "test"):
        x, y = splits.split(name)
        xt = torch.tensor(x, device=device).float().div_(splits.scale)
        out[name] = (xt, torch.tensor(y, dtype=torch.long, device=device))
    return out
