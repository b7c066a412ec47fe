"""Several training jobs sharing one GPU: does the GPU have room for them?

A width-200 job of K = 9 runs leaves the GPU mostly idle (its step is a short CUDA
graph). This starts N processes at once, each a batched training job of K runs on
MNIST-shaped data; after a warm-up epoch they wait for each other, then each times
``--epochs`` epochs. It prints the per-model epoch time of the N jobs together against
one job alone, measured in the same call.

    python benchmarks/concurrent_jobs.py --arch 4x200 --jobs 1 2 4 --k 9 --epochs 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time

import torch

from actstudy.core.config import Architecture, RunGrid
from actstudy.training.trainer import TrainSettings, train


def job(arch_spec: str, k: int, epochs: int, n_train: int, barrier, results) -> None:
    from train_throughput import synthetic_mnist  # benchmarks/ is on sys.path (spawned child)

    depth, width = (int(v) for v in arch_spec.split("x"))
    arch = Architecture("mnist", depth, width, False, "relu")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    splits = synthetic_mnist(n_train)
    grid = RunGrid(tuple(1e-3 * (1 + i) for i in range(k)), (0,))
    train(arch, grid, splits, TrainSettings(1, 64, 0.99), 10, device)  # warm-up: graphs, allocator
    barrier.wait()
    torch.cuda.synchronize() if device.type == "cuda" else None
    began = time.perf_counter()
    train(arch, grid, splits, TrainSettings(epochs, 64, 0.99), 10, device)
    torch.cuda.synchronize() if device.type == "cuda" else None
    results.put((time.perf_counter() - began) / epochs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="4x200")
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--k", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=55_000)
    parser.add_argument("--json", help="append the results here (JSON lines)")
    args = parser.parse_args()
    context = mp.get_context("spawn")
    rows = []
    for n in args.jobs:
        barrier, results = context.Barrier(n), context.Queue()
        processes = [
            context.Process(target=job, args=(args.arch, args.k, args.epochs, args.n_train, barrier, results))
            for _ in range(n)
        ]
        for p in processes:
            p.start()
        times = [results.get() for _ in range(n)]
        for p in processes:
            p.join()
        slowest = max(times)
        per_model = slowest / (n * args.k)  # all n*k models advanced one epoch in `slowest` s
        rows.append({"arch": args.arch, "k": args.k, "jobs": n, "epoch_s": slowest, "per_model_s": per_model})
    alone = rows[0]["per_model_s"]
    print(f"{'arch':>6} {'K':>3} {'jobs':>4} {'s/epoch (slowest job)':>22} {'s/epoch/model':>14} {'vs 1 job':>9}")
    for r in rows:
        print(
            f"{r['arch']:>6} {r['k']:>3} {r['jobs']:>4} {r['epoch_s']:>22.3f} {r['per_model_s']:>14.4f} "
            f"{alone / r['per_model_s']:>8.2f}x"
        )
    if args.json:
        with open(args.json, "a") as handle:
            for r in rows:
                handle.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
