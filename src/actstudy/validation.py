"""Checking a config before any job: the JSON schema (its figure and table keys filled in
from the catalog), stricter number types, messages that name the key and what is allowed,
and the rules a schema cannot express (trained networks, kept states, memory)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import jsonschema
import yaml

from actstudy.core.config import (
    Architecture,
    ConfigError,
    analysed_learning_rate,
    analysis_settings,
    expand_networks,
    run_grids,
)
from actstudy.training.resources import train_mem_mb


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping key given twice (YAML keeps the last one
    silently: a second ``training:`` block would replace the first without a word)."""

    def construct_mapping(self, node, deep=False):
        lines: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in lines:
                raise _DuplicateKey(
                    f"key {key!r} is given twice (lines {lines[key]} and {line}); YAML would keep the last one silently"
                )
            lines[key] = line
        return super().construct_mapping(node, deep)


class _DuplicateKey(yaml.YAMLError):
    pass


def check_config_file(path: str | Path) -> None:
    """Refuse a config file that is empty, not UTF-8, not valid YAML (naming the line and
    column: Snakemake says only "not valid JSON or YAML") or that gives a key twice. A
    missing file is left for Snakemake to report."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError:
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start} is {raw[error.start]:#04x})") from None
    if not text.strip():
        raise ConfigError(f"{path}: the config file is empty")
    try:
        yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader that also refuses duplicate keys
    except _DuplicateKey as error:
        raise ConfigError(f"{path}: {error}") from None
    except (yaml.scanner.ScannerError, yaml.parser.ParserError) as error:
        mark, context = error.problem_mark, error.context_mark
        where = f" ({error.context} opened at line {context.line + 1}, column {context.column + 1})" if context else ""
        raise ConfigError(
            f"{path}: YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {error.problem}{where}"
        ) from None
    except yaml.YAMLError:
        return  # e.g. a tag the safe loader does not know: Snakemake's own loader decides


def load_schema(path: str | Path) -> dict:
    """The config schema, with the datasets filled in from the registry and the figures'
    and tables' keys from the catalog: every catalog target is required, each with the
    config entry its kind takes."""
    from actstudy.data.datasets import DATASETS
    from actstudy.figures.catalog import FIGURE_KINDS, TARGETS

    with open(path) as handle:
        schema = yaml.safe_load(handle)
    schema["$defs"]["dataset"]["enum"] = list(DATASETS)
    for section, rules in (("figures", ("training", "node", "classifier", "comparison")), ("tables", ("table",))):
        targets = [t for t in TARGETS.values() if t.family in rules]
        schema["properties"][section]["required"] = [t.name for t in targets]
        schema["properties"][section]["properties"] = {
            t.name: {"$ref": f"#/$defs/{FIGURE_KINDS[t.kind].schema}"} for t in targets
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
        return (
            f"{where}: {best.instance!r} is a string, not {'an' if best.validator_value == 'integer' else 'a'} {best.validator_value}; values given with "
            "--config arrive as strings when nested: put them in a file given with --configfile"
        )
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
    validator = _strict_validator(jsonschema)(schema)
    problems = [_describe(e, schema) for e in sorted(validator.iter_errors(config), key=str)]
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    problems = list(_semantic_problems(config))
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


TRAIN_MEMORY_GB = 64  # default of limits.train_memory_gb


def _memory_problems(config: dict, trained: dict) -> Iterable[str]:
    limit = config.get("limits", {}).get("train_memory_gb", TRAIN_MEMORY_GB)
    for arch, grid in trained.items():
        need = train_mem_mb(arch, grid) / 1000
        if need > limit:
            yield (
                f"architectures: {arch.dataset} {arch.name} with {len(grid.runs)} runs needs about {need:.0f} GB "
                f"in one training job, over limits.train_memory_gb = {limit:g}; train fewer runs or raise the limit"
            )
            return


def _also_analysed_problems(config: dict, trained: dict, kept: set[str]) -> Iterable[str]:
    """Each ``also_analyse`` file must be of a trained net's seed and a kept state."""
    from actstudy.analysis.plan import ANALYSIS_FILE

    for i, path in enumerate(config.get("also_analyse", [])):
        match = ANALYSIS_FILE.fullmatch(path)
        try:
            arch = Architecture.parse(match["dataset"], match["arch"]) if match else None
        except ValueError:
            arch = None
        if arch not in trained:
            yield f"also_analyse.{i}: {path} is not of a trained architecture; add it to 'architectures'"
        elif int(match["seed"]) not in trained[arch].seeds:
            seeds = ", ".join(map(str, trained[arch].seeds))
            yield f"also_analyse.{i}: seed {match['seed']} of {arch.name} is not trained; allowed: {seeds}"
        elif match["state"] not in kept:
            yield f"also_analyse.{i}: state {match['state']!r} is not kept; allowed: {', '.join(sorted(kept))}"


def _semantic_problems(config: dict) -> Iterable[str]:
    trained = run_grids(config)
    yield from _memory_problems(config, trained)
    epochs = config["training"]["epochs"]
    if config["training"]["batch_size"] == 1 and any(a.batch_norm for a in trained):
        yield (
            "training.batch_size: 1 with batch norm: a batch of one sample has no variance; "
            "use 2 or more, or no batch_norm"
        )
    for epoch in config["training"]["snapshot_epochs"]:
        if epoch > epochs:
            yield (
                f"training.snapshot_epochs: epoch {epoch} is beyond the last epoch "
                f"(training.epochs = {epochs}); allowed: 1..{epochs}"
            )
    snapshots = {f"epoch{e}" for e in config["training"]["snapshot_epochs"]}
    yield from _also_analysed_problems(config, trained, {"init", "best"} | snapshots)
    state = analysis_settings(config)["state"]
    if state not in {"best"} | snapshots:
        yield (
            f"analysis.state: {state!r} is not kept; allowed: best, "
            f"{', '.join(sorted(snapshots, key=lambda s: int(s[5:])))}"
        )
    learning_rate = analysed_learning_rate(analysis_settings(config))
    if learning_rate is not None:
        for arch, grid in trained.items():
            if learning_rate not in grid.learning_rates:
                grid_rates = ", ".join(f"{r:g}" for r in grid.learning_rates)
                yield (
                    f"analysis.learning_rate: {learning_rate:g} is not a learning rate of {arch.dataset} {arch.name} "
                    f"({grid_rates}); allowed: selected, or a rate every trained network has"
                )
                break
    targets = [("figures", name, spec) for name, spec in config["figures"].items()]
    targets += [("tables", name, spec) for name, spec in config["tables"].items()]
    for section, name, entry in targets:
        for arch in expand_networks(entry):
            if arch not in trained:
                yield (
                    f"{section}.{name}: {arch.dataset} {arch.name} is not a trained "
                    f"architecture; add it to 'architectures' or change the {section[:-1]}"
                )
        kept = ", ".join(["init", "best", *sorted(snapshots, key=lambda s: int(s[5:]))])
        for key, states in (("state", [entry.get("state", "best")]), ("states", entry.get("states", []))):
            for state in states:
                if state not in {"init", "best"} | snapshots:
                    yield f"{section}.{name}.{key}: {state!r} is not kept; allowed: {kept}"
        if "state" in entry and "states" in entry:
            yield f"{section}.{name}: give either state or states, not both"
        layer = entry.get("layer")
        if layer is not None:
            for arch in expand_networks(entry):
                if layer > arch.depth:
                    yield (
                        f"{section}.{name}.layer: layer {layer} does not exist in {arch.name} "
                        f"(hidden layers 1..{arch.depth})"
                    )
