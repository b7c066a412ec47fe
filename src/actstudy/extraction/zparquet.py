"""The Parquet layout of z (hidden pre-activations) and reading it back, without torch.

Layout: one file per (run, state, split); one row per sample with ``sample`` (its index
in the split, int32), ``label`` (int8) and ``predicted`` (int8, the network's own class,
arg-max of its logits), then one float32 column per hidden node named
``l{layer}_n{node}`` (layer from 1, e.g. ``l2_n017``). A reader takes one layer with
column projection (``columns=layer_columns(...)``) and never holds the others; the
activation a = T(z) is computed when read. Encoding: float32 (float16 would halve the
size but move z near 0, where on/off is decided), zstd, no dictionary (float values
rarely repeat, so a dictionary only adds size and time), byte-stream split for the z
columns (benchmarks/extract_metrics.py measures the choices). The writer is
``actstudy.extraction.extract``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from actstudy.core.io import reading

ROW_GROUP = 8192
COMPRESSION = "zstd"


def node_column(layer: int, node: int) -> str:
    return f"l{layer}_n{node:03d}"


def layer_columns(schema_names: list[str], layer: int) -> list[str]:
    """The columns of one hidden layer (1-based), in node order."""
    pattern = re.compile(rf"l{layer}_n\d+")
    return [name for name in schema_names if pattern.fullmatch(name)]


def hidden_layers(schema_names: list[str]) -> list[int]:
    return sorted({int(m.group(1)) for name in schema_names if (m := re.fullmatch(r"l(\d+)_n\d+", name))})


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
