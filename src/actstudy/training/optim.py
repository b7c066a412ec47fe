"""Adam for stacked models: every model on the leading axis has its own learning rate.

torch.optim.Adam takes one learning rate per parameter tensor; here one tensor holds
K models that each need their own (the learning-rate grid of one training job), so
the update is written out once, with the arithmetic of torch's Adam (``amsgrad=False``;
``weight_decay`` is Adam's L2 term, added to the gradient before the moments, as
``torch.optim.Adam(weight_decay=...)`` does, for every parameter). Every operation is a
``torch._foreach_*`` call over all tensors at once, and the step count and bias corrections live on the device, so a step has no
host synchronisation and can be captured in a CUDA graph.

Three implementations of the same update (``update``):

- ``"foreach"`` (the default on CUDA): the ``torch._foreach_*`` calls above, about ten
  passes over the memory; what the CUDA-graph step captures.
- ``"fused"`` (the default on the CPU): torch's fused Adam kernel (``torch._fused_adam_``,
  what ``Adam(fused=True)`` calls), once per distinct learning rate over the runs' slices
  of every stacked tensor: one pass instead of about ten. Runs that start with the same learning rate keep it equal, since the schedule scales
  all of them by the same factor. Not the CUDA default: there its many per-run slices
  cost more launches than the passes they save on small nets.
- ``"compiled"``: the update written per tensor and compiled by ``torch.compile``, which
  fuses it into one kernel per stacked tensor with the per-run learning rate broadcast
  inside: one pass over the memory without per-run slices. Opt-in: compiling takes
  seconds to a minute per job.
"""

from __future__ import annotations

import torch

UPDATES = ("foreach", "fused", "compiled")


def _bias_corrected(
    lr: torch.Tensor, step: torch.Tensor, beta1: float, beta2: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """(sqrt of the second moment's bias correction, per-run step size [K]); computed in
    float64, as torch's Adam computes them on the host, from the device step count."""
    bias_correction1 = 1 - torch.pow(beta1, step)
    bias_correction2_sqrt = torch.sqrt(1 - torch.pow(beta2, step)).float()
    return bias_correction2_sqrt, (lr.double() / bias_correction1).float()


def _adam_update(
    params, grads, exp_avgs, exp_avg_sqs, lr, step, beta1: float, beta2: float, eps: float, weight_decay: float
) -> None:
    """The foreach update tensor by tensor, in the same order of operations, for
    ``torch.compile`` to fuse into one pass per tensor."""
    bias_correction2_sqrt, step_size = _bias_corrected(lr, step, beta1, beta2)
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
        if weight_decay:
            g = g.add(p, alpha=weight_decay)
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = v.sqrt() / bias_correction2_sqrt + eps
        p.sub_(m / denom * step_size.view(-1, *([1] * (p.dim() - 1))))


class StackedAdam:
    def __init__(
        self,
        params: list[torch.Tensor],
        lr: torch.Tensor,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        update: str | None = None,
        weight_decay: float = 0.0,
    ):
        if update is None:
            update = "fused" if lr.device.type == "cpu" else "foreach"
        if update not in UPDATES:
            raise ValueError(f"unknown Adam update {update!r}; one of {UPDATES}")
        self.update = update
        self.params = list(params)
        self.lr = lr  # [K], one learning rate per model; scaled in place by the schedule
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = float(weight_decay)
        self.step_count = torch.zeros((), dtype=torch.float64, device=lr.device)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self._compiled = torch.compile(_adam_update, fullgraph=True, dynamic=False) if update == "compiled" else None
        # Runs grouped by learning rate; the fused kernel reads one step count per tensor
        # (float32, as torch's Adam keeps it), all the same one here.
        groups: dict[float, list[int]] = {}
        for k, value in enumerate(lr.tolist()):
            groups.setdefault(value, []).append(k)
        self.groups = list(groups.values())
        self._fused_steps = torch.zeros((), dtype=torch.float32)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        if self.update == "fused":
            self._fused_step()
            return
        grads = [p.grad for p in self.params]
        self.step_count += 1
        if self._compiled is not None:
            self._compiled(
                self.params,
                grads,
                self.exp_avg,
                self.exp_avg_sq,
                self.lr,
                self.step_count,
                self.beta1,
                self.beta2,
                self.eps,
                self.weight_decay,
            )
            return
        if self.weight_decay:
            grads = torch._foreach_add(grads, self.params, alpha=self.weight_decay)
        torch._foreach_lerp_(self.exp_avg, grads, 1 - self.beta1)
        torch._foreach_mul_(self.exp_avg_sq, self.beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, 1 - self.beta2)
        bias_correction2_sqrt, step_size = _bias_corrected(self.lr, self.step_count, self.beta1, self.beta2)
        denom = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denom, bias_correction2_sqrt)
        torch._foreach_add_(denom, self.eps)
        updates = torch._foreach_div(self.exp_avg, denom)
        torch._foreach_mul_(updates, [step_size.view(-1, *([1] * (p.dim() - 1))) for p in self.params])
        torch._foreach_sub_(self.params, updates)

    def _fused_step(self) -> None:
        self.step_count += 1
        self._fused_steps += 1
        grads = [p.grad for p in self.params]
        for runs in self.groups:

            def slices(tensors, runs=runs):
                return [t[k] for k in runs for t in tensors]

            torch._fused_adam_(
                slices(self.params),
                slices(grads),
                slices(self.exp_avg),
                slices(self.exp_avg_sq),
                [],
                [self._fused_steps] * (len(runs) * len(self.params)),
                lr=float(self.lr[runs[0]]),
                beta1=self.beta1,
                beta2=self.beta2,
                weight_decay=self.weight_decay,
                eps=self.eps,
                amsgrad=False,
                maximize=False,
            )

    def state_dict(self) -> dict:
        return {"step": self.step_count, "exp_avg": self.exp_avg, "exp_avg_sq": self.exp_avg_sq, "lr": self.lr}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            self.step_count.copy_(state["step"])
            for mine, saved in zip(self.exp_avg + self.exp_avg_sq, state["exp_avg"] + state["exp_avg_sq"]):
                mine.copy_(saved)
            self.lr.copy_(state["lr"])
            self._fused_steps.fill_(float(self.step_count))
