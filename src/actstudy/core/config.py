"""The study's configuration: validation, and what it asks to train and draw.

Everything here is plain Python (no torch import), because the Snakefile calls it
while it plans the DAG: planning the study's full grid must take seconds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from actstudy.core.activations import NAMES as ACTIVATIONS
from actstudy.core.activations import get as activation

_NUMBER = r"[0-9][0-9.e+-]*"
ARCH_PATTERN = (
    rf"d(\d+)_w(\d+)_bn(0|1|1after)_({'|'.join(ACTIVATIONS)})(_gu)?(?:_do({_NUMBER}))?"
    rf"(?:_wd({_NUMBER}))?"
)
BN_POSITIONS = ("before", "after")
BN_INITS = ("ones", "uniform")  # batch norm's scale: 1 (torch since 1.2), or U[0, 1] (torch before 1.2)


# The ``analysis`` section's defaults: the definitions of docs/metrics.md.
ANALYSIS_DEFAULTS = {
    "state": "best",
    "node_on": "z>0",
    "dead_in_sparsity": False,
    "samples": "train",
    "batch_norm": "eval",
    "learning_rate": "selected",
    "sigmoid_on": "z>0",
    "z": "activation",
    "batch_norm_init": "ones",
}


def analysis_settings(config: dict) -> dict:
    """The config's ``analysis`` section with every missing key at its default."""
    return {**ANALYSIS_DEFAULTS, **config.get("analysis", {})}


def on_threshold(settings: dict, activation_name: str) -> float:
    """The z above which a node counts as on: 0, or 0.5 for sigmoid nodes under the
    ``sigmoid_on: z>0.5`` reading (Section 6.2.2's wording; Section 5.2 has a > 0.5, z > 0)."""
    return 0.5 if activation_name == "sigmoid" and settings["sigmoid_on"] == "z>0.5" else 0.0


def analysed_learning_rate(settings: dict) -> float | None:
    """The learning rate whose runs the analysis reads: None for each network's selected
    one (the default), else that rate for every network (the ``learning_rate`` reading)."""
    learning_rate = settings["learning_rate"]
    return None if learning_rate == "selected" else float(learning_rate)


def describe_readings(settings: dict) -> str:
    """One line naming every reading in force, e.g. for the scorecard's header."""
    dead = "counted" if settings["dead_in_sparsity"] else "excluded"
    z = "the activation's input" if settings["z"] == "activation" else "the linear output (before batch norm)"
    gamma = (
        "; the study's batch-norm nets read as those with γ ~ U(0, 1)" if settings["batch_norm_init"] != "ones" else ""
    )
    return (
        f"state {settings['state']}; on when {settings['node_on']}; dead nodes {dead} in sparsity; samples "
        f"{settings['samples']}; batch norm at extraction {settings['batch_norm']}; learning rate "
        f"{settings['learning_rate']}; sigmoid on when {settings['sigmoid_on']}; z at {z}{gamma}"
    )


def extraction_settings(settings: dict, arch: Architecture) -> dict:
    """How extraction reads one net under the analysis readings: ``batch_norm`` (eval or
    batch statistics), ``z_at`` (the activation's input, or each hidden Linear's output:
    the ``z: linear`` reading) and ``learning_rate`` (None: the selected runs). A net
    without batch norm keeps the defaults of the batch-norm readings (its z is the same
    either way), so changing them does not extract it again."""
    bn = arch.batch_norm
    return {
        "batch_norm": settings["batch_norm"] if bn else "eval",
        "z_at": settings["z"] if bn else "activation",
        "learning_rate": analysed_learning_rate(settings),
    }


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key."""


@dataclass(frozen=True, order=True)
class Architecture:
    """One network shape trained on one dataset: what a training job trains."""

    dataset: str
    depth: int
    width: int
    batch_norm: bool
    activation: str
    # Batch norm before the activation (Linear -> BN -> activation, the definition in
    # docs/protocol.md) or after it (Linear -> activation -> BN: a reading of the study).
    bn_position: str = "before"
    # Regularisation (docs/protocol.md): dropout probability after each hidden
    # activation, and Adam's L2 weight-decay term. At 0 they leave the name unchanged.
    dropout: float = 0.0
    weight_decay: float = 0.0
    # Batch norm's scale at initialisation: 1 (today's torch) or uniform on [0, 1], as
    # torch drew it before version 1.2 (2019, the study's year; a reading; name ``_gu``).
    bn_init: str = "ones"

    def __post_init__(self):
        if self.bn_position not in BN_POSITIONS:
            raise ValueError(f"bn_position must be one of {BN_POSITIONS}, not {self.bn_position!r}")
        if self.bn_init not in BN_INITS:
            raise ValueError(f"bn_init must be one of {BN_INITS}, not {self.bn_init!r}")
        activation(self.activation)  # an unknown name is refused here
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), not {self.dropout!r}")
        if not self.weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, not {self.weight_decay!r}")
        object.__setattr__(self, "dropout", float(self.dropout))
        object.__setattr__(self, "weight_decay", float(self.weight_decay))
        if not self.batch_norm and self.bn_position != "before":
            object.__setattr__(self, "bn_position", "before")  # no batch norm: nothing to place
        if not self.batch_norm and self.bn_init != "ones":
            object.__setattr__(self, "bn_init", "ones")  # no batch norm: nothing to initialise

    @property
    def bn_after(self) -> bool:
        return self.batch_norm and self.bn_position == "after"

    @property
    def name(self) -> str:
        """Folder name of the architecture, e.g. ``d4_w200_bn0_relu`` (``bn1after``: batch
        norm after the activation; ``_do0.2``, ``_wd0.0001``: dropout, weight decay)."""
        bn = "1after" if self.bn_after else str(int(self.batch_norm))
        name = f"d{self.depth}_w{self.width}_bn{bn}_{self.activation}"
        if self.bn_init == "uniform":
            name += "_gu"
        if self.dropout:
            name += f"_do{self.dropout:g}"
        if self.weight_decay:
            name += f"_wd{self.weight_decay:g}"
        return name

    @property
    def label(self) -> str:
        """Human-readable label, e.g. ``4x200 ReLU, BN``."""
        bn = ", BN after" if self.bn_after else (", BN" if self.batch_norm else "")
        bn += " (γ ~ U[0, 1])" if self.bn_init == "uniform" else ""
        reg = (f", dropout {self.dropout:g}" if self.dropout else "") + (
            f", wd {self.weight_decay:g}" if self.weight_decay else ""
        )
        return f"{self.depth}x{self.width} {activation(self.activation).label}{bn}{reg}"

    @classmethod
    def parse(cls, dataset: str, name: str) -> Architecture:
        match = re.fullmatch(ARCH_PATTERN, name)
        if match is None:
            raise ValueError(f"not an architecture name: {name!r} (expected like d4_w200_bn0_relu)")
        depth, width, bn, act, uniform, dropout, decay = match.groups()
        arch = cls(
            dataset,
            int(depth),
            int(width),
            bn != "0",
            act,
            "after" if bn == "1after" else "before",
            float(dropout or 0),
            float(decay or 0),
            "uniform" if uniform else "ones",
        )
        if arch.name != name:  # one network, one name: e.g. "do0.20" or "do0" is not a name
            raise ValueError(f"not an architecture name: {name!r} (this network is named {arch.name!r})")
        return arch


@dataclass(frozen=True)
class RunGrid:
    """The (learning rate, seed) pairs one architecture is trained with."""

    learning_rates: tuple[float, ...]
    seeds: tuple[int, ...]

    @property
    def runs(self) -> list[tuple[float, int]]:
        return [(learning_rate, seed) for learning_rate in self.learning_rates for seed in self.seeds]


def run_id(learning_rate: float, seed: int) -> str:
    """Stable name of one run, e.g. ``lr0.001_s0``."""
    return f"lr{learning_rate:g}_s{seed}"


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list) else [value]


def expand_networks(networks: dict) -> list[Architecture]:
    """All architectures a networks spec names (an architectures block, a figure's or a
    table's networks: the product of its listed values; a net without batch norm appears
    once whatever ``batch_norm_position`` or ``batch_norm_init`` lists)."""
    combos = itertools.product(
        _as_list(networks["dataset"]),
        _as_list(networks["depth"]),
        _as_list(networks["width"]),
        _as_list(networks["batch_norm"]),
        _as_list(networks["activation"]),
        _as_list(networks.get("batch_norm_position", "before")),
        _as_list(networks.get("dropout", 0.0)),
        _as_list(networks.get("weight_decay", 0.0)),
        _as_list(networks.get("batch_norm_init", "ones")),
    )
    archs = [
        Architecture(d, dep, w, bool(bn), act, pos, float(do), float(wd), init)
        for d, dep, w, bn, act, pos, do, wd, init in combos
    ]
    return list(dict.fromkeys(archs))


def run_grids(config: dict) -> dict[Architecture, RunGrid]:
    """Every trained architecture with its run grid; later blocks win where they overlap."""
    training = config["training"]
    grids: dict[Architecture, RunGrid] = {}
    for block in config["architectures"]:
        grid = RunGrid(
            tuple(float(r) for r in block.get("learning_rates", training["learning_rates"])),
            tuple(int(s) for s in block.get("seeds", training["seeds"])),
        )
        for arch in expand_networks(block):
            grids[arch] = grid
    return grids


def training_job(training: dict, grid: RunGrid) -> dict:
    """Everything that defines one training job (the rule's params: a change reruns that
    job only). The keys and their order are part of every trained net's record: keep them."""
    return {
        "learning_rates": list(grid.learning_rates),
        "seeds": list(grid.seeds),
        "epochs": training["epochs"],
        "batch_size": training["batch_size"],
        "lr_decay": training["lr_decay"],
        "snapshot_epochs": training["snapshot_epochs"],
    }


def figure_architectures(config: dict, figure: str) -> list[Architecture]:
    """The architectures one figure draws, in the order the config lists them."""
    return expand_networks(config["figures"][figure])
