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
``interpolate`` reads a block of nodes at a time. All functions take torch tensors and
run on whatever device they are on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from actstudy.metrics.bandwidth import BANDWIDTH

FLOOR = 1e-6
MARGIN = 6.0  # grid margin beyond the training range, in bandwidths
STEPS_PER_BANDWIDTH = 32  # grid spacing at most BANDWIDTH / this
MAX_GRID = 16384  # grid points per node: h/32 up to a range of 102; wider gets coarser (logged)
GRID_FLOOR = 1e-30  # lower bound of the grid's densities (not the floor of the estimates)
OUTSIDE = math.log(FLOOR) - 1  # upper bound of the log density at a grid's two end points
DTYPE = torch.float64
# The smoothed log densities are kept in float32 (round-off 1e-6 in log, far under the
# binning error): half the memory and memory traffic of the interpolation.
GRID_DTYPE = torch.float32


def class_counts(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    counts = torch.bincount(labels, minlength=n_classes)
    if len(counts) > n_classes or (counts == 0).any():
        missing = [c for c in range(n_classes) if c >= len(counts) or counts[c] == 0]
        raise ValueError(f"every class needs training samples: labels must be 0..{n_classes - 1}; "
                         f"missing {missing}, counts {counts.tolist()}")  # fmt: skip
    return counts


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
    """Class-conditional KDEs of a set of nodes (a layer or a block of one) on per-node
    grids of one size, chosen for the widest node's range.

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
        counts = class_counts(labels, n_classes).to(DTYPE)
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
            # A value outside the grid reads an end point: keep both under the floor. They
            # already are (MARGIN bandwidths past the data: ~3e-8) unless a range so wide
            # that the grid is capped puts binned mass within a few bandwidths of an end.
            log_grid[:, [0, -1]] = log_grid[:, [0, -1]].clamp(max=OUTSIDE)
            table[nodes, :, :n_classes] = log_grid
            table[nodes, :-1, n_classes:] = log_grid[:, 1:] - log_grid[:, :-1]
        return cls(lo=lo, step=step, size=size, table=table.view(-1, 2 * n_classes))

    @property
    def n_classes(self) -> int:
        return self.table.shape[1] // 2

    @property
    def spacing_in_bandwidths(self) -> float:
        """The coarsest grid spacing of the fitted nodes, in bandwidths (at most 1/32 unless capped)."""
        return float(self.step.max()) / BANDWIDTH

    def positions(self, z_t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Where the values ``z_t`` [nodes, n] of the fitted nodes fall on their grids: the
        table row of each value's interval [nodes, n] and its weight w in
        [0, 1] towards the interval's end (float32). A value outside the grid reads the
        grid's end point, whose density is under the floor (``fit`` keeps it there): it
        gets the floor exactly."""
        t = (z_t.to(DTYPE) - self.lo[:, None]) / self.step[:, None]
        left = t.floor().clamp_(0, self.size - 2)
        w = t.sub_(left).clamp_(0, 1).to(GRID_DTYPE)
        rows = left.long().add_(torch.arange(z_t.shape[0], device=z_t.device)[:, None] * self.size)
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
