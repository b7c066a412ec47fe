"""The study's MLP, alone (``reference_mlp``) and K at once (``BatchedMLP``).

Without batch norm a hidden layer is Linear -> activation, and only the first hidden
layer has a bias. With batch norm every hidden layer is Linear (no bias) ->
BatchNorm1d (affine) -> activation; with batch norm *after* the activation (a reading of
the study, ``Architecture.bn_position``) it is Linear (no bias) -> activation ->
BatchNorm1d. The output layer is a bias-free
Linear to 10 logits (docs/protocol.md: no biases besides the first hidden layer's). Every
Linear layer is initialised as the activation's registry entry says (``actstudy.core.activations``):
He (Kaiming) normal for the ReLU family, Xavier (Glorot) normal for sigmoid and tanh.
With dropout (``Architecture.dropout``) every hidden layer ends in Dropout(p), after the
activation (and after batch norm where it follows the activation); it acts only in
training mode, so extraction and evaluation never see it.

Dropout masks: a reference network draws them with ``nn.Dropout`` from torch's global
generator. ``BatchedMLP`` draws each model's mask from that model's own generator
(``dropout_generators``), with the same operation (``bernoulli_(1 - p)`` on a tensor of the
layer's shape, scaled by 1 / (1 - p)), so a model's masks, and so its training, do not
depend on which other models share the job; seeded alike, slot k and a reference network
draw the very same masks (tests/test_training.py).

``BatchedMLP`` holds K such networks with their parameters stacked on a leading model
axis, so one matmul per layer trains all of them. Its slot k is exactly the network
``reference_mlp`` builds, and converts to and from that network's ``state_dict``.
Each weight is stored transposed, [K, fan_in, fan_out], so a layer is ``h @ W`` and
autograd's weight gradient ``h^T @ g`` comes out in the parameter's own layout: stored
as nn.Linear's [fan_out, fan_in], every step would pay a copy of every weight gradient
into that layout.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from actstudy.core.activations import get as activation
from actstudy.core.config import Architecture

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


def reference_mlp(
    arch: Architecture, n_in: int, n_classes: int, generator: torch.Generator | None = None
) -> nn.Sequential:
    """One network of the architecture (``n_in`` inputs, ``n_classes`` outputs: its
    dataset's, ``actstudy.data.datasets``), initialised from ``generator``."""
    layers: list[nn.Module] = []
    fan_in = n_in
    for layer in range(arch.depth):
        layers.append(nn.Linear(fan_in, arch.width, bias=(layer == 0 and _first_layer_bias(arch))))
        if arch.batch_norm and not arch.bn_after:
            layers.append(nn.BatchNorm1d(arch.width, eps=BN_EPS, momentum=BN_MOMENTUM))
        layers.append(activation(arch.activation).make_module())
        if arch.bn_after:
            layers.append(nn.BatchNorm1d(arch.width, eps=BN_EPS, momentum=BN_MOMENTUM))
        if arch.dropout:
            layers.append(nn.Dropout(arch.dropout))
        fan_in = arch.width
    layers.append(nn.Linear(fan_in, n_classes, bias=False))
    model = nn.Sequential(*layers)
    he = activation(arch.activation).init == "he"
    with torch.no_grad():
        for module in model:
            if isinstance(module, nn.Linear):
                if he:
                    nn.init.kaiming_normal_(module.weight, nonlinearity="relu", generator=generator)
                else:
                    nn.init.xavier_normal_(module.weight, generator=generator)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm1d) and arch.bn_init == "uniform":
                nn.init.uniform_(module.weight, 0.0, 1.0, generator=generator)  # torch < 1.2's default
    return model


def _first_layer_bias(arch: Architecture) -> bool:
    """Only a net without batch norm has a bias (its first hidden layer's)."""
    return not arch.batch_norm


def _layer_keys(arch: Architecture) -> list[dict[str, str]]:
    """state_dict key prefixes of each layer of ``reference_mlp``'s Sequential."""
    keys, index = [], 0
    per_layer = 2 + int(arch.batch_norm) + int(arch.dropout > 0)
    bn_offset = 2 if arch.bn_after else 1  # Linear, activation, BN / Linear, BN, activation
    for _ in range(arch.depth):
        keys.append({"linear": str(index), "bn": str(index + bn_offset) if arch.batch_norm else ""})
        index += per_layer
    keys.append({"linear": str(index), "bn": ""})
    return keys


class BatchedMLP(nn.Module):
    """K networks of one architecture, parameters stacked on axis 0."""

    def __init__(self, arch: Architecture, n_in: int, n_classes: int, n_models: int):
        super().__init__()
        self.arch, self.n_in, self.n_models = arch, n_in, n_models
        self.activation = activation(arch.activation).make_module()
        # One generator per model for its dropout masks (None: torch's global generator).
        self.dropout_generators: list[torch.Generator | None] = [None] * n_models
        sizes = [n_in] + [arch.width] * arch.depth + [n_classes]
        self.weights = nn.ParameterList(
            nn.Parameter(torch.empty(n_models, fan_in, fan_out)) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
        )
        self.bias = nn.Parameter(torch.zeros(n_models, arch.width)) if _first_layer_bias(arch) else None
        self.bn_weight = nn.ParameterList()
        self.bn_bias = nn.ParameterList()
        if arch.batch_norm:
            for layer in range(arch.depth):
                self.bn_weight.append(nn.Parameter(torch.ones(n_models, arch.width)))
                self.bn_bias.append(nn.Parameter(torch.zeros(n_models, arch.width)))
                self.register_buffer(f"running_mean{layer}", torch.zeros(n_models, arch.width))
                self.register_buffer(f"running_var{layer}", torch.ones(n_models, arch.width))
                self.register_buffer(f"num_batches_tracked{layer}", torch.zeros((), dtype=torch.long))

    # ----------------------------------------------------------------- conversion

    @classmethod
    def from_references(cls, arch: Architecture, n_in: int, models: list[nn.Sequential]) -> BatchedMLP:
        batched = cls(arch, n_in, models[0][-1].out_features, len(models))
        for k, model in enumerate(models):
            batched.load_model_state(k, model.state_dict())
        return batched

    @torch.no_grad()
    def load_model_state(self, k: int, state: dict[str, torch.Tensor]) -> None:
        """Copy one reference network's state_dict into slot k."""
        keys = _layer_keys(self.arch)
        for layer, key in enumerate(keys):
            self.weights[layer][k].copy_(state[f"{key['linear']}.weight"].T)
            if key["bn"]:
                self.bn_weight[layer][k].copy_(state[f"{key['bn']}.weight"])
                self.bn_bias[layer][k].copy_(state[f"{key['bn']}.bias"])
                getattr(self, f"running_mean{layer}")[k].copy_(state[f"{key['bn']}.running_mean"])
                getattr(self, f"running_var{layer}")[k].copy_(state[f"{key['bn']}.running_var"])
        if self.bias is not None:
            self.bias[k].copy_(state["0.bias"])

    @torch.no_grad()
    def model_state(self, k: int) -> dict[str, torch.Tensor]:
        """Slot k as a state_dict of ``reference_mlp`` (CPU tensors, cloned)."""
        state: dict[str, torch.Tensor] = {}
        for layer, key in enumerate(_layer_keys(self.arch)):
            state[f"{key['linear']}.weight"] = self.weights[layer][k].T
            if layer == 0 and self.bias is not None:
                state["0.bias"] = self.bias[k]
            if key["bn"]:
                state[f"{key['bn']}.weight"] = self.bn_weight[layer][k]
                state[f"{key['bn']}.bias"] = self.bn_bias[layer][k]
                state[f"{key['bn']}.running_mean"] = getattr(self, f"running_mean{layer}")[k]
                state[f"{key['bn']}.running_var"] = getattr(self, f"running_var{layer}")[k]
                state[f"{key['bn']}.num_batches_tracked"] = getattr(self, f"num_batches_tracked{layer}")
        return {
            name: t.detach().to("cpu", copy=True, memory_format=torch.contiguous_format) for name, t in state.items()
        }

    # ----------------------------------------------------------------- forward

    def _batch_norm(self, h: torch.Tensor, layer: int) -> torch.Tensor:
        # [K, B, C] -> [B, K*C]: each (model, node) is one BatchNorm channel, so
        # torch's own batch_norm computes per-model statistics and running averages.
        k, b, c = h.shape
        flat = h.transpose(0, 1).reshape(b, k * c)
        if self.training:
            getattr(self, f"num_batches_tracked{layer}").add_(1)
        out = F.batch_norm(
            flat,
            getattr(self, f"running_mean{layer}").view(-1),
            getattr(self, f"running_var{layer}").view(-1),
            self.bn_weight[layer].view(-1),
            self.bn_bias[layer].view(-1),
            training=self.training,
            momentum=BN_MOMENTUM,
            eps=BN_EPS,
        )
        return out.view(b, k, c).transpose(0, 1)

    def _dropout(self, h: torch.Tensor) -> torch.Tensor:
        """Each model's mask from its own generator, as nn.Dropout draws one: [K, B, C]."""
        keep = 1.0 - self.arch.dropout
        noise = torch.empty_like(h)
        for k, generator in enumerate(self.dropout_generators):
            noise[k].bernoulli_(keep, generator=generator)
        return h * noise.div_(keep)

    def forward(self, x: torch.Tensor, pre_activations: bool = False):
        """Logits [K, B, 10] for inputs [K, B, n_in] (one batch per model) or [B, n_in] (shared).

        With ``pre_activations`` also returns each hidden layer's z, the activation's
        input (after batch norm where batch norm comes before the activation): a list of
        [K, B, width] tensors.
        """
        act = self.activation
        dropout = self.training and self.arch.dropout > 0
        bn_before, bn_after = self.arch.batch_norm and not self.arch.bn_after, self.arch.bn_after
        h = x
        zs = []
        for layer in range(self.arch.depth):
            h = torch.matmul(h, self.weights[layer])
            if layer == 0 and self.bias is not None:
                h = h + self.bias.unsqueeze(1)
            if bn_before:
                h = self._batch_norm(h, layer)
            if pre_activations:
                zs.append(h)
            h = act(h)
            if bn_after:
                h = self._batch_norm(h, layer)
            if dropout:
                h = self._dropout(h)
        logits = torch.matmul(h, self.weights[-1])
        return (logits, zs) if pre_activations else logits


def dropout_seed(seed: int) -> int:
    """The seed of one run's dropout masks: derived from the run's seed, apart from the
    generator that draws its initial weights and shuffles."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])


def dropout_generator(seed: int, device: torch.device) -> torch.Generator:
    """The generator of one run's dropout masks, on the device."""
    return torch.Generator(device).manual_seed(dropout_seed(seed))
