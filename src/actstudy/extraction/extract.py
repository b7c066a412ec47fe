"""Hidden pre-activations z of one network on one split, written to Parquet (the layout
and the reader: ``actstudy.extraction.zparquet``). z is the input of the activation function
(after batch norm where there is batch norm; the ``linear`` reading takes each hidden
Linear's output, before batch norm). Row groups of ``ROW_GROUP`` samples are written one
at a time, so extraction holds one chunk of samples, never the whole split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from actstudy.core.activations import module_types
from actstudy.core.io import atomic_path
from actstudy.extraction.zparquet import COMPRESSION, ROW_GROUP, node_column

if TYPE_CHECKING:  # torch is imported where a network runs: readers (figures) start faster
    import torch
    from torch import nn

BATCH_NORM_MODES = ("eval", "batch")
Z_POINTS = ("activation", "linear")  # z: each activation's input, or each hidden Linear's output


def forward_recording(
    model: nn.Sequential, x: torch.Tensor, batch_norm: str = "eval", batch_size: int = 64, z_at: str = "activation"
) -> tuple[list[torch.Tensor], torch.Tensor]:
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


def _batches(
    model: nn.Sequential,
    x: np.ndarray,
    y: np.ndarray,
    scale: float,
    device,
    batch_norm: str = "eval",
    batch_size: int = 64,
    z_at: str = "activation",
) -> Iterator[pa.RecordBatch]:
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
                columns[node_column(layer, node)] = _column(values)
        yield pa.RecordBatch.from_pydict(columns)


def _column(values: np.ndarray) -> pa.Array:
    """A contiguous NumPy vector as an Arrow array, without a copy. (``pa.array`` would
    copy and import pandas: 0.3 s of a digits extraction job's 2.5 s.)"""
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def write_activations(
    model: nn.Sequential,
    x: np.ndarray,
    y: np.ndarray,
    scale: float,
    path: str | Path,
    device: torch.device | str = "cpu",
    compression: str = COMPRESSION,
    batch_norm: str = "eval",
    batch_size: int = 64,
    z_at: str = "activation",
) -> None:
    """Extract z for every sample of (x, y) and write it to ``path``, atomically
    (``batch_norm``, ``batch_size``, ``z_at``: see ``forward_recording``)."""
    model = model.to(device)
    with atomic_path(path) as tmp:
        writer = None
        try:
            for batch in _batches(model, x, y, scale, device, batch_norm, batch_size, z_at):
                if writer is None:
                    z_columns = [name for name in batch.schema.names if name not in ("sample", "label", "predicted")]
                    writer = pq.ParquetWriter(
                        tmp,
                        batch.schema,
                        compression=compression,
                        use_dictionary=False,
                        use_byte_stream_split=z_columns,
                    )
                writer.write_batch(batch, row_group_size=ROW_GROUP)
        finally:
            if writer is not None:
                writer.close()
