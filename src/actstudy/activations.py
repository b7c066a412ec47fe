"""Every activation function the pipeline knows, once (docs/metrics.md, "Activations").

Each entry holds what the rest of the code asks of an activation: the torch module that
computes it (at torch's default parameters: leaky ReLU slope 0.01, ELU alpha 1, exact
GELU, softplus beta 1), the weight initialisation, what "on" means for its output
(a node is on when z > 0 for every activation), whether the Chapter 6 combined
classifier applies (it needs a = 0 exactly for every z <= 0: ReLU only), and the label
and colour figures use. Adding an activation = one entry here + its tests.

No torch import at module level: the workflow reads the names while it plans the DAG.
"""

from __future__ import annotations

from dataclasses import dataclass

INITS = ("he", "xavier")


@dataclass(frozen=True)
class Activation:
    name: str  # config value and part of a network's name, e.g. "gelu"
    label: str  # figure label, e.g. "GELU"
    colour: str  # matplotlib colour
    module: str  # the torch.nn class that computes it, at its default parameters
    init: str  # "he": Kaiming normal (gain for ReLU); "xavier": Glorot normal (gain 1)
    threshold: float  # T(0): z > 0 is a > T(0) for every one of these, the meaning of "on"
    exact_zero: bool  # a == 0 exactly for every z <= 0 (the combined classifier applies)

    def make_module(self):
        """A fresh torch module computing the activation."""
        from torch import nn

        return getattr(nn, self.module)()

    @property
    def on_means(self) -> str:
        """What a node's being on (z > 0) means for its output, e.g. ``a > 0.5``."""
        return f"a > {self.threshold:.4g}"


REGISTRY: dict[str, Activation] = {a.name: a for a in [
    Activation("relu", "ReLU", "tab:blue", "ReLU", "he", 0.0, True),
    Activation("sigmoid", "sigmoid", "tab:red", "Sigmoid", "xavier", 0.5, False),
    Activation("tanh", "tanh", "tab:orange", "Tanh", "xavier", 0.0, False),
    Activation("leaky_relu", "leaky ReLU", "tab:cyan", "LeakyReLU", "he", 0.0, False),
    Activation("elu", "ELU", "tab:purple", "ELU", "he", 0.0, False),
    Activation("gelu", "GELU", "tab:green", "GELU", "he", 0.0, False),
    Activation("silu", "SiLU", "tab:olive", "SiLU", "he", 0.0, False),
    Activation("softplus", "softplus", "tab:brown", "Softplus", "he", 0.6931471805599453, False),
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
