"""Nodes and layers as classifiers (docs/metrics.md; the study's Chapter 6).

Every hidden node gives, for each class c, an estimate P(z | c) of the sample's value
at that node, fitted on the training split:

- discrete: P(on | c), the fraction of class-c training samples for which the node is
  on (z > 0, which is a > 0.5 for sigmoid); an off observation gets 1 - P(on | c);
- continuous: a Gaussian kernel density estimate (bandwidth ``BANDWIDTH``, absolute) of
  the class-c training z at that node, evaluated at the sample's z;
- combined (ReLU only: it needs a = 0 exactly for every z <= 0, the registry's
  ``exact_zero``): the discrete estimate when z <= 0, the continuous one when z > 0.

A layer classifies by naive Bayes: the sum over its nodes of log P(z | c), plus log
P(c) (the training split's class frequencies); the predicted class is the arg-max.

Floor. A node can give an estimate of exactly 0: P(on | c) = 0 and the node is on, or a
test z farther than a few bandwidths from every class-c training value. One such node
would make log P = -inf for that class and decide the whole layer alone (and -inf - -inf
is NaN). Every estimate is therefore floored at ``FLOOR`` = 1e-6 before the log. The
value sits below every estimate that rests on data: the smallest non-zero discrete
estimate is 1 / (training samples of a class) (1.8e-4 for MNIST's 5 500, 7.8e-3 for
digits), and the KDE's density at one isolated training value is 1 / (N_c h sqrt(2 pi))
(3.6e-4 for N_c = 5 500). So the floor only replaces estimates of "never seen", and a
node that has never seen a class costs that class a fixed log(1e-6) = -13.8 instead of
the whole decision.

The continuous estimate is ``actstudy.metrics.kde.BinnedKDE``. A layer's scores add up
its nodes' log densities in blocks of a few nodes whose [nodes, n, classes] values fit
in cache: summed over a block in float32 and across blocks in float64.

Node blocks. Every node's estimate depends on that node alone, so a layer's scores are
the sum of its node blocks' scores. ``classifier_accuracies`` reads each layer of both
splits from Parquet ``NODE_BLOCK`` nodes at a time, fits the block's estimates and adds
its scores: memory holds one block's z and KDE tables, never a layer's (an 8x800 MNIST
layer's z is 176 MB, its tables 131 MB). Each block's KDE grid is sized for its own
nodes' range (``BinnedKDE.fit``), at most ``BANDWIDTH / 32`` apart as for a whole layer.

All functions take NumPy arrays: the classifier job runs no network and does not import
torch.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from actstudy.core.activations import get as get_activation
from actstudy.extraction.zparquet import ActivationFile
from actstudy.metrics.kde import DTYPE, FLOOR, GRID_DTYPE, BinnedKDE, class_counts

if TYPE_CHECKING:
    import pandas as pd

SYSTEMS = ("discrete", "continuous", "combined")


def systems_for(activation: str) -> tuple[str, ...]:
    """The systems built for an activation: the combined one only where a = 0 exactly
    below the threshold (ReLU), as the study builds it."""
    return SYSTEMS if get_activation(activation).exact_zero else SYSTEMS[:2]


def log_priors(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """log P(c) from the training labels' frequencies: [n_classes]."""
    counts = class_counts(labels, n_classes).astype(DTYPE)
    return np.log(counts / counts.sum())


def on_probabilities(z: np.ndarray, labels: np.ndarray, n_classes: int, threshold: float = 0.0) -> np.ndarray:
    """P(on | c) per node (on: z > ``threshold``): [n_nodes, n_classes]."""
    counts = class_counts(labels, n_classes).astype(DTYPE)
    one_hot = np.eye(n_classes, dtype=np.float32)[labels]  # [n, classes]
    # on samples per (node, class): integers, exact in float32 below 2**24 samples
    return ((np.asarray(z) > threshold).T.astype(np.float32) @ one_hot).astype(DTYPE) / counts


def floored_log(p: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(p, FLOOR))


@dataclass
class LayerClassifier:
    """The three systems of one hidden layer, fitted on the training split."""

    log_prior: np.ndarray  # [classes]
    log_on: np.ndarray  # [nodes, classes], floored
    log_off: np.ndarray  # [nodes, classes], floored
    kde: BinnedKDE
    systems: tuple[str, ...]
    threshold: float = 0.0  # on: z above this (0; 0.5 for sigmoid under Section 6.2.2's wording)

    @classmethod
    def fit(
        cls, z: np.ndarray, labels: np.ndarray, activation: str, n_classes: int = 10, threshold: float = 0.0
    ) -> LayerClassifier:
        p_on = on_probabilities(z, labels, n_classes, threshold)
        return cls(
            log_prior=log_priors(labels, n_classes),
            log_on=floored_log(p_on),
            log_off=floored_log(1 - p_on),
            kde=BinnedKDE.fit(z, labels, n_classes),
            systems=systems_for(activation),
            threshold=threshold,
        )

    def evidence(
        self, z: np.ndarray, chunk_samples: int = 1024, block_values: int = 1 << 19, threads: int = 1
    ) -> dict[str, np.ndarray]:
        """Sum over this classifier's nodes of log P(z | c), per system, without the prior:
        {system: [n, classes]} (float64). Sums over disjoint sets of a layer's nodes add up
        to the layer's. ``chunk_samples`` samples at a time, on ``threads`` threads (NumPy
        releases the GIL; each chunk is computed alike whatever the threads, so the result
        does not depend on them); the KDE sums run over blocks of nodes whose [nodes,
        samples, classes] densities stay under ``block_values`` values (cache-sized),
        added up in float64."""
        n, n_classes = z.shape[0], len(self.log_prior)
        out = {name: np.empty((n, n_classes), dtype=DTYPE) for name in self.systems}
        log_on_t, log_off_t = np.ascontiguousarray(self.log_on.T), np.ascontiguousarray(self.log_off.T)

        def chunk(start: int) -> None:
            samples = slice(start, start + chunk_samples)
            z_t = np.ascontiguousarray(z[samples].T)  # node-major: [nodes, chunk]
            on_t = (z_t > self.threshold).astype(DTYPE)
            # [classes, nodes] @ [nodes, chunk], both contiguous: BLAS's fast case
            off_part = (log_off_t @ (1 - on_t)).T
            out["discrete"][samples] = (log_on_t @ on_t).T + off_part
            continuous = out["continuous"][samples]
            continuous[:] = 0
            combined = None
            if "combined" in out:
                combined = out["combined"][samples]
                combined[:] = off_part
            on_t = on_t.astype(GRID_DTYPE)
            rows, w = self.kde.positions(z_t)
            block = max(1, block_values // (z_t.shape[1] * n_classes))
            for first in range(0, z_t.shape[0], block):
                nodes = slice(first, first + block)
                log_kde = self.kde.interpolate(rows[nodes], w[nodes])  # [block, chunk, classes]
                # float32 within a block (a few nodes), float64 across blocks
                continuous += log_kde.sum(0)
                if combined is not None:
                    log_kde *= on_t[nodes, :, None]
                    combined += log_kde.sum(0)

        starts = range(0, n, chunk_samples)
        if threads > 1 and len(starts) > 1:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(chunk, starts))  # list(): a chunk's exception is raised here
        else:
            for start in starts:
                chunk(start)
        return out

    def scores(self, z: np.ndarray, chunk_samples: int = 1024) -> dict[str, np.ndarray]:
        """log P(c) + sum over nodes of log P(z | c), per system: {system: [n, classes]}."""
        return {name: part + self.log_prior for name, part in self.evidence(z, chunk_samples).items()}

    def predict(self, z: np.ndarray, chunk_samples: int = 1024) -> dict[str, np.ndarray]:
        """Predicted class per system: {system: [n]}."""
        return {name: score.argmax(1) for name, score in self.scores(z, chunk_samples).items()}


NODE_BLOCK = 128  # nodes fitted and scored at a time by classifier_accuracies


def layer_evidence(
    files: dict[str, ActivationFile],
    layer: int,
    labels: np.ndarray,
    activation: str,
    n_classes: int,
    threshold: float = 0.0,
    threads: int = 1,
) -> tuple[dict[str, dict[str, np.ndarray]], list[tuple[int, float]]]:
    """Every system's summed log P(z | c) over one layer's nodes, for each sample of each
    split of ``files`` (the first is the training split, whose ``labels``, 0 ..
    ``n_classes`` - 1, fit the estimates): ({split: {system: [n, classes]}}, each node
    block's grid size and spacing in bandwidths). The layer is read, fitted and scored ``NODE_BLOCK`` nodes at a time,
    so that neither its z nor its KDE tables are ever held whole."""
    evidence: dict[str, dict[str, np.ndarray]] = {}
    grids = []
    blocks = zip(*(file.node_blocks(layer, NODE_BLOCK) for file in files.values()), strict=True)
    for block in blocks:
        zs = {split: z for split, (_, z) in zip(files, block)}
        classifier = LayerClassifier.fit(next(iter(zs.values())), labels, activation, n_classes, threshold)
        grids.append((classifier.kde.size, classifier.kde.spacing_in_bandwidths))
        for split, z in zs.items():
            part = classifier.evidence(z, threads=threads)
            if split in evidence:
                for system, values in part.items():
                    evidence[split][system] += values
            else:
                evidence[split] = part
    return evidence, grids


def classifier_accuracies(
    train: str | Path,
    test: str | Path,
    activation: str,
    n_classes: int,
    log=None,
    threshold: float = 0.0,
    threads: int = 1,
) -> pd.DataFrame:
    """Accuracy (%) of each layer's discrete, continuous (and for ReLU combined) system,
    fitted on the training split, on train and test; plus the network's own accuracy
    (rows with system ``network`` and no layer). Columns: layer, system, split, accuracy.
    ``threshold``: the z above which the discrete system counts a node on (default 0);
    ``threads``: threads that score sample chunks (the table does not depend on them)."""
    import pandas as pd

    files = {"train": ActivationFile(train), "test": ActivationFile(test)}
    rows = [
        {"layer": pd.NA, "system": "network", "split": split, "accuracy": file.network_accuracy()}
        for split, file in files.items()
    ]
    labels = {split: file.labels() for split, file in files.items()}
    log_prior = log_priors(labels["train"], n_classes)
    for layer in files["train"].layers:
        evidence, grids = layer_evidence(files, layer, labels["train"], activation, n_classes, threshold, threads)
        for split, by_system in evidence.items():
            for system, values in by_system.items():
                accuracy = 100.0 * float(np.mean((values + log_prior).argmax(1) == labels[split]))
                rows.append({"layer": layer, "system": system, "split": split, "accuracy": accuracy})
        if log is not None:
            log.info(
                "layer %d: %d node blocks, grids up to %d points, spacing up to %.3g bandwidths; %s",
                layer,
                len(grids),
                *(max(values) for values in zip(*grids)),
                ", ".join(f"{r['system']} {r['split']} {r['accuracy']:.2f}%" for r in rows[-2 * len(by_system) :]),
            )
    frame = pd.DataFrame(rows)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame
