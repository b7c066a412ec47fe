"""One epoch's pieces for K stacked models: its minibatches, one optimisation step (eager or
replayed from a captured CUDA graph), evaluation, and which models have turned non-finite."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from actstudy.training.models import BatchedMLP

EVAL_CHUNK = 8192


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


def nonfinite_models(model: BatchedMLP) -> torch.Tensor:
    bad = torch.zeros(model.n_models, dtype=torch.bool, device=model.weights[0].device)
    for p in model.parameters():
        bad |= ~torch.isfinite(p).flatten(1).all(1)
    return bad
