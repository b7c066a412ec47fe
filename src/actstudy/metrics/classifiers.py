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

Speed. The exact KDE costs N_train x N_eval kernel evaluations per node and class.
``BinnedKDE`` instead puts each node's training values on a fixed grid of spacing at most
``BANDWIDTH / 32`` (linear binning), smooths all of a layer's (node, class) histograms at
once with the Gaussian kernel by FFT, and interpolates the log density linearly between
grid points. The grid reaches ``MARGIN`` = 6 bandwidths beyond the node's training
range; beyond that the exact density is below 2 exp(-18) / (h sqrt(2 pi)) = 3e-8, under
the floor, so points outside the grid get the floor exactly. ``exact_log_density`` is
the direct sum, kept to verify the binned estimate (tests/test_classifiers.py) and to
benchmark it.

Evaluation works node-major (a node's values [nodes, n], so that the table rows read for
one node lie together), in blocks of a few nodes whose [nodes, n, classes] densities fit
in cache: interpolated in float32, summed over a block in float32 and across blocks in
float64. All functions take torch tensors and run on whatever device they are on;
``classifier_accuracies`` reads one network state's activations from Parquet, one layer
and one split at a time, and scores every layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from actstudy.activations import get as get_activation

if TYPE_CHECKING:
    import pandas as pd

BANDWIDTH = 0.2
FLOOR = 1e-6
MARGIN = 6.0  # grid margin beyond the training range, in bandwidths
STEPS_PER_BANDWIDTH = 32  # grid spacing at most BANDWIDTH / this
MAX_GRID = 16384  # grid points per node: h/32 up to a range of 102; wider gets coarser (logged)
GRID_FLOOR = 1e-30  # lower bound of the grid's densities (not the floor of the estimates)
SYSTEMS = ("discrete", "continuous", "combined")
DTYPE = torch.float64
# The smoothed log densities are kept in float32 (round-off 1e-6 in log, far under the
# binning error): half the memory and memory traffic of the interpolation.
GRID_DTYPE = torch.float32


def systems_for(activation: str) -> tuple[str, ...]:
    """The systems built for an activation: the combined one only where a = 0 exactly
    below the threshold (ReLU), as the study builds it."""
    return SYSTEMS if get_activation(activation).exact_zero else SYSTEMS[:2]


def _class_counts(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    counts = torch.bincount(labels, minlength=n_classes)
    if len(counts) > n_classes or (counts == 0).any():
        missing = [c for c in range(n_classes) if c >= len(counts) or counts[c] == 0]
        raise ValueError(f"every class needs training samples: labels must be 0..{n_classes - 1}; "
                         f"missing {missing}, counts {counts.tolist()}")  # fmt: skip
    return counts


def log_priors(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """log P(c) from the training labels' frequencies: [n_classes]."""
    counts = _class_counts(labels, n_classes).to(DTYPE)
    return (counts / counts.sum()).log()


def on_probabilities(z: torch.Tensor, labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """P(on | c) per node: [n_nodes, n_classes]."""
    counts = _class_counts(labels, n_classes).to(DTYPE)
    on = torch.zeros(z.shape[1], n_classes, dtype=DTYPE, device=z.device)
    for first in range(0, z.shape[1], 64):  # 64 nodes at a time: no float64 copy of the layer
        on[first : first + 64].index_add_(1, labels, (z[:, first : first + 64].T > 0).to(DTYPE))
    return on / counts


def floored_log(p: torch.Tensor) -> torch.Tensor:
    return p.clamp(min=FLOOR).log()


def exact_log_density(z_train: torch.Tensor, labels: torch.Tensor, z_eval: torch.Tensor, n_classes: int,
                      bandwidth: float = BANDWIDTH) -> torch.Tensor:  # fmt: skip
    """log of the class-conditional Gaussian KDE by direct sum, unfloored:
    [n_eval, n_nodes, n_classes]. Costs N_train x N_eval per node: for checks only."""
    z_train, z_eval = z_train.to(DTYPE), z_eval.to(DTYPE)
    out = torch.empty(z_eval.shape[0], z_eval.shape[1], n_classes, dtype=DTYPE, device=z_eval.device)
    norm = math.log(bandwidth * math.sqrt(2 * math.pi))
    for c in range(n_classes):
        values = z_train[labels == c]  # [N_c, nodes]
        chunk = max(1, (1 << 24) // values.numel())  # [chunk, N_c, nodes] stays near 128 MB
        for start in range(0, z_eval.shape[0], chunk):
            d = (z_eval[start : start + chunk, None, :] - values[None]) / bandwidth
            out[start : start + chunk, :, c] = torch.logsumexp(-0.5 * d * d, dim=1) - math.log(len(values)) - norm
    return out


def _smoothed_histograms(z_t: torch.Tensor, labels: torch.Tensor, n_classes: int, lo: torch.Tensor,
                         step: torch.Tensor, size: int, bandwidth: float) -> torch.Tensor:  # fmt: skip
    """Sum over each class's training values of the Gaussian kernel, at every grid point of
    every node: [nodes, classes, size] (linear binning, then FFT convolution). ``z_t`` is
    node-major, [nodes, n]: one node's values fall into its own part of the histogram."""
    nodes, n = z_t.shape
    # Linear binning: each value splits its unit weight between its two grid points.
    t = (z_t.to(DTYPE) - lo[:, None]) / step[:, None]
    left = t.floor().clamp_(0, size - 2)
    right_weight = t.sub_(left).clamp_(0, 1)
    row = torch.arange(nodes, device=z_t.device)[:, None] * n_classes + labels  # [nodes, n]
    flat = row.mul_(size).add_(left.long()).view(-1)
    hist = torch.zeros(nodes * n_classes * size, dtype=DTYPE, device=z_t.device)
    hist.index_add_(0, flat, (1 - right_weight).view(-1))
    hist.index_add_(0, flat.add_(1), right_weight.view(-1))
    # The kernel on each node's grid, in FFT order (offsets 0, 1, .., -1), cut at the
    # margin so that the circular convolution cannot wrap: the grid has a margin of
    # empty bins on each side.
    offsets = torch.fft.fftfreq(size, d=1.0 / size, dtype=DTYPE, device=z_t.device)
    distance = offsets[None, :] * step[:, None]  # [nodes, size]
    kernel = torch.exp(-0.5 * (distance / bandwidth) ** 2) / (bandwidth * math.sqrt(2 * math.pi))
    kernel = torch.where(distance.abs() < MARGIN * bandwidth, kernel, 0.0)
    spectrum = torch.fft.rfft(hist.view(nodes, n_classes, size), dim=-1) * torch.fft.rfft(kernel, dim=-1)[:, None, :]
    return torch.fft.irfft(spectrum, n=size, dim=-1)


@dataclass
class BinnedKDE:
    """Class-conditional KDEs of every node of a layer on per-node grids.

    ``lo`` [nodes] is each grid's first point, ``step`` [nodes] its spacing, ``table``
    [nodes * size, 2 * n_classes] (float32) holds, for grid point k of a node, the log
    density of each class at k and its rise to point k + 1: one row gives both ends of
    the interval a value falls in.
    """

    lo: torch.Tensor
    step: torch.Tensor
    size: int
    table: torch.Tensor

    @classmethod
    def fit(cls, z: torch.Tensor, labels: torch.Tensor, n_classes: int, bandwidth: float = BANDWIDTH,
            max_grid: int = MAX_GRID, chunk_nodes: int = 16) -> BinnedKDE:  # fmt: skip
        counts = _class_counts(labels, n_classes).to(DTYPE)
        margin = MARGIN * bandwidth
        lo = z.amin(0).to(DTYPE) - margin
        span = z.amax(0).to(DTYPE) + margin - lo
        needed = int(math.ceil(float(span.max()) * STEPS_PER_BANDWIDTH / bandwidth)) + 1
        size = min(max(64, 1 << (needed - 1).bit_length()), max_grid)
        step = span / (size - 1)
        table = torch.zeros(z.shape[1], size, 2 * n_classes, dtype=GRID_DTYPE, device=z.device)
        z_t = z.T.contiguous()  # no copy when z is column-major (``read_layer``)
        for first in range(0, z.shape[1], chunk_nodes):
            nodes = slice(first, first + chunk_nodes)
            density = _smoothed_histograms(z_t[nodes], labels, n_classes, lo[nodes], step[nodes], size, bandwidth)
            # Far below the floor too, so that interpolating next to a floored point stays
            # exact; the floor is applied after interpolation. (FFT round-off sits near
            # 1e-17 of the peak, far under the floor.)
            log_grid = (density / counts[None, :, None]).clamp(min=GRID_FLOOR).log().transpose(1, 2)
            table[nodes, :, :n_classes] = log_grid
            table[nodes, :-1, n_classes:] = log_grid[:, 1:] - log_grid[:, :-1]
        ends = table[:, [0, -1], :n_classes]
        if not (ends < math.log(FLOOR)).all():  # MARGIN bandwidths past the data: ~3e-8
            raise ArithmeticError(f"a grid end point's density is not under the floor: {float(ends.max().exp()):.3g}")
        return cls(lo=lo, step=step, size=size, table=table.view(-1, 2 * n_classes))

    @property
    def n_classes(self) -> int:
        return self.table.shape[1] // 2

    @property
    def spacing_in_bandwidths(self) -> float:
        """The coarsest grid spacing of the layer, in bandwidths (at most 1/32 unless capped)."""
        return float(self.step.max()) / BANDWIDTH

    def positions(self, z_t: torch.Tensor, first: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """Where the values ``z_t`` [nodes, n] of nodes first, first + 1, .. fall on their
        grids: the table row of each value's interval [nodes, n] and its weight w in
        [0, 1] towards the interval's end (float32). A value outside the grid reads the
        grid's end point, whose density is under the floor (``fit`` checks it): it gets
        the floor exactly."""
        count = z_t.shape[0]
        t = (z_t.to(DTYPE) - self.lo[first : first + count, None]) / self.step[first : first + count, None]
        left = t.floor().clamp_(0, self.size - 2)
        w = t.sub_(left).clamp_(0, 1).to(GRID_DTYPE)
        rows = left.long().add_(torch.arange(first, first + count, device=z_t.device)[:, None] * self.size)
        return rows, w

    def interpolate(self, rows: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """Floored log density of each class at the positions (rows, w) [nodes, n] of
        ``positions``: [nodes, n, n_classes], float32."""
        c = self.n_classes
        ends = self.table.index_select(0, rows.reshape(-1)).view(*rows.shape, 2 * c)
        return torch.addcmul(ends[..., :c], ends[..., c:], w[..., None]).clamp_(min=math.log(FLOOR))

    def log_density(self, z: torch.Tensor) -> torch.Tensor:
        """Floored log density of each class at each (sample, node): [n, nodes, n_classes],
        float32."""
        return self.interpolate(*self.positions(z.T.contiguous())).transpose(0, 1)


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
