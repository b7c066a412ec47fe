"""Every activation function the pipeline knows, once (docs/metrics.md, "Activations").

Each entry holds what the rest of the code asks of an activation: the torch module that
computes it in the network (at torch's default parameters: leaky ReLU slope 0.01, ELU
alpha 1, exact GELU, softplus beta 1 and threshold 20), the same function over NumPy
arrays for the analysis (equal to the module within float rounding, tested: an analysis
job need not import torch, 1.4 s of a digits job's 2 s), the weight initialisation,
what "on" means for its output (a node is on when z > 0 for every activation), whether
the Chapter 6 combined classifier applies (it needs a = 0 exactly for every z <= 0: ReLU
only), and the label and colour figures use. Adding an activation = one entry here + its tests.

No torch or SciPy import at module level: the workflow reads the names while it plans
the DAG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str  # config value and part of a network's name, e.g. "gelu"
    label: str  # figure label, e.g. "GELU"
    colour: str  # matplotlib colour
    module: str  # the torch.nn class that computes it, at its default parameters
    init: str  # "he": Kaiming normal (gain for ReLU); "xavier": Glorot normal (gain 1)
    threshold: float  # T(0): z > 0 is a > T(0) for every one of these, the meaning of "on"
    exact_zero: bool  # a == 0 exactly for every z <= 0 (the combined classifier applies)
    numpy: Callable[[np.ndarray], np.ndarray]  # a = T(z) over an array, dtype and layout kept
    # Section 4.2's saturation points of a = T(z) (where the gradient vanishes), and how near
    # a class median must lie to count as at one (in units of a); () where the study names none
    saturation: tuple[float, ...] = ()
    saturation_margin: float = 0.0

    def make_module(self):
        """A fresh torch module computing the activation."""
        from torch import nn

        return getattr(nn, self.module)()

    @property
    def on_means(self) -> str:
        """What a node's being on (z > 0) means for its output, e.g. ``a > 0.5``."""
        return f"a > {self.threshold:.4g}"


def _expit(z):
    from scipy.special import expit

    return expit(z)


def _gelu(z):
    from scipy.special import erf

    return 0.5 * z * (1 + erf(z * np.sqrt(0.5, dtype=z.dtype)))


def _where_positive(z, below):
    """z where z > 0, else ``below(z)`` computed on min(z, 0) (no overflow warnings)."""
    return np.where(z > 0, z, below(np.minimum(z, 0)))


def _softplus(z):
    # torch's Softplus returns z itself above its threshold (20)
    return np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20))))


REGISTRY: dict[str, Activation] = {a.name: a for a in [
    Activation("relu", "ReLU", "tab:blue", "ReLU", "he", 0.0, True, lambda z: np.maximum(z, 0), (0.0,), 0.0),
    Activation("sigmoid", "sigmoid", "tab:red", "Sigmoid", "xavier", 0.5, False, _expit, (0.0, 1.0), 0.05),
    Activation("tanh", "tanh", "tab:orange", "Tanh", "xavier", 0.0, False, np.tanh, (-1.0, 1.0), 0.1),
    Activation("leaky_relu", "leaky ReLU", "tab:cyan", "LeakyReLU", "he", 0.0, False,
               lambda z: _where_positive(z, lambda neg: 0.01 * neg)),
    Activation("elu", "ELU", "tab:purple", "ELU", "he", 0.0, False, lambda z: _where_positive(z, np.expm1)),
    Activation("gelu", "GELU", "tab:green", "GELU", "he", 0.0, False, _gelu),
    Activation("silu", "SiLU", "tab:olive", "SiLU", "he", 0.0, False, lambda z: z * _expit(z)),
    Activation("softplus", "softplus", "tab:brown", "Softplus", "he", 0.6931471805599453, False, _softplus),
]}  # fmt: skip

NAMES = tuple(REGISTRY)


def module_types() -> tuple[type, ...]:
    """The torch module classes of every activation (to find them in a network)."""
    from torch import nn

    return tuple(getattr(nn, entry.module) for entry in REGISTRY.values())


def get(name: str) -> Activation:
    """The registry entry of ``name``; an unknown name is an error that lists the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(NAMES)}") from None
