"""Where the workflow keeps each result of a network, below ``results`` (the rules' file
names; readers that plan from outside Snakemake, like the scorecard's plan, use them too)."""

from __future__ import annotations

from actstudy.core.config import Architecture


def train_dir(arch: Architecture, results: str = "results") -> str:
    return f"{results}/train/{arch.dataset}/{arch.name}"


def z_dir(arch: Architecture, results: str = "results") -> str:
    return f"{results}/z/{arch.dataset}/{arch.name}"


def z_path(arch: Architecture, seed: int, state: str, split: str, results: str = "results") -> str:
    return f"{z_dir(arch, results)}/seed{seed}/{state}_{split}.parquet"


def metrics_path(arch: Architecture, seed: int, state: str, table: str, results: str = "results") -> str:
    """A node-metrics table, or ``classifiers`` (the layer classifiers' accuracies)."""
    ext = "parquet" if table == "class_nodes" else "csv"
    return f"{results}/metrics/{arch.dataset}/{arch.name}/seed{seed}/{state}_{table}.{ext}"


def artefact_path(artefact: str, arch: Architecture, seed: int, state: str) -> str:
    """A figure's input: the training split's activations, or a metrics table."""
    if artefact == "z_train":
        return z_path(arch, seed, state, "train")
    return metrics_path(arch, seed, state, artefact)
