"""A small training job for the fault-injection tests, run as its own process.

    python fault_job.py OUT_DIR CHECKPOINT EVERY [DEVICE]

Trains 4 runs of a 3x48 ReLU net with batch norm and dropout 0.1 (so that its masks'
generators are part of what resumes) on a fixed synthetic problem, prints
each epoch, saves its state to CHECKPOINT every EVERY epochs and on SIGTERM, and
writes history.csv, summary.csv and states.pt to OUT_DIR when it finishes.
"""

import logging
import signal
import sys
from pathlib import Path

import numpy as np
import torch

from actstudy.core.config import Architecture, RunGrid
from actstudy.data.splits import Splits
from actstudy.training.checkpoint import stop_on_signals
from actstudy.training.device import configure_process
from actstudy.training.trainer import Trainer, TrainSettings

EPOCHS = 14


def splits() -> Splits:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 5000)
    x = rng.integers(0, 90, (5000, 30)).astype(np.uint8)
    x[np.arange(5000), 3 * y] += 120
    return Splits(x[:4000], y[:4000], x[4000:4500], y[4000:4500], x[4500:], y[4500:], 255.0, 0)


def main(out: Path, checkpoint: Path, every: int, device: str = "cpu") -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s", force=True)
    configure_process(1)  # as the pipeline's train job does
    arch = Architecture("synthetic", 3, 48, True, "relu", dropout=0.1)
    grid = RunGrid((0.01, 0.001), (0, 1))
    trainer = Trainer(arch, grid, splits(), TrainSettings(EPOCHS, 32, 0.99, (5,)), 10, torch.device(device))
    with stop_on_signals(signal.SIGTERM) as stop:
        result = trainer.run(checkpoint=checkpoint, every=every, stop=stop)
    out.mkdir(parents=True, exist_ok=True)
    result.history.to_csv(out / "history.csv", index=False)
    result.summary.to_csv(out / "summary.csv", index=False)
    torch.save(result.states, out / "states.pt")
    print("finished", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:5])
