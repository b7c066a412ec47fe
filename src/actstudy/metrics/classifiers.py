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
in cache: summed over a block in float32 and across blocks in float64. All functions
take torch tensors and run on whatever device they are on;
``classifier_accuracies`` reads one network state's activations from Parquet, one layer
and one split at a time, and scores every layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from actstudy.activations import get as get_activation
from actstudy.metrics.kde import DTYPE, FLOOR, GRID_DTYPE, BinnedKDE, class_counts

if TYPE_CHECKING:
    import pandas as pd

SYSTEMS = ("discrete", "continuous", "combined")


def systems_for(activation: str) -> tuple[str, ...]:
    """The systems built for an activation: the combined one only where a = 0 exactly
    below the threshold (ReLU), as the study builds it."""
    return SYSTEMS if get_activation(activation).exact_zero else SYSTEMS[:2]


def log_priors(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """log P(c) from the training labels' frequencies: [n_classes]."""
    counts = class_counts(labels, n_classes).to(DTYPE)
    return (counts / counts.sum()).log()


def on_probabilities(z: torch.Tensor, labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """P(on | c) per node: [n_nodes, n_classes]."""
    counts = class_counts(labels, n_classes).to(DTYPE)
    on = torch.zeros(z.shape[1], n_classes, dtype=DTYPE, device=z.device)
    for first in range(0, z.shape[1], 64):  # 64 nodes at a time: no float64 copy of the layer
        on[first : first + 64].index_add_(1, labels, (z[:, first : first + 64].T > 0).to(DTYPE))
    return on / counts


def floored_log(p: torch.Tensor) -> torch.Tensor:
    return p.clamp(min=FLOOR).log()


@dataclass
class LayerClassifier:
    """The three systems of one hidden layer, fitted on the training split."""

    log_prior: torch.Tensor  # [classes]
    log_on: torch.Tensor  # [nodes, classes], floored
    log_off: torch.Tensor  # [nodes, classes], floored
    kde: BinnedKDE
    systems: tuple[str, ...]

    @classmethod
    def fit(cls, z: torch.Tensor, labels: torch.Tensor, activation: str, n_classes: int = 10) -> LayerClassifier:
        p_on = on_probabilities(z, labels, n_classes)
        return cls(
            log_prior=log_priors(labels, n_classes),
            log_on=floored_log(p_on),
            log_off=floored_log(1 - p_on),
            kde=BinnedKDE.fit(z, labels, n_classes),
            systems=systems_for(activation),
        )

    def scores(self, z: torch.Tensor, block_values: int = 1 << 19) -> dict[str, torch.Tensor]:
        """log P(c) + sum over nodes of log P(z | c), per system: {system: [n, classes]}.

        The KDE sums run over blocks of nodes whose [nodes, n, classes] densities stay
        under ``block_values`` values (cache-sized), added up in float64."""
        z_t = z.T.contiguous()  # node-major: [nodes, n]
        on_t = (z_t > 0).to(DTYPE)
        # [classes, nodes] @ [nodes, n], both contiguous: BLAS's fast case
        off_part = (self.log_off.T.contiguous() @ (1 - on_t)).T
        out = {"discrete": (self.log_on.T.contiguous() @ on_t).T + off_part}
        n, n_nodes = z.shape
        continuous = torch.zeros(n, len(self.log_prior), dtype=DTYPE, device=z.device)
        combined = torch.zeros_like(continuous) if "combined" in self.systems else None
        on_t = on_t.to(GRID_DTYPE)
        rows, w = self.kde.positions(z_t)
        block = max(1, block_values // (n * len(self.log_prior)))
        for first in range(0, n_nodes, block):
            nodes = slice(first, min(first + block, n_nodes))
            log_kde = self.kde.interpolate(rows[nodes], w[nodes])  # [block, n, classes]
            # float32 within a block (a few nodes), float64 across blocks
            continuous += log_kde.sum(0)
            if combined is not None:
                combined += log_kde.mul_(on_t[nodes, :, None]).sum(0)
        out["continuous"] = continuous
        if combined is not None:
            out["combined"] = combined + off_part
        return {name: score + self.log_prior for name, score in out.items()}

    def predict(self, z: torch.Tensor, chunk_samples: int = 1024) -> dict[str, torch.Tensor]:
        """Predicted class per system: {system: [n]}, in chunks of ``chunk_samples``."""
        parts: dict[str, list[torch.Tensor]] = {name: [] for name in self.systems}
        for start in range(0, z.shape[0], chunk_samples):
            for name, score in self.scores(z[start : start + chunk_samples]).items():
                parts[name].append(score.argmax(1))
        return {name: torch.cat(chunks) for name, chunks in parts.items()}


def classifier_accuracies(train: str | Path, test: str | Path, activation: str, device: torch.device | str = "cpu",
                          log=None) -> pd.DataFrame:  # fmt: skip
    """Accuracy (%) of each layer's discrete, continuous (and for ReLU combined) system,
    fitted on the training split, on train and test; plus the network's own accuracy
    (rows with system ``network`` and no layer). Columns: layer, system, split, accuracy."""
    import pandas as pd

    from actstudy.datasets import N_CLASSES
    from actstudy.extract import layers_in, network_accuracy, read_layer

    rows = [{"layer": pd.NA, "system": "network", "split": split, "accuracy": network_accuracy(path)}
            for split, path in (("train", train), ("test", test))]  # fmt: skip
    for layer in layers_in(train):
        classifier = None
        for split, path in (("train", train), ("test", test)):  # one split's layer in memory at a time
            z, y = (torch.as_tensor(a, device=device) for a in read_layer(path, layer))
            if classifier is None:
                classifier = LayerClassifier.fit(z, y, activation, N_CLASSES)
            for system, predicted in classifier.predict(z).items():
                accuracy = 100.0 * float((predicted == y).double().mean())
                rows.append({"layer": layer, "system": system, "split": split, "accuracy": accuracy})
            del z, y
        if log is not None:
            log.info("layer %d: grid %d points, spacing %.3g bandwidths; %s", layer, classifier.kde.size,
                     classifier.kde.spacing_in_bandwidths,
                     ", ".join(f"{r['system']} {r['split']} {r['accuracy']:.2f}%" for r in rows[-2 * len(classifier.systems):]))  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame
