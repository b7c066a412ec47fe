"""Extraction and node-metric throughput, file size and peak memory for a big net.

An 8x800 ReLU net (He init, batch norm off) on 55 000 MNIST-shaped samples: z of
all 6 400 hidden nodes to Parquet, then every node metric layer by layer. Also compares
compressions and dtypes on the first row group (the choice behind actstudy.extract).

    python benchmarks/extract_metrics.py [--samples 55000] [--depth 8] [--width 800]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch

from actstudy.config import Architecture
from actstudy.extract import ROW_GROUP, _batches, write_activations
from actstudy.metrics.nodes import node_metrics
from actstudy.models import reference_mlp

ENCODINGS = {
    "none": {"compression": "none"},
    "snappy": {"compression": "snappy"},
    "zstd": {"compression": "zstd"},
    "zstd, no dictionary": {"compression": "zstd", "use_dictionary": False},
    "zstd, byte-stream split": {"compression": "zstd", "use_dictionary": False, "use_byte_stream_split": True},
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare_encodings(model, x, y, folder: Path) -> None:
    batch = next(_batches(model, x[:ROW_GROUP], y[:ROW_GROUP], 255.0, "cpu"))
    raw = sum(batch.column(i).nbytes for i in range(batch.num_columns))
    print(f"one row group ({ROW_GROUP} samples, {batch.num_columns - 2} nodes): {raw / 1e6:.1f} MB in memory")
    half = pa.RecordBatch.from_arrays(
        [batch.column(0), batch.column(1)]
        + [pa.array(batch.column(i).to_numpy().astype(np.float16)) for i in range(2, batch.num_columns)],
        names=batch.schema.names,
    )
    for dtype, data in (("float32", batch), ("float16", half)):
        for name, options in ENCODINGS.items():
            path = folder / f"{dtype}_{name}.parquet"
            began = time.perf_counter()
            pq.write_table(pa.Table.from_batches([data]), path, **options)
            seconds = time.perf_counter() - began
            print(f"  {dtype:8} {name:28} {path.stat().st_size / 1e6:7.2f} MB  write {seconds:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=55_000)
    parser.add_argument("--depth", type=int, default=8)
    parser.add_argument("--width", type=int, default=800)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (args.samples, 784), dtype=np.uint8)
    y = rng.integers(0, 10, args.samples)
    arch = Architecture("mnist", args.depth, args.width, False, "relu")
    model = reference_mlp(arch, 784, torch.Generator().manual_seed(0))
    nodes = args.depth * args.width
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        compare_encodings(model, x, y, folder)
        began = time.perf_counter()
        write_activations(model, x, y, 255.0, folder / "train.parquet")
        extract_s = time.perf_counter() - began
        size = (folder / "train.parquet").stat().st_size
        print(f"extraction: {args.samples} samples x {nodes} nodes in {extract_s:.1f} s "
              f"({args.samples * nodes / extract_s / 1e6:.1f} M values/s), file {size / 1e6:.0f} MB "
              f"({size / (args.samples * nodes):.2f} bytes/value), peak RSS {peak_rss_mb():.0f} MB")  # fmt: skip
        test = folder / "test.parquet"
        write_activations(model, x[:10_000], y[:10_000], 255.0, test)
        began = time.perf_counter()
        tables = node_metrics(folder / "train.parquet", test, "relu")
        metrics_s = time.perf_counter() - began
        print(f"node metrics (train + 10 000 test): {metrics_s:.1f} s "
              f"({(args.samples + 10_000) * nodes / metrics_s / 1e6:.1f} M values/s), peak RSS {peak_rss_mb():.0f} MB; "
              f"untrained sparsity per layer {np.round(tables['layers']['sparsity'].to_numpy(), 1).tolist()}")  # fmt: skip


if __name__ == "__main__":
    main()
