"""The study's configuration: validation, and what it asks to train and draw.

Everything here is plain Python (no torch import), because the Snakefile calls it
while it plans the DAG: planning the study's full grid must take seconds.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actstudy.activations import NAMES as ACTIVATIONS
from actstudy.activations import get as activation

_NUMBER = r"[0-9][0-9.e+-]*"
ARCH_PATTERN = rf"d(\d+)_w(\d+)_bn(0|1|1after)_({'|'.join(ACTIVATIONS)})(?:_do({_NUMBER}))?(?:_wd({_NUMBER}))?"
BN_POSITIONS = ("before", "after")


# The ``analysis`` section's defaults: the definitions of docs/metrics.md.
ANALYSIS_DEFAULTS = {
    "state": "best",
    "node_on": "z>0",
    "dead_in_sparsity": False,
    "samples": "train",
    "batch_norm": "eval",
}


def analysis_settings(config: dict) -> dict:
    """The config's ``analysis`` section with every missing key at its default."""
    return {**ANALYSIS_DEFAULTS, **config.get("analysis", {})}


def describe_readings(settings: dict) -> str:
    """One line naming every reading in force, e.g. for the scorecard's header."""
    return (f"state {settings['state']}; on when {settings['node_on']}; dead nodes "
            f"{'counted' if settings['dead_in_sparsity'] else 'excluded'} in sparsity; samples "
            f"{settings['samples']}; batch norm at extraction {settings['batch_norm']}")  # fmt: skip


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

    def __post_init__(self):
        if self.bn_position not in BN_POSITIONS:
            raise ValueError(f"bn_position must be one of {BN_POSITIONS}, not {self.bn_position!r}")
        activation(self.activation)  # an unknown name is refused here
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), not {self.dropout!r}")
        if not self.weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, not {self.weight_decay!r}")
        object.__setattr__(self, "dropout", float(self.dropout))
        object.__setattr__(self, "weight_decay", float(self.weight_decay))
        if not self.batch_norm and self.bn_position != "before":
            object.__setattr__(self, "bn_position", "before")  # no batch norm: nothing to place

    @property
    def bn_after(self) -> bool:
        return self.batch_norm and self.bn_position == "after"

    @property
    def name(self) -> str:
        """Folder name of the architecture, e.g. ``d4_w200_bn0_relu`` (``bn1after``: batch
        norm after the activation; ``_do0.2``, ``_wd0.0001``: dropout, weight decay)."""
        bn = "1after" if self.bn_after else str(int(self.batch_norm))
        name = f"d{self.depth}_w{self.width}_bn{bn}_{self.activation}"
        if self.dropout:
            name += f"_do{self.dropout:g}"
        if self.weight_decay:
            name += f"_wd{self.weight_decay:g}"
        return name

    @property
    def label(self) -> str:
        """Human-readable label, e.g. ``4x200 ReLU, BN``."""
        bn = ", BN after" if self.bn_after else (", BN" if self.batch_norm else "")
        reg = (f", dropout {self.dropout:g}" if self.dropout else "") + (
            f", wd {self.weight_decay:g}" if self.weight_decay else "")  # fmt: skip
        return f"{self.depth}x{self.width} {activation(self.activation).label}{bn}{reg}"

    @classmethod
    def parse(cls, dataset: str, name: str) -> Architecture:
        match = re.fullmatch(ARCH_PATTERN, name)
        if match is None:
            raise ValueError(f"not an architecture name: {name!r} (expected like d4_w200_bn0_relu)")
        depth, width, bn, act, dropout, decay = match.groups()
        arch = cls(dataset, int(depth), int(width), bn != "0", act, "after" if bn == "1after" else "before",
                   float(dropout or 0), float(decay or 0))  # fmt: skip
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
        return [(lr, seed) for lr in self.learning_rates for seed in self.seeds]


def run_id(lr: float, seed: int) -> str:
    """Stable name of one run, e.g. ``lr0.001_s0``."""
    return f"lr{lr:g}_s{seed}"


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list) else [value]


def expand_selection(selection: dict) -> list[Architecture]:
    """All architectures of a selection (the product of its listed values; a net without
    batch norm appears once whatever ``batch_norm_position`` lists)."""
    combos = itertools.product(
        _as_list(selection["dataset"]),
        _as_list(selection["depth"]),
        _as_list(selection["width"]),
        _as_list(selection["batch_norm"]),
        _as_list(selection["activation"]),
        _as_list(selection.get("batch_norm_position", "before")),
        _as_list(selection.get("dropout", 0.0)),
        _as_list(selection.get("weight_decay", 0.0)),
    )
    archs = [Architecture(d, dep, w, bool(bn), act, pos, float(do), float(wd))
             for d, dep, w, bn, act, pos, do, wd in combos]  # fmt: skip
    return list(dict.fromkeys(archs))


def run_grids(config: dict) -> dict[Architecture, RunGrid]:
    """Every trained architecture with its run grid; later blocks win where they overlap."""
    training = config["training"]
    grids: dict[Architecture, RunGrid] = {}
    for block in config["architectures"]:
        grid = RunGrid(
            tuple(float(lr) for lr in block.get("learning_rates", training["learning_rates"])),
            tuple(int(s) for s in block.get("seeds", training["seeds"])),
        )
        for arch in expand_selection(block):
            grids[arch] = grid
    return grids


def figure_architectures(config: dict, figure: str) -> list[Architecture]:
    """The architectures one figure draws, in the order the config lists them."""
    return expand_selection(config["figures"][figure])


def load_schema(path: str | Path) -> dict:
    """The config schema, with the figures' and tables' keys filled in from the catalog:
    every catalog target is required, each with the selection its kind takes."""
    from actstudy.figures.catalog import TARGETS, selection_schema

    with open(path) as handle:
        schema = yaml.safe_load(handle)
    for section, rules in (("figures", ("training", "node", "classifier", "comparison")), ("tables", ("table",))):
        targets = [t for t in TARGETS.values() if t.rule in rules]
        schema["properties"][section]["required"] = [t.name for t in targets]
        schema["properties"][section]["properties"] = {
            t.name: {"$ref": f"#/$defs/{selection_schema(t)}"} for t in targets
        }
    return schema


def _key_path(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _allowed_keys(schema: dict, root: dict) -> list[str]:
    """Property names a (sub)schema allows, following its local $ref."""
    keys = set(schema.get("properties", {}))
    ref = schema.get("$ref", "")
    if ref.startswith("#/"):
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        keys |= set(_allowed_keys(target, root))
    return sorted(keys)


def _describe(error, root: dict) -> str:
    """One readable line for a jsonschema ValidationError, naming the key and what is allowed."""
    import jsonschema

    # For oneOf/anyOf, the most specific sub-error says more than "is not valid under any".
    best = jsonschema.exceptions.best_match([error])
    if best.validator in ("oneOf", "anyOf"):
        # "a value or a list of values": report the sub-error that is not about the type.
        specific = [e for e in best.context if e.validator != "type"]
        scalar = [e for e in best.context if e.validator == "type" and e.validator_value != "array"]
        best = jsonschema.exceptions.best_match(specific or scalar) if (specific or scalar) else best
    where = _key_path(best)
    if best.validator in ("additionalProperties", "unevaluatedProperties"):
        return f"{where}: {best.message}; allowed keys: {', '.join(_allowed_keys(best.schema, root))}"
    if best.validator == "enum":
        return f"{where}: {best.instance!r} is not allowed; choose one of {best.validator_value}"
    if best.validator == "type" and isinstance(best.instance, float) and not math.isfinite(best.instance):
        return f"{where}: {best.instance} is not a finite number"
    if best.validator == "type" and best.validator_value in ("integer", "number") and isinstance(best.instance, str):
        return (f"{where}: {best.instance!r} is a string, not {'an' if best.validator_value == 'integer' else 'a'} {best.validator_value}; values given with "
                "--config arrive as strings when nested: put them in a file given with --configfile")  # fmt: skip
    if best.validator == "type" and best.validator_value == "integer" and isinstance(best.instance, float):
        return (
            f"{where}: {best.instance!r} is not a whole number (write {int(best.instance)})"
            if best.instance.is_integer()
            else f"{where}: {best.instance!r} is not a whole number"
        )
    return f"{where}: {best.message}"


def _strict_validator(jsonschema):
    """Draft 2020-12 with two stricter types: an ``integer`` is an int (JSON Schema takes
    4.0 too, which would name a network ``d4.0_...``), a ``number`` is finite (NaN and inf
    pass every bound, since every comparison with NaN is false)."""
    base = jsonschema.Draft202012Validator

    def is_integer(_checker, value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def is_number(_checker, value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

    checker = base.TYPE_CHECKER.redefine_many({"integer": is_integer, "number": is_number})
    return jsonschema.validators.extend(base, type_checker=checker)


def validate(config: dict, schema: dict) -> None:
    """Check the config against the schema and the rules a schema cannot express.

    Raises ConfigError listing every problem, each naming its key.
    """
    import jsonschema  # here, not at the top: training jobs import this module too

    validator = _strict_validator(jsonschema)(schema)
    problems = [_describe(e, schema) for e in sorted(validator.iter_errors(config), key=str)]
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    problems = list(_semantic_problems(config))
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


TRAIN_MEMORY_GB = 64  # default of limits.train_memory_gb


def _memory_problems(config: dict) -> Iterable[str]:
    from actstudy.resources import train_mem_mb  # resources imports this module

    limit = config.get("limits", {}).get("train_memory_gb", TRAIN_MEMORY_GB)
    for arch, grid in run_grids(config).items():
        need = train_mem_mb(arch, grid) / 1000
        if need > limit:
            yield (f"architectures: {arch.dataset} {arch.name} with {len(grid.runs)} runs needs about {need:.0f} GB "
                   f"in one training job, over limits.train_memory_gb = {limit:g}; train fewer runs or raise the limit")  # fmt: skip
            return


def _semantic_problems(config: dict) -> Iterable[str]:
    yield from _memory_problems(config)
    epochs = config["training"]["epochs"]
    if config["training"]["batch_size"] == 1 and any(a.batch_norm for a in run_grids(config)):
        yield ("training.batch_size: 1 with batch norm: a batch of one sample has no variance; "
               "use 2 or more, or no batch_norm")  # fmt: skip
    for epoch in config["training"]["snapshot_epochs"]:
        if epoch > epochs:
            yield (
                f"training.snapshot_epochs: epoch {epoch} is beyond the last epoch "
                f"(training.epochs = {epochs}); allowed: 1..{epochs}"
            )
    trained = run_grids(config)
    snapshots = {f"epoch{e}" for e in config["training"]["snapshot_epochs"]}
    state = analysis_settings(config)["state"]
    if state not in {"best"} | snapshots:
        yield (f"analysis.state: {state!r} is not kept; allowed: best, "
               f"{', '.join(sorted(snapshots, key=lambda s: int(s[5:])))}")  # fmt: skip
    targets = [("figures", name, spec) for name, spec in config["figures"].items()]
    targets += [("tables", name, spec) for name, spec in config["tables"].items()]
    for section, name, selection in targets:
        for arch in expand_selection(selection):
            if arch not in trained:
                yield (
                    f"{section}.{name}: {arch.dataset} {arch.name} is not a trained "
                    f"architecture; add it to 'architectures' or change the {section[:-1]}"
                )
        kept = ", ".join(["init", "best", *sorted(snapshots, key=lambda s: int(s[5:]))])
        for key, states in (("state", [selection.get("state", "best")]), ("states", selection.get("states", []))):
            for state in states:
                if state not in {"init", "best"} | snapshots:
                    yield f"{section}.{name}.{key}: {state!r} is not kept; allowed: {kept}"
        if "state" in selection and "states" in selection:
            yield f"{section}.{name}: give either state or states, not both"
        layer = selection.get("layer")
        if layer is not None:
            for arch in expand_selection(selection):
                if layer > arch.depth:
                    yield (f"{section}.{name}.layer: layer {layer} does not exist in {arch.name} "
                           f"(hidden layers 1..{arch.depth})")  # fmt: skip
