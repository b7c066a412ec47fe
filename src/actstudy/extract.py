"""Hidden pre-activations z of one network on one split, to Parquet.

Layout: one file per (run, state, split); one row per sample with ``sample`` (its index
in the split, int32), ``label`` (int8) and ``predicted`` (int8, the network's own class,
arg-max of its logits), then one float32 column per hidden node named
``l{layer}_n{node}`` (layer from 1, e.g. ``l2_n017``). A reader takes one layer with
column projection (``columns=layer_columns(...)``) and never holds the others. z is the
input of the activation function (after batch norm where there is batch norm; the
``linear`` reading takes each hidden Linear's output, before batch norm); the
activation a = T(z) is computed when read. Row groups of ``ROW_GROUP`` samples are
written one at a time, so extraction holds one chunk of samples, never the whole split.
Encoding: float32 (float16 would halve the size but move z near 0, where on/off is
decided), zstd, no dictionary (float values rarely repeat, so a dictionary only adds
size and time), byte-stream split for the z columns (benchmarks/extract_metrics.py
measures the choices).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from actstudy.activations import module_types
from actstudy.io import atomic_path, reading

if TYPE_CHECKING:  # torch is imported where a network runs: readers (figures) start faster
    import torch
    from torch import nn

ROW_GROUP = 8192
COMPRESSION = "zstd"


def column_name(layer: int, node: int) -> str:
    return f"l{layer}_n{node:03d}"


def layer_columns(schema_names: list[str], layer: int) -> list[str]:
    """The columns of one hidden layer (1-based), in node order."""
    pattern = re.compile(rf"l{layer}_n\d+")
    return [name for name in schema_names if pattern.fullmatch(name)]


def hidden_layers(schema_names: list[str]) -> list[int]:
    return sorted({int(m.group(1)) for name in schema_names if (m := re.fullmatch(r"l(\d+)_n\d+", name))})


BATCH_NORM_MODES = ("eval", "batch")
Z_POINTS = ("activation", "linear")  # z: each activation's input, or each hidden Linear's output


def forward_recording(model: nn.Sequential, x: torch.Tensor, batch_norm: str = "eval", batch_size: int = 64,
                      z_at: str = "activation") -> tuple[list[torch.Tensor], torch.Tensor]:  # fmt: skip
    """(z of every hidden layer, logits) of a ``reference_mlp``; z is the input of each
    activation module, or with ``z_at="linear"`` the output of each hidden ``nn.Linear``
    (where a forward hook on it reads: before batch norm; the same z without batch norm).

    ``batch_norm="eval"`` (the definition) normalises with the running statistics kept in
    training. ``"batch"`` (a reading of the study to test) normalises each consecutive
    minibatch of ``batch_size`` rows of ``x`` with its own statistics, as in training; a
    trailing single row joins the minibatch before it (one row has no variance). The
    parameters and running statistics are left unchanged either way.
    """
    import torch
    from torch import nn

    if batch_norm not in BATCH_NORM_MODES:
        raise ValueError(f"batch_norm must be one of {BATCH_NORM_MODES}, not {batch_norm!r}")
    if z_at not in Z_POINTS:
        raise ValueError(f"z_at must be one of {Z_POINTS}, not {z_at!r}")
    model.eval()
    if batch_norm == "batch" and any(isinstance(m, nn.BatchNorm1d) for m in model):
        starts = list(range(0, len(x), batch_size))
        if len(starts) > 1 and len(x) - starts[-1] == 1:
            starts.pop()
        parts = [_forward(model, x[a:b], True, z_at) for a, b in zip(starts, starts[1:] + [len(x)])]
        return [torch.cat(z) for z in zip(*(p[0] for p in parts))], torch.cat([p[1] for p in parts])
    return _forward(model, x, False, z_at)


def _forward(model: nn.Sequential, x: torch.Tensor, batch_statistics: bool = False, z_at: str = "activation"):
    """(z of every hidden layer, logits); with ``batch_statistics`` each BatchNorm1d
    normalises with x's own mean and variance (its running statistics untouched)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    zs = []
    h = x
    activations = module_types()
    hidden_linears = [m for m in model if isinstance(m, nn.Linear)][:-1]  # the last one is the output layer
    with torch.no_grad():
        for module in model:
            if z_at == "activation" and isinstance(module, activations):
                zs.append(h)
            if batch_statistics and isinstance(module, nn.BatchNorm1d):
                h = F.batch_norm(h, None, None, module.weight, module.bias, training=True, eps=module.eps)
            else:
                h = module(h)
            if z_at == "linear" and any(module is linear for linear in hidden_linears):
                zs.append(h)
    return zs, h


def _batches(model: nn.Sequential, x: np.ndarray, y: np.ndarray, scale: float, device,
             batch_norm: str = "eval", batch_size: int = 64, z_at: str = "activation") -> Iterator[pa.RecordBatch]:  # fmt: skip
    import torch

    for start in range(0, len(x), ROW_GROUP):  # minibatches of "batch" mode lie within a row group
        xb = torch.tensor(x[start : start + ROW_GROUP], device=device).float() / scale
        zs, logits = forward_recording(model, xb, batch_norm, batch_size, z_at)
        columns = {
            "sample": _column(np.arange(start, start + len(xb), dtype=np.int32)),
            "label": _column(np.asarray(y[start : start + ROW_GROUP], dtype=np.int8)),
            "predicted": _column(logits.argmax(1).cpu().numpy().astype(np.int8)),
        }
        for layer, z in enumerate(zs, start=1):
            nodes = z.T.contiguous().cpu().numpy().astype(np.float32, copy=False)  # [nodes, n]
            for node, values in enumerate(nodes):
                columns[column_name(layer, node)] = _column(values)
        yield pa.RecordBatch.from_pydict(columns)


def _column(values: np.ndarray) -> pa.Array:
    """A contiguous NumPy vector as an Arrow array, without a copy. (``pa.array`` would
    copy and import pandas: 0.3 s of a digits extraction job's 2.5 s.)"""
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def write_activations(model: nn.Sequential, x: np.ndarray, y: np.ndarray, scale: float, path: str | Path,
                      device: torch.device | str = "cpu", compression: str = COMPRESSION,
                      batch_norm: str = "eval", batch_size: int = 64, z_at: str = "activation") -> None:  # fmt: skip
    """Extract z for every sample of (x, y) and write it to ``path``, atomically
    (``batch_norm``, ``batch_size``, ``z_at``: see ``forward_recording``)."""
    model = model.to(device)
    with atomic_path(path) as tmp:
        writer = None
        try:
            for batch in _batches(model, x, y, scale, device, batch_norm, batch_size, z_at):
                if writer is None:
                    z_columns = [name for name in batch.schema.names if name not in ("sample", "label", "predicted")]
                    writer = pq.ParquetWriter(tmp, batch.schema, compression=compression, use_dictionary=False,
                                              use_byte_stream_split=z_columns)  # fmt: skip
                writer.write_batch(batch, row_group_size=ROW_GROUP)
        finally:
            if writer is not None:
                writer.close()


READ_COLUMNS = 64  # columns decoded at once: one copy of them in memory besides the result


class ActivationFile:
    """One activations file, opened once for every read of it. (Opening costs: the
    metadata of an 8x800 net's file, 6 403 columns x 7 row groups, takes ~60 MB and
    0.1 s to parse, and repeated opens leave memory behind.) A failure to read is a
    ``DamagedFileError`` naming the file and the command that rebuilds it."""

    def __init__(self, path: str | Path):
        self.path = path
        with reading(path, "Parquet activations"):
            self.parquet = pq.ParquetFile(path)
            self.names = self.parquet.schema_arrow.names

    @property
    def layers(self) -> list[int]:
        return hidden_layers(self.names)

    def columns(self, *names: str) -> list[np.ndarray]:
        with reading(self.path, "Parquet activations"):
            table = self.parquet.read(columns=list(names))
            return [table.column(name).to_numpy() for name in names]

    def labels(self) -> np.ndarray:
        return self.columns("label")[0].astype(np.int64)

    def network_accuracy(self) -> float:
        """% of the file's samples the network itself classified correctly."""
        label, predicted = self.columns("label", "predicted")
        return 100.0 * float(np.mean(label == predicted))

    def layer(self, layer: int) -> np.ndarray:
        """z [n_samples, width] float32 of one hidden layer, read alone; column-major (each
        node's values contiguous, as Parquet stores them): z.T is a contiguous
        [width, n_samples] array."""
        return next(self.node_blocks(layer, None))[1]

    def node_blocks(self, layer: int, nodes_per_block: int | None) -> Iterator[tuple[slice, np.ndarray]]:
        """One hidden layer, ``nodes_per_block`` nodes at a time (None: all): (the block's
        nodes as a slice of the layer, their z [n_samples, k] float32, column-major like
        ``layer``'s). Only one block is decoded and held at a time."""
        columns = layer_columns(self.names, layer)
        if not columns:
            with reading(self.path, "Parquet activations"):
                raise ValueError(f"no columns of hidden layer {layer}")
        step = nodes_per_block or len(columns)
        for first in range(0, len(columns), step):
            block = columns[first : first + step]
            z_t = np.empty((len(block), self.parquet.metadata.num_rows), dtype=np.float32)
            with reading(self.path, "Parquet activations"):
                for sub in range(0, len(block), READ_COLUMNS):
                    part = self.parquet.read(columns=block[sub : sub + READ_COLUMNS])
                    for i, column in enumerate(part.columns):
                        z_t[sub + i] = column.to_numpy()
                    del part
            pa.default_memory_pool().release_unused()  # give arrow's freed buffers back
            yield slice(first, first + len(block)), z_t.T


def read_layer(path: str | Path, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """(z [n_samples, width] float32, labels [n_samples]) of one hidden layer, read alone
    (``ActivationFile.layer``)."""
    file = ActivationFile(path)
    return file.layer(layer), file.labels()


def layers_in(path: str | Path) -> list[int]:
    return ActivationFile(path).layers


def network_accuracy(path: str | Path) -> float:
    return ActivationFile(path).network_accuracy()
