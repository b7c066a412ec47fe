"""Extraction and node-metric throughput, file size and peak memory for a big net.

An 8x800 ReLU net (He init, batch norm off) on 55 000 MNIST-shaped samples: z of
all 6 400 hidden nodes to Parquet, then every node metric layer by layer. Also compares
compressions and dtypes on the first row group (the choice behind actstudy.extraction.extract),
and measures this machine's memory and disk bandwidth and the forward pass alone, so
that the throughputs can be read against what the hardware and the arithmetic allow.

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

from actstudy.core.config import Architecture
from actstudy.extraction.extract import _batches, write_activations
from actstudy.extraction.zparquet import ROW_GROUP
from actstudy.metrics.nodes import node_metrics
from actstudy.training.models import reference_mlp

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


def bandwidths(folder: Path, mb: int = 1024) -> dict[str, float]:
    """GB/s of this machine: memory (a copy of ``mb`` MB, bytes read plus written), and
    the disk under ``folder`` (writing ``mb`` MB with fsync; reading it back after asking
    the kernel to drop it from the page cache)."""
    import os

    data = np.ones(mb * 2**20 // 4, dtype=np.float32)
    copy = np.empty_like(data)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        np.copyto(copy, data)
        best = min(best, time.perf_counter() - began)
    out = {"memory copy": 2 * data.nbytes / best / 1e9}
    path = folder / "bandwidth.bin"
    began = time.perf_counter()
    with open(path, "wb") as handle:
        data.tofile(handle)
        handle.flush()
        os.fsync(handle.fileno())
    out["disk write"] = data.nbytes / (time.perf_counter() - began) / 1e9
    with open(path, "rb") as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        began = time.perf_counter()
        while handle.read(64 * 2**20):
            pass
    out["disk read"] = data.nbytes / (time.perf_counter() - began) / 1e9
    path.unlink()
    return out


def forward_seconds(model, x: np.ndarray) -> float:
    """The forward pass alone over x, in the extraction's row groups (no recording, no Parquet)."""
    began = time.perf_counter()
    with torch.no_grad():
        for start in range(0, len(x), ROW_GROUP):
            model(torch.tensor(x[start : start + ROW_GROUP]).float() / 255)
    return time.perf_counter() - began


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
    model = reference_mlp(arch, 784, 10, torch.Generator().manual_seed(0))
    nodes = args.depth * args.width
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        speeds = bandwidths(folder)
        print("this machine: " + ", ".join(f"{name} {gbs:.2f} GB/s" for name, gbs in speeds.items()))
        compare_encodings(model, x, y, folder)
        print(f"forward pass alone (no recording, no Parquet): {forward_seconds(model, x):.1f} s")
        began = time.perf_counter()
        write_activations(model, x, y, 255.0, folder / "train.parquet")
        extract_s = time.perf_counter() - began
        size = (folder / "train.parquet").stat().st_size
        print(
            f"extraction: {args.samples} samples x {nodes} nodes in {extract_s:.1f} s "
            f"({args.samples * nodes / extract_s / 1e6:.1f} M values/s), file {size / 1e6:.0f} MB "
            f"({size / (args.samples * nodes):.2f} bytes/value, written at {size / extract_s / 1e9:.3f} GB/s: "
            f"{size / extract_s / 1e9 / speeds['disk write']:.0%} of the disk's write bandwidth), "
            f"peak RSS {peak_rss_mb():.0f} MB"
        )
        test = folder / "test.parquet"
        write_activations(model, x[:10_000], y[:10_000], 255.0, test)
        began = time.perf_counter()
        tables = node_metrics(folder / "train.parquet", test, "relu", 10)
        metrics_s = time.perf_counter() - began
        read = size + test.stat().st_size
        values = (args.samples + 10_000) * nodes
        print(
            f"node metrics (train + 10 000 test): {metrics_s:.1f} s "
            f"({values / metrics_s / 1e6:.1f} M values/s: {4 * values / metrics_s / 1e9:.2f} GB/s of float32 z, "
            f"{4 * values / metrics_s / 1e9 / speeds['memory copy']:.1%} of the memory copy rate; Parquet read "
            f"at {read / metrics_s / 1e9:.3f} GB/s, {read / metrics_s / 1e9 / speeds['disk read']:.0%} of the "
            f"disk's read bandwidth), peak RSS {peak_rss_mb():.0f} MB; "
            f"untrained sparsity per layer {np.round(tables['layers']['sparsity'].to_numpy(), 1).tolist()}"
        )


if __name__ == "__main__":
    main()
