"""Class-conditional Gaussian kernel density estimates of a layer's nodes (docs/metrics.md;
the continuous system of the study's Chapter 6, ``actstudy.metrics.classifiers``).

The exact KDE costs N_train x N_eval kernel evaluations per node and class.
``BinnedKDE`` instead puts each node's training values on a fixed grid of spacing at most
``BANDWIDTH / 32`` (linear binning), smooths all (node, class) histograms of the nodes it
is fitted on (a layer, or a block of one) at once with the Gaussian kernel by FFT, and
interpolates the log density linearly between grid points. The grid reaches ``MARGIN`` = 6 bandwidths beyond the node's training
range; beyond that the exact density is below 2 exp(-18) / (h sqrt(2 pi)) = 3e-8, under
the floor ``FLOOR`` (why there is a floor: ``actstudy.metrics.classifiers``), so points
outside the grid get the floor exactly. ``exact_log_density`` is the direct sum, kept
to verify the binned estimate (tests/test_classifiers.py) and to benchmark it.

Evaluation works node-major (a node's values [nodes, n], so that the table rows read for
one node lie together): ``positions`` finds each value's grid interval once, and
``interpolate`` reads a block of nodes at a time. All functions take NumPy arrays: the
classifier job runs no network, so it does not import torch (1.5-3.5 s of start-up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from actstudy.metrics.bandwidth import BANDWIDTH

FLOOR = 1e-6
MARGIN = 6.0  # grid margin beyond the training range, in bandwidths
STEPS_PER_BANDWIDTH = 32  # grid spacing at most BANDWIDTH / this
MAX_GRID = 16384  # grid points per node: h/32 up to a range of 102; wider gets coarser (logged)
GRID_FLOOR = 1e-30  # lower bound of the grid's densities (not the floor of the estimates)
OUTSIDE = math.log(FLOOR) - 1  # upper bound of the log density at a grid's two end points
DTYPE = np.float64
# The smoothed log densities are kept in float32 (round-off 1e-6 in log, far under the
# binning error): half the memory and memory traffic of the interpolation.
GRID_DTYPE = np.float32


def class_counts(labels: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.bincount(labels, minlength=n_classes)
    if len(counts) > n_classes or (counts == 0).any():
        missing = [c for c in range(n_classes) if c >= len(counts) or counts[c] == 0]
        raise ValueError(
            f"every class needs training samples: labels must be 0..{n_classes - 1}; "
            f"missing {missing}, counts {counts.tolist()}"
        )
    return counts


def exact_log_density(
    z_train: np.ndarray, labels: np.ndarray, z_eval: np.ndarray, n_classes: int, bandwidth: float = BANDWIDTH
) -> np.ndarray:
    """log of the class-conditional Gaussian KDE by direct sum, unfloored:
    [n_eval, n_nodes, n_classes]. Costs N_train x N_eval per node: for checks only."""
    z_train, z_eval = np.asarray(z_train, DTYPE), np.asarray(z_eval, DTYPE)
    out = np.empty((z_eval.shape[0], z_eval.shape[1], n_classes), dtype=DTYPE)
    norm = math.log(bandwidth * math.sqrt(2 * math.pi))
    for c in range(n_classes):
        values = z_train[labels == c]  # [N_c, nodes]
        chunk = max(1, (1 << 24) // values.size)  # [chunk, N_c, nodes] stays near 128 MB
        for start in range(0, z_eval.shape[0], chunk):
            d = (z_eval[start : start + chunk, None, :] - values[None]) / bandwidth
            out[start : start + chunk, :, c] = logsumexp(-0.5 * d * d, axis=1) - math.log(len(values)) - norm
    return out


def _smoothed_histograms(
    z_t: np.ndarray, labels: np.ndarray, n_classes: int, lo: np.ndarray, step: np.ndarray, size: int, bandwidth: float
) -> np.ndarray:
    """Sum over each class's training values of the Gaussian kernel, at every grid point of
    every node: [nodes, classes, size] (linear binning, then FFT convolution). ``z_t`` is
    node-major, [nodes, n]: one node's values fall into its own part of the histogram."""
    nodes = z_t.shape[0]
    # Linear binning: each value splits its unit weight between its two grid points.
    t = (z_t.astype(DTYPE) - lo[:, None]) / step[:, None]
    left = np.clip(np.floor(t), 0, size - 2)
    right_weight = np.clip(t - left, 0, 1)
    row = np.arange(nodes)[:, None] * n_classes + labels  # [nodes, n]
    flat = (row * size + left.astype(np.int64)).ravel()
    length = nodes * n_classes * size
    hist = np.bincount(flat, weights=(1 - right_weight).ravel(), minlength=length)
    hist += np.bincount(flat + 1, weights=right_weight.ravel(), minlength=length)
    # The kernel on each node's grid, in FFT order (offsets 0, 1, .., -1), cut at the
    # margin so that the circular convolution cannot wrap: the grid has a margin of
    # empty bins on each side.
    offsets = np.fft.fftfreq(size, d=1.0 / size)
    distance = offsets[None, :] * step[:, None]  # [nodes, size]
    kernel = np.exp(-0.5 * (distance / bandwidth) ** 2) / (bandwidth * math.sqrt(2 * math.pi))
    kernel = np.where(np.abs(distance) < MARGIN * bandwidth, kernel, 0.0)
    spectrum = np.fft.rfft(hist.reshape(nodes, n_classes, size), axis=-1) * np.fft.rfft(kernel, axis=-1)[:, None, :]
    return np.fft.irfft(spectrum, n=size, axis=-1)


@dataclass
class BinnedKDE:
    """Class-conditional KDEs of a set of nodes (a layer or a block of one) on per-node
    grids of one size, chosen for the widest node's range.

    ``lo`` [nodes] is each grid's first point, ``step`` [nodes] its spacing, ``table``
    [nodes * size, 2 * n_classes] (float32) holds, for grid point k of a node, the log
    density of each class at k and its rise to point k + 1: one row gives both ends of
    the interval a value falls in.
    """

    lo: np.ndarray
    step: np.ndarray
    size: int
    table: np.ndarray

    @classmethod
    def fit(
        cls,
        z: np.ndarray,
        labels: np.ndarray,
        n_classes: int,
        bandwidth: float = BANDWIDTH,
        max_grid: int = MAX_GRID,
        chunk_nodes: int = 16,
    ) -> BinnedKDE:
        counts = class_counts(labels, n_classes).astype(DTYPE)
        margin = MARGIN * bandwidth
        lo = z.min(0).astype(DTYPE) - margin
        span = z.max(0).astype(DTYPE) + margin - lo
        needed = int(math.ceil(float(span.max()) * STEPS_PER_BANDWIDTH / bandwidth)) + 1
        size = min(max(64, 1 << (needed - 1).bit_length()), max_grid)
        step = span / (size - 1)
        table = np.zeros((z.shape[1], size, 2 * n_classes), dtype=GRID_DTYPE)
        z_t = z.T  # node-major rows: no copy when z is column-major (``read_layer``)
        for first in range(0, z.shape[1], chunk_nodes):
            nodes = slice(first, first + chunk_nodes)
            density = _smoothed_histograms(z_t[nodes], labels, n_classes, lo[nodes], step[nodes], size, bandwidth)
            # Far below the floor too, so that interpolating next to a floored point stays
            # exact; the floor is applied after interpolation. (FFT round-off sits near
            # 1e-17 of the peak, far under the floor.)
            log_grid = np.log(np.maximum(density / counts[None, :, None], GRID_FLOOR)).transpose(0, 2, 1)
            # A value outside the grid reads an end point: keep both under the floor. They
            # already are (MARGIN bandwidths past the data: ~3e-8) unless a range so wide
            # that the grid is capped puts binned mass within a few bandwidths of an end.
            log_grid[:, [0, -1]] = np.minimum(log_grid[:, [0, -1]], OUTSIDE)
            table[nodes, :, :n_classes] = log_grid
            table[nodes, :-1, n_classes:] = log_grid[:, 1:] - log_grid[:, :-1]
        return cls(lo=lo, step=step, size=size, table=table.reshape(-1, 2 * n_classes))

    @property
    def n_classes(self) -> int:
        return self.table.shape[1] // 2

    @property
    def spacing_in_bandwidths(self) -> float:
        """The coarsest grid spacing of the fitted nodes, in bandwidths (at most 1/32 unless capped)."""
        return float(self.step.max()) / BANDWIDTH

    def positions(self, z_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the values ``z_t`` [nodes, n] of the fitted nodes fall on their grids: the
        table row of each value's interval [nodes, n] and its weight w in
        [0, 1] towards the interval's end (float32). A value outside the grid reads the
        grid's end point, whose density is under the floor (``fit`` keeps it there): it
        gets the floor exactly."""
        t = (z_t.astype(DTYPE) - self.lo[:, None]) / self.step[:, None]
        left = np.clip(np.floor(t), 0, self.size - 2)
        w = np.clip(t - left, 0, 1).astype(GRID_DTYPE)
        rows = left.astype(np.int64) + np.arange(z_t.shape[0])[:, None] * self.size
        return rows, w

    def interpolate(self, rows: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Floored log density of each class at the positions (rows, w) [nodes, n] of
        ``positions``: [nodes, n, n_classes], float32."""
        c = self.n_classes
        ends = np.take(self.table, rows, axis=0)  # [nodes, n, 2 * classes]; faster than table[rows]
        values = ends[..., c:] * w[..., None]
        values += ends[..., :c]
        return np.maximum(values, GRID_DTYPE(math.log(FLOOR)), out=values)

    def log_density(self, z: np.ndarray) -> np.ndarray:
        """Floored log density of each class at each (sample, node): [n, nodes, n_classes],
        float32."""
        return self.interpolate(*self.positions(np.asarray(z).T)).transpose(1, 0, 2)
