"""Training: every (learning rate, seed) run of one architecture at once.

The protocol is the study's (docs/protocol.md; the study's Chapter 3): Adam, batch 64 reshuffled every epoch, the
learning rate multiplied by ``lr_decay`` after every epoch, all epochs run, and the
parameters of the epoch with the highest validation accuracy kept ("best"). The K runs
share one ``BatchedMLP``; each has its own generator (seeded by its seed: it draws the
initial weights, then each epoch's shuffle), its own Adam moments and learning rate, its
own best epoch. The data sits on the device as one tensor; a batch is an index gather.

A run whose loss or parameters turn NaN/inf is marked diverged from that epoch on; the
other runs of the job are unaffected (their slices of every tensor are independent).
"""

from __future__ import annotations

import copy
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import torch

from actstudy.core.config import Architecture, RunGrid, run_id
from actstudy.data.splits import Splits
from actstudy.training import checkpoint as checkpoints
from actstudy.training.checkpoint import Preempted, StopFlag
from actstudy.training.device import pick_device, tensors_on
from actstudy.training.models import BatchedMLP, dropout_generator, reference_mlp
from actstudy.training.optim import StackedAdam
from actstudy.training.states import snapshot_name
from actstudy.training.steps import StepRunner, batch_starts, evaluate, nonfinite_models

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    epochs: int
    batch_size: int
    lr_decay: float
    snapshot_epochs: tuple[int, ...] = ()

    @classmethod
    def from_config(cls, training: dict) -> TrainSettings:
        return cls(
            int(training["epochs"]),
            int(training["batch_size"]),
            float(training["lr_decay"]),
            tuple(sorted(int(e) for e in training["snapshot_epochs"])),
        )


@dataclass
class TrainResult:
    history: pd.DataFrame  # one row per run and epoch
    summary: pd.DataFrame  # one row per run, evaluated at its best epoch
    states: dict[str, dict[str, dict[str, torch.Tensor]]] = field(default_factory=dict)
    # states[state name][run id] -> state_dict of reference_mlp; names: init, best, epoch<E>


class Trainer:
    """The state of one training job, runnable, and resumable from a checkpoint.

    A checkpoint holds everything the next step depends on: every model's parameters
    and batch-norm buffers, the Adam moments, step and learning rates, every run's
    generator, the current epoch's shuffle and position in it, the epoch's running
    sums, the best-epoch state and the history so far. Resuming from it gives, on the
    CPU, bit for bit the result of an uninterrupted run.
    """

    def __init__(
        self,
        arch: Architecture,
        grid: RunGrid,
        splits: Splits,
        settings: TrainSettings,
        n_classes: int,
        device: torch.device | None = None,
        cuda_graphs: bool = True,
        adam_update: str | None = None,
    ):
        self.arch, self.settings = arch, settings
        self.device = device or pick_device()
        self.runs = grid.runs
        self.ids = [run_id(learning_rate, seed) for learning_rate, seed in self.runs]
        self.fingerprint = checkpoints.fingerprint(arch, grid, splits, settings)
        k = self.k = len(self.runs)
        self.data = tensors_on(splits, self.device)
        x_train, y_train = self.data["train"]
        self.n_train = len(x_train)
        self.generators = [torch.Generator().manual_seed(seed) for _, seed in self.runs]
        references = [reference_mlp(arch, x_train.shape[1], n_classes, g) for g in self.generators]
        self.model = BatchedMLP.from_references(arch, x_train.shape[1], references).to(self.device)
        if arch.dropout:
            self.model.dropout_generators = [dropout_generator(seed, self.device) for _, seed in self.runs]
        self.states: dict[str, dict[str, dict]] = {"init": self._model_states()}
        learning_rates = [learning_rate for learning_rate, _ in self.runs]
        learning_rates = torch.tensor(learning_rates, dtype=torch.float32, device=self.device)
        self.optimizer = StackedAdam(
            list(self.model.parameters()),
            learning_rates,
            update=adam_update,  # None: the device's default
            weight_decay=arch.weight_decay,
        )
        self.best_state = {name: t.detach().clone() for name, t in self.model.state_dict().items()}
        self.best_acc = torch.full((k,), -math.inf, device=self.device)
        self.best_epoch = torch.zeros(k, dtype=torch.long, device=self.device)
        self.diverged = torch.zeros(k, dtype=torch.bool, device=self.device)
        self.diverged_epoch = torch.zeros(k, dtype=torch.long, device=self.device)
        self.starts = batch_starts(self.n_train, settings.batch_size, arch.batch_norm)
        # Dropout draws from per-run generators, which a captured graph would not advance.
        use_graph = cuda_graphs and self.device.type == "cuda" and not arch.dropout
        self.step = StepRunner(
            self.model, self.optimizer, x_train, y_train, self.diverged, settings.batch_size, use_graph
        )
        self.rows: list[dict] = []
        self.epoch_seconds: list[float] = []  # wall time of each epoch this process trained, validation included
        self.epoch = 1  # the epoch being (or next to be) trained
        self.position = 0  # index into self.starts of its next step
        self.order: torch.Tensor | None = None  # this epoch's shuffle, [K, n_train], on the CPU

    def _model_states(self) -> dict[str, dict]:
        return {rid: self.model.model_state(i) for i, rid in enumerate(self.ids)}

    # ----------------------------------------------------------------- checkpoints

    VALUES = ("epoch", "position", "order", "rows", "states")  # plain values: replaced on restore

    def _checkpoint_parts(self) -> dict:
        """Every other part of a checkpoint, each named once, as the live object that holds
        it. ``state_dict`` saves a CPU copy of each; ``load_state_dict`` restores each in
        place (a captured CUDA graph, the step runner and the optimizer hold references to
        these device tensors)."""
        return {
            "model": self.model,
            "best_state": self.best_state,
            "optimizer": self.optimizer,
            **{name: getattr(self, name) for name in ("best_acc", "best_epoch", "diverged", "diverged_epoch")},
            **{name: getattr(self.step, name) for name in ("loss_sum", "correct")},
            "generators": self.generators,
            "dropout_generators": [g for g in self.model.dropout_generators if g is not None],
        }

    def state_dict(self) -> dict:
        values = {name: getattr(self, name) for name in self.VALUES}
        return {"fingerprint": self.fingerprint, **values, **checkpoints.cpu_copy(self._checkpoint_parts())}

    @torch.no_grad()
    def load_state_dict(self, state: dict) -> None:
        for name, part in self._checkpoint_parts().items():
            checkpoints.restore(part, state[name])
        for name in self.VALUES:
            setattr(self, name, copy.copy(state[name]))  # a list or dict of its own

    def save_checkpoint(self, path: str | Path) -> None:
        checkpoints.save(self.state_dict(), path)
        log.info("checkpoint: epoch %d, step %d/%d -> %s", self.epoch, self.position, len(self.starts), path)

    def resume_from(self, path: str | Path) -> bool:
        """Load the checkpoint at ``path`` if there is one for this very job."""
        state = checkpoints.load(path, self.fingerprint)
        if state is None:
            return False
        self.load_state_dict(state)
        log.info("resumed from %s at epoch %d, step %d/%d", path, self.epoch, self.position, len(self.starts))
        return True

    # ----------------------------------------------------------------- training

    def run(self, checkpoint: str | Path | None = None, every: int = 0, stop: StopFlag | None = None) -> TrainResult:
        """Train all remaining epochs and return the result.

        With ``checkpoint``: resume from it if it holds this job, save to it after every
        ``every``-th epoch, and, when ``stop`` is requested, save at the next step and
        raise ``Preempted``.
        """
        if checkpoint is not None:
            self.resume_from(checkpoint)
        log.info(
            "training %s %s: %d runs %s on %s, %d samples, %d epochs",
            self.arch.dataset,
            self.arch.name,
            self.k,
            self.ids,
            self.device,
            self.n_train,
            self.settings.epochs,
        )
        size = self.settings.batch_size
        while self.epoch <= self.settings.epochs:
            began = time.perf_counter()
            if self.order is None:
                self.order = torch.stack([torch.randperm(self.n_train, generator=g) for g in self.generators])
                self.position = 0
                self.step.reset_metrics()
            order = self.order.to(self.device)
            self.model.train()
            while self.position < len(self.starts):
                start = self.starts[self.position]
                self.step(order[:, start : start + size])
                self.position += 1
                if stop is not None and stop.requested:
                    if checkpoint is None:
                        raise Preempted("stop requested; no checkpoint path to save to")
                    self.save_checkpoint(checkpoint)
                    raise Preempted(f"stopped at epoch {self.epoch}, state saved to {checkpoint}")
            self._finish_epoch(time.perf_counter() - began)
            self.epoch_seconds.append(time.perf_counter() - began)
            self.order = None
            self.epoch += 1
            if (
                checkpoint is not None
                and every
                and (self.epoch - 1) % every == 0
                and self.epoch <= self.settings.epochs
            ):
                self.save_checkpoint(checkpoint)
        return self._result()

    def _finish_epoch(self, seconds: float) -> None:
        """Divergence, validation, best-epoch tracking, snapshots, history, schedule."""
        epoch, k, model = self.epoch, self.k, self.model
        seen = sum(min(self.settings.batch_size, self.n_train - s) for s in self.starts)
        train_loss, train_acc = self.step.loss_sum / seen, self.step.correct / seen
        newly = (~torch.isfinite(train_loss) | nonfinite_models(model)) & ~self.diverged
        self.diverged_epoch.copy_(torch.where(newly, epoch, self.diverged_epoch))
        self.diverged |= newly
        val_loss, val_acc = evaluate(model, *self.data["val"])
        val_acc = torch.where(self.diverged, torch.nan, val_acc)
        improved = (val_acc > self.best_acc) & ~self.diverged
        self.best_acc.copy_(torch.where(improved, val_acc, self.best_acc))
        self.best_epoch.copy_(torch.where(improved, epoch, self.best_epoch))
        with torch.no_grad():
            for name, tensor in model.state_dict().items():
                if tensor.dim() and tensor.shape[0] == k:
                    mask = improved.view(-1, *([1] * (tensor.dim() - 1)))
                    self.best_state[name].copy_(torch.where(mask, tensor, self.best_state[name]))
                else:
                    self.best_state[name].copy_(tensor)  # batch counters, shared by all models
        if epoch in self.settings.snapshot_epochs:
            self.states[snapshot_name(epoch)] = self._model_states()

        learning_rates = self.optimizer.lr  # decayed in place after each epoch
        stats = (
            torch.stack([train_loss, train_acc, val_loss, val_acc, learning_rates, self.diverged.float()])
            .cpu()
            .tolist()
        )
        measured = ("train_loss", "train_acc", "val_loss", "val_acc")  # NaN once the run diverged
        for i, (learning_rate, seed) in enumerate(self.runs):
            bad = bool(stats[5][i])
            values = {name: math.nan if bad else stats[j][i] for j, name in enumerate(measured)}
            # epoch_learning_rate: the run's rate after this many decays
            row = {"run": self.ids[i], "learning_rate": learning_rate, "seed": seed, "epoch": epoch}
            self.rows.append({**row, "epoch_learning_rate": stats[4][i], **values, "diverged": bad})
        log.info(
            "epoch %d/%d %.1fs  train_loss %s  val_acc %s%s",
            epoch,
            self.settings.epochs,
            seconds,
            " ".join(f"{v:.4f}" for v in stats[0]),
            " ".join(f"{v:.4f}" for v in stats[3]),
            f"  diverged: {[self.ids[i] for i, d in enumerate(stats[5]) if d]}" if any(stats[5]) else "",
        )
        learning_rates.mul_(self.settings.lr_decay)

    def _result(self) -> TrainResult:
        self.model.load_state_dict(self.best_state)
        states = dict(self.states)
        states["best"] = self._model_states()
        summary = {"run": self.ids, "learning_rate": [r[0] for r in self.runs], "seed": [r[1] for r in self.runs]}
        summary["best_epoch"] = self.best_epoch.cpu().tolist()
        summary["diverged"] = self.diverged.cpu().tolist()
        summary["diverged_epoch"] = [e or None for e in self.diverged_epoch.cpu().tolist()]
        for name, (x, y) in self.data.items():
            loss, acc = evaluate(self.model, x, y)
            summary[f"{name}_loss"] = loss.cpu().tolist()
            summary[f"{name}_acc"] = acc.cpu().tolist()
        summary = pd.DataFrame(summary)
        summary["generalisation_gap"] = summary["train_acc"] - summary["test_acc"]
        return TrainResult(pd.DataFrame(self.rows), summary, states)


def train(
    arch: Architecture,
    grid: RunGrid,
    splits: Splits,
    settings: TrainSettings,
    n_classes: int,
    device: torch.device | None = None,
    cuda_graphs: bool = True,
    adam_update: str | None = None,
) -> TrainResult:
    """Train every run of ``grid`` in one go (no checkpoints); ``cuda_graphs=False``
    runs every step eagerly on CUDA; ``adam_update`` picks StackedAdam's update."""
    return Trainer(arch, grid, splits, settings, n_classes, device, cuda_graphs, adam_update).run()
