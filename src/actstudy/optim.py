"""Adam for stacked models: every model on the leading axis has its own learning rate.

torch.optim.Adam takes one learning rate per parameter tensor; here one tensor holds
K models that each need their own (the learning-rate grid of one training job), so
the update is written out once, with the arithmetic of torch's Adam (``amsgrad=False``,
no weight decay). Every operation is a ``torch._foreach_*`` call over all tensors at
once, and the step count and bias corrections live on the device, so a step has no
host synchronisation and can be captured in a CUDA graph.
"""

from __future__ import annotations

import torch


class StackedAdam:
    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = list(params)
        self.lr = lr  # [K], one learning rate per model; scaled in place by the schedule
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.step_count = torch.zeros((), dtype=torch.float64, device=lr.device)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params]
        self.step_count += 1
        torch._foreach_lerp_(self.exp_avg, grads, 1 - self.beta1)
        torch._foreach_mul_(self.exp_avg_sq, self.beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, 1 - self.beta2)
        # bias corrections in float64, as torch computes them on the host
        bias_correction1 = 1 - torch.pow(self.beta1, self.step_count)
        bias_correction2_sqrt = torch.sqrt(1 - torch.pow(self.beta2, self.step_count)).float()
        step_size = (self.lr.double() / bias_correction1).float()  # [K]
        denom = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denom, bias_correction2_sqrt)
        torch._foreach_add_(denom, self.eps)
        updates = torch._foreach_div(self.exp_avg, denom)
        torch._foreach_mul_(updates, [step_size.view(-1, *([1] * (p.dim() - 1))) for p in self.params])
        torch._foreach_sub_(self.params, updates)

    def state_dict(self) -> dict:
        return {"step": self.step_count, "exp_avg": self.exp_avg, "exp_avg_sq": self.exp_avg_sq, "lr": self.lr}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            self.step_count.copy_(state["step"])
            for mine, saved in zip(self.exp_avg + self.exp_avg_sq, state["exp_avg"] + state["exp_avg_sq"]):
                mine.copy_(saved)
            self.lr.copy_(state["lr"])
