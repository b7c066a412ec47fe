"""Training: every (learning rate, seed) run of one architecture at once.

The protocol is the study's (SPEC §2): Adam, batch 64 reshuffled every epoch, the
learning rate multiplied by ``lr_decay`` after every epoch, all epochs run, and the
parameters of the epoch with the highest validation accuracy kept ("best"). The K runs
share one ``BatchedMLP``; each has its own generator (seeded by its seed: it draws the
initial weights, then each epoch's shuffle), its own Adam moments and learning rate, its
own best epoch. The data sits on the device as one tensor; a batch is an index gather.

A run whose loss or parameters turn NaN/inf is marked diverged from that epoch on; the
other runs of the job are unaffected (their slices of every tensor are independent).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from actstudy.config import Architecture, RunGrid, run_id
from actstudy.data import Splits
from actstudy.io import atomic_path
from actstudy.models import BatchedMLP, reference_mlp
from actstudy.optim import StackedAdam

log = logging.getLogger(__name__)
EVAL_CHUNK = 8192


@dataclass(frozen=True)
class TrainSettings:
    epochs: int
    batch_size: int
    lr_decay: float
    snapshot_epochs: tuple[int, ...] = ()

    @classmethod
    def from_config(cls, training: dict) -> "TrainSettings":
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


def snapshot_name(epoch: int) -> str:
    return f"epoch{epoch}"


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def tensors_on(splits: Splits, device: torch.device) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each split as (x float32 in [0, 1], y int64), resident on ``device``."""
    out = {}
    for name in ("train", "val", "test"):
        x, y = splits.split(name)
        xt = torch.tensor(x, device=device).float().div_(splits.scale)
        out[name] = (xt, torch.tensor(y, dtype=torch.long, device=device))
    return out


def batch_starts(n: int, batch_size: int, batch_norm: bool) -> list[int]:
    """Start index of each minibatch; a final batch of one sample is dropped with batch
    norm (its variance is undefined, torch refuses it)."""
    starts = list(range(0, n, batch_size))
    if batch_norm and n - starts[-1] == 1:
        starts.pop()
    return starts


@torch.no_grad()
def evaluate(model: BatchedMLP, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy and accuracy of each model on (x, y), in eval mode: two [K] tensors."""
    was_training = model.training
    model.eval()
    loss_sum = torch.zeros(model.n_models, device=x.device)
    correct = torch.zeros(model.n_models, device=x.device)
    for start in range(0, len(x), EVAL_CHUNK):
        xb, yb = x[start : start + EVAL_CHUNK], y[start : start + EVAL_CHUNK]
        logits = model(xb)  # [K, B, 10]
        target = yb.expand(model.n_models, -1)
        loss_sum += F.cross_entropy(logits.transpose(1, 2), target, reduction="none").sum(1)
        correct += (logits.argmax(-1) == target).sum(1)
    model.train(was_training)
    return loss_sum / len(x), correct / len(x)


def _nonfinite_models(model: BatchedMLP) -> torch.Tensor:
    bad = torch.zeros(model.n_models, dtype=torch.bool, device=model.weights[0].device)
    for p in model.parameters():
        bad |= ~torch.isfinite(p).flatten(1).all(1)
    return bad


class StepRunner:
    """One optimisation step of all K models, accumulating each model's loss and hits.

    Small MLPs on a GPU are bound by kernel launches, not arithmetic, so on CUDA the
    step of a full batch is captured once as a CUDA graph (after a few eager warm-up
    steps, as PyTorch's graph docs prescribe) and then replayed: one launch per step.
    The graph runs the same kernels as the eager step. A shorter last batch, and every
    step on the CPU, runs eagerly. Everything a step touches is a fixed tensor updated in
    place (parameters, Adam moments, learning rates, ``diverged``, the accumulators).
    """

    WARMUP_STEPS = 3

    def __init__(self, model, optimizer, x, y, diverged, batch_size: int, use_graph: bool):
        self.model, self.optimizer, self.x, self.y, self.diverged = model, optimizer, x, y, diverged
        self.batch_size, self.use_graph = batch_size, use_graph
        self.loss_sum = torch.zeros(model.n_models, device=x.device)
        self.correct = torch.zeros(model.n_models, device=x.device)
        self.graph: torch.cuda.CUDAGraph | None = None
        self.static_idx: torch.Tensor | None = None
        self.eager_steps = 0

    def reset_metrics(self) -> None:
        self.loss_sum.zero_()
        self.correct.zero_()

    def _eager(self, idx: torch.Tensor) -> None:
        xb, yb = self.x[idx], self.y[idx]  # [K, B, n_in], [K, B]
        logits = self.model(xb)
        per_model = F.cross_entropy(logits.transpose(1, 2), yb, reduction="none").mean(1)
        self.optimizer.zero_grad()
        torch.where(self.diverged, 0.0, per_model).sum().backward()
        self.optimizer.step()
        with torch.no_grad():
            self.loss_sum.add_(per_model.detach() * idx.shape[1])
            self.correct.add_((logits.argmax(-1) == yb).sum(1))

    def __call__(self, idx: torch.Tensor) -> None:
        """Train every model on its batch ``idx`` ([K, B] sample indices)."""
        if not self.use_graph or idx.shape[1] != self.batch_size:
            self._eager(idx)
        elif self.graph is not None:
            self.static_idx.copy_(idx)
            self.graph.replay()
        elif self.eager_steps < self.WARMUP_STEPS:
            self.eager_steps += 1
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                self._eager(idx)
            torch.cuda.current_stream().wait_stream(side)
        else:
            self.static_idx = idx.clone()
            self.graph = torch.cuda.CUDAGraph()
            self.optimizer.zero_grad()
            with torch.cuda.graph(self.graph):  # records, does not run
                self._eager(self.static_idx)
            self.graph.replay()


def train(
    arch: Architecture,
    grid: RunGrid,
    splits: Splits,
    settings: TrainSettings,
    device: torch.device | None = None,
    cuda_graphs: bool = True,
) -> TrainResult:
    """Train every run of ``grid``; ``cuda_graphs=False`` runs every step eagerly on CUDA."""
    device = device or pick_device()
    runs = grid.runs
    ids = [run_id(lr, seed) for lr, seed in runs]
    k = len(runs)
    data = tensors_on(splits, device)
    x_train, y_train = data["train"]
    n_in, n_train = x_train.shape[1], x_train.shape[0]

    generators = [torch.Generator().manual_seed(seed) for _, seed in runs]
    references = [reference_mlp(arch, n_in, g) for g in generators]
    model = BatchedMLP.from_references(arch, n_in, references).to(device)
    states: dict[str, dict[str, dict]] = {"init": {rid: model.model_state(i) for i, rid in enumerate(ids)}}
    lr = torch.tensor([lr for lr, _ in runs], dtype=torch.float32, device=device)
    optimizer = StackedAdam(list(model.parameters()), lr)

    best_state = {name: t.detach().clone() for name, t in model.state_dict().items()}
    best_acc = torch.full((k,), -math.inf, device=device)
    best_epoch = torch.zeros(k, dtype=torch.long, device=device)
    diverged = torch.zeros(k, dtype=torch.bool, device=device)
    diverged_epoch = torch.zeros(k, dtype=torch.long, device=device)
    starts = batch_starts(n_train, settings.batch_size, arch.batch_norm)
    step = StepRunner(model, optimizer, x_train, y_train, diverged, settings.batch_size, cuda_graphs and device.type == "cuda")
    rows = []
    log.info("training %s %s: %d runs %s on %s, %d samples, %d epochs", arch.dataset, arch.name, k, ids, device, n_train, settings.epochs)

    for epoch in range(1, settings.epochs + 1):
        began = time.perf_counter()
        model.train()
        order = torch.stack([torch.randperm(n_train, generator=g) for g in generators]).to(device)
        step.reset_metrics()
        for start in starts:
            step(order[:, start : start + settings.batch_size])
        loss_sum, correct = step.loss_sum, step.correct
        seen = sum(min(settings.batch_size, n_train - s) for s in starts)
        train_loss, train_acc = loss_sum / seen, correct / seen
        newly = (~torch.isfinite(train_loss) | _nonfinite_models(model)) & ~diverged
        diverged_epoch = torch.where(newly, epoch, diverged_epoch)
        diverged |= newly
        val_loss, val_acc = evaluate(model, *data["val"])
        val_acc = torch.where(diverged, torch.nan, val_acc)

        improved = (val_acc > best_acc) & ~diverged
        best_acc = torch.where(improved, val_acc, best_acc)
        best_epoch = torch.where(improved, epoch, best_epoch)
        with torch.no_grad():
            for name, tensor in model.state_dict().items():
                if tensor.dim() and tensor.shape[0] == k:
                    mask = improved.view(-1, *([1] * (tensor.dim() - 1)))
                    best_state[name].copy_(torch.where(mask, tensor, best_state[name]))
                else:
                    best_state[name].copy_(tensor)  # batch counters, shared by all models
        if epoch in settings.snapshot_epochs:
            states[snapshot_name(epoch)] = {rid: model.model_state(i) for i, rid in enumerate(ids)}

        stats = torch.stack([train_loss, train_acc, val_loss, val_acc, lr, diverged.float()]).cpu().numpy()
        for i, (run_lr, seed) in enumerate(runs):
            bad = bool(stats[5, i])
            rows.append(
                {
                    "run": ids[i], "learning_rate": run_lr, "seed": seed, "epoch": epoch, "lr": float(stats[4, i]),
                    "train_loss": np.nan if bad else stats[0, i], "train_acc": np.nan if bad else stats[1, i],
                    "val_loss": np.nan if bad else stats[2, i], "val_acc": np.nan if bad else stats[3, i],
                    "diverged": bad,
                }
            )  # fmt: skip
        log.info(
            "epoch %d/%d %.1fs  train_loss %s  val_acc %s%s",
            epoch, settings.epochs, time.perf_counter() - began,
            " ".join(f"{v:.4f}" for v in stats[0]), " ".join(f"{v:.4f}" for v in stats[3]),
            f"  diverged: {[ids[i] for i in np.flatnonzero(stats[5])]}" if stats[5].any() else "",
        )  # fmt: skip
        lr.mul_(settings.lr_decay)

    model.load_state_dict(best_state)
    states["best"] = {rid: model.model_state(i) for i, rid in enumerate(ids)}
    summary = {"run": ids, "learning_rate": [r[0] for r in runs], "seed": [r[1] for r in runs]}
    summary["best_epoch"] = best_epoch.cpu().tolist()
    summary["diverged"] = diverged.cpu().tolist()
    summary["diverged_epoch"] = [e or None for e in diverged_epoch.cpu().tolist()]
    for name, (x, y) in data.items():
        loss, acc = evaluate(model, x, y)
        summary[f"{name}_loss"] = loss.cpu().tolist()
        summary[f"{name}_acc"] = acc.cpu().tolist()
    summary = pd.DataFrame(summary)
    summary["generalisation_gap"] = summary["train_acc"] - summary["test_acc"]
    return TrainResult(pd.DataFrame(rows), summary, states)


def save_states(states: dict[str, dict[str, torch.Tensor]], path) -> None:
    """One state (e.g. "best") of every run: {run id: state_dict}, loadable with weights_only=True."""
    with atomic_path(path) as tmp:
        torch.save(states, tmp)


def load_state(path, run: str) -> dict[str, torch.Tensor]:
    """The state_dict of one run, ready for ``reference_mlp(...).load_state_dict``."""
    return torch.load(path, map_location="cpu", weights_only=True)[run]


def save_table(frame: pd.DataFrame, path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
