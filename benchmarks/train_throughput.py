"""Training throughput per model: the batched trainer vs the conventional DataLoader loop.

Both train MNIST-shaped data (55 000 samples, 784 features, 10 classes; random pixels,
since speed does not depend on them) with batch 64 and Adam. The conventional loop is
what a per-run script does: a TensorDataset in host memory, a shuffling DataLoader, one
nn.Sequential, each batch copied to the device, loss.item() every step, a validation
pass at the end of the epoch. The batched trainer is ``actstudy.training.trainer.Trainer`` as
the pipeline runs it (its per-epoch validation pass included), with K runs per job.

Both are timed per epoch in steady state, as a 300-epoch run spends its time: the
batched trainer's first epoch is a warm-up (on CUDA it captures the graph; a compiled
Adam update compiles), and the job's one-off work (data to the device, K
initialisations, what the warm-up epoch took beyond a steady one, the final evaluation
of every split) is printed separately as "job overhead".

    python benchmarks/train_throughput.py --device cpu --archs 4x200 --models 1 6 12
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time

import numpy as np
import torch
import torch.nn.functional as F

from actstudy.core.config import Architecture, RunGrid
from actstudy.data.splits import Splits
from actstudy.training.device import configure_process
from actstudy.training.models import reference_mlp
from actstudy.training.trainer import Trainer, TrainSettings

N_TRAIN, N_VAL, N_FEATURES = 55_000, 5_000, 784


def synthetic_mnist(n_train: int) -> Splits:
    rng = np.random.default_rng(0)

    def part(n):
        return rng.integers(0, 256, (n, N_FEATURES), dtype=np.uint8), rng.integers(0, 10, n)

    (xt, yt), (xv, yv) = part(n_train), part(max(1, N_VAL * n_train // N_TRAIN))  # validation scales along
    return Splits(xt, yt, xv, yv, xv[:1000], yv[:1000], 255.0, 0)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def dataloader_epoch_seconds(arch: Architecture, splits: Splits, device: torch.device, steps: int | None) -> float:
    """Seconds per epoch of the conventional one-model loop (steps extrapolated from
    ``steps`` of them, plus one validation pass)."""
    x = torch.as_tensor(splits.x_train).float() / 255
    y = torch.as_tensor(splits.y_train)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
    val = torch.utils.data.TensorDataset(torch.as_tensor(splits.x_val).float() / 255, torch.as_tensor(splits.y_val))
    model = reference_mlp(arch, N_FEATURES, 10, torch.Generator().manual_seed(0)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    total = len(loader) if steps is None else min(steps, len(loader))
    began = None
    for step, (xb, yb) in enumerate(loader):
        if step == 10:  # warm-up done
            sync(device)
            began = time.perf_counter()
        if step == total + 10:
            break
        xb, yb = xb.to(device), yb.to(device)
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    sync(device)
    measured = min(total + 10, len(loader)) - 10
    training = (time.perf_counter() - began) / measured * len(loader)
    began = time.perf_counter()
    model.eval()
    with torch.no_grad():
        for xb, yb in torch.utils.data.DataLoader(val, batch_size=1000):
            (model(xb.to(device)).argmax(1) == yb.to(device)).sum().item()
    return training + time.perf_counter() - began


def batched_epoch_seconds(
    arch: Architecture,
    k: int,
    splits: Splits,
    device: torch.device,
    epochs: int,
    graphs: bool = True,
    adam_update: str | None = None,
) -> tuple[float, float]:
    """Seconds per epoch of the batched trainer with k runs (the mean over ``epochs``
    epochs after a warm-up epoch), and the job's one-off seconds besides its epochs."""
    grid = RunGrid(tuple(1e-3 * (1 + i) for i in range(k)), (0,))  # k distinct runs
    sync(device)
    began = time.perf_counter()
    trainer = Trainer(arch, grid, splits, TrainSettings(1 + epochs, 64, 0.99), 10, device, graphs, adam_update)
    trainer.run()
    sync(device)
    per_epoch = sum(trainer.epoch_seconds[1:]) / epochs
    return per_epoch, time.perf_counter() - began - per_epoch * (1 + epochs)  # overhead: warm-up extra included


def matmul_epoch_seconds(
    arch: Architecture, k: int, device: torch.device, n_train: int, batch: int = 64, repeats: int = 20
) -> tuple[float, float]:
    """Seconds per epoch of a K-run step's matrix products alone (each layer's forward
    product, its input gradient except the first layer's, its weight gradient: the
    trainer's shapes, [K, batch, in] x [K, in, out]), and their GFLOP/s: the floor the
    trainer's epoch approaches when nothing else costs."""
    widths = [N_FEATURES] + [arch.width] * arch.depth + [10]
    shapes = list(zip(widths, widths[1:]))
    h = [torch.randn(k, batch, n_in, device=device) for n_in, _ in shapes]
    g = [torch.randn(k, batch, n_out, device=device) for _, n_out in shapes]
    w = [torch.randn(k, n_in, n_out, device=device) for n_in, n_out in shapes]

    def step():
        for layer in range(len(shapes)):
            torch.matmul(h[layer], w[layer])
            if layer:
                torch.matmul(g[layer], w[layer].transpose(1, 2))
            torch.matmul(h[layer].transpose(1, 2), g[layer])

    step()
    sync(device)
    began = time.perf_counter()
    for _ in range(repeats):
        step()
    sync(device)
    seconds = (time.perf_counter() - began) / repeats
    flops = sum(2 * k * batch * a * b * (3 if i else 2) for i, (a, b) in enumerate(shapes))
    return seconds * math.ceil(n_train / batch), flops / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--archs", nargs="+", default=["4x200", "8x800"], help="DEPTHxWIDTH")
    parser.add_argument("--models", nargs="+", type=int, default=[1, 6, 12], help="runs per batched job")
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs of the batched trainer")
    parser.add_argument("--loader-steps", type=int, default=None, help="time only this many DataLoader steps")
    parser.add_argument("--n-train", type=int, default=N_TRAIN)
    parser.add_argument("--tf32", action="store_true", help="also time the batched trainer with TF32 matmuls")
    parser.add_argument("--no-graphs", action="store_true", help="also time the batched trainer without CUDA graphs")
    parser.add_argument(
        "--compiled-adam", action="store_true", help="also time it with the torch.compile'd Adam update"
    )
    parser.add_argument(
        "--matmul-floor", action="store_true", help="also time each K's matrix products alone (the floor)"
    )
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    configure_process(torch.get_num_threads())  # as the pipeline's train job; both loops run under it
    device = torch.device(args.device)
    splits = synthetic_mnist(args.n_train)
    rows = []
    for spec in args.archs:
        depth, width = (int(v) for v in spec.split("x"))
        arch = Architecture("mnist", depth, width, False, "relu")
        baseline = dataloader_epoch_seconds(arch, splits, device, args.loader_steps)
        rows.append(
            {"arch": spec, "method": "dataloader", "k": 1, "epoch_s": baseline, "per_model_s": baseline, "speedup": 1.0}
        )
        variants = [("batched", True, False, None)]  # method, CUDA graphs, TF32, Adam update (None: default)
        if args.no_graphs and device.type == "cuda":
            variants.append(("no-graphs", False, False, None))
        if args.tf32 and device.type == "cuda":
            variants.append(("tf32", True, True, None))
        if args.compiled_adam:
            variants.append(("compiled", True, False, "compiled"))
            if args.tf32 and device.type == "cuda":
                variants.append(("comp+tf32", True, True, "compiled"))
        if args.matmul_floor:
            for k in sorted({1, *args.models}):
                seconds, gflops = matmul_epoch_seconds(arch, k, device, args.n_train)
                rows.append(
                    {
                        "arch": spec,
                        "method": "matmuls",
                        "k": k,
                        "epoch_s": seconds,
                        "per_model_s": seconds / k,
                        "speedup": baseline / (seconds / k),
                        "gflops": gflops,
                    }
                )
        for method, graphs, tf32, update in variants:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            for k in args.models:
                seconds, overhead = batched_epoch_seconds(arch, k, splits, device, args.epochs, graphs, update)
                rows.append(
                    {
                        "arch": spec,
                        "method": method,
                        "k": k,
                        "epoch_s": seconds,
                        "per_model_s": seconds / k,
                        "speedup": baseline / (seconds / k),
                        "overhead_s": overhead,
                    }
                )
        torch.backends.cuda.matmul.allow_tf32 = False
    name = torch.cuda.get_device_name() if device.type == "cuda" else platform.processor() or platform.machine()
    print(
        f"device: {device} ({name}), torch {torch.__version__}, threads {torch.get_num_threads()}, n_train {args.n_train}"
    )
    scale = N_TRAIN / args.n_train  # times are reported per epoch of 55 000 samples
    for r in rows:
        r["epoch_s"], r["per_model_s"] = r["epoch_s"] * scale, r["per_model_s"] * scale
    if scale != 1:
        print(f"(timed on {args.n_train} samples per epoch; times scaled to {N_TRAIN}, job overhead as timed)")
    print(
        f"{'arch':>7} {'method':>10} {'K':>3} {'s/epoch':>9} {'s/epoch/model':>14} {'vs DataLoader':>14} {'job overhead s':>15}"
    )
    for r in rows:
        overhead = f"{r['overhead_s']:>15.2f}" if "overhead_s" in r else ""
        if "gflops" in r:
            overhead = f"{'':>15} ({r['gflops']:.0f} GFLOP/s)"
        print(
            f"{r['arch']:>7} {r['method']:>10} {r['k']:>3} {r['epoch_s']:>9.3f} {r['per_model_s']:>14.3f} {r['speedup']:>13.2f}x {overhead}"
        )
    if args.matmul_floor:
        a = torch.randn(2048, 2048, device=device)
        torch.matmul(a, a)
        sync(device)
        began = time.perf_counter()
        for _ in range(10):
            torch.matmul(a, a)
        sync(device)
        peak = 10 * 2 * 2048**3 / (time.perf_counter() - began) / 1e9
        print(f"this machine's matmul rate, 2048 x 2048 float32: {peak:.0f} GFLOP/s")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"device": str(device), "name": name, "torch": torch.__version__, "rows": rows}, handle, indent=2)


if __name__ == "__main__":
    main()
