"""Hardware floor of the study's training grid: how few GPU-hours it could take at all.

Counts, for every training job of a config (default: config/paper.yaml), the matmul
arithmetic (forward, input and weight gradients: 6 FLOP per weight and sample, minus
the first layer's input gradient) and the memory traffic every optimisation step must
make at the least: a fused Adam reads parameter, gradient and both moments and writes
parameter and moments (28 bytes per parameter), and the matmuls read each weight twice
and write its gradient (12 bytes) -- a width-800 job's weights do not fit the GPU's L2
cache (a width-200 job's do, so its share of the memory floor is an upper bound).
Divides them by a GPU's peak rates. Real kernels reach a fraction of peak, so the
achievable time is higher; a floor above a goal means the goal cannot be met that way.

    python benchmarks/grid_floor.py [--config config/paper.yaml]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import yaml

from actstudy.core.config import run_grids
from actstudy.data.datasets import info
from actstudy.training.resources import n_parameters

# Peak rates from NVIDIA's data sheets (SXM parts; dense, no sparsity).
GPUS = {
    "H100 SXM": {"fp32": 67e12, "tf32": 495e12, "bandwidth": 3.35e12},
    "H200": {"fp32": 67e12, "tf32": 495e12, "bandwidth": 4.8e12},
}
BYTES_PER_PARAMETER_STEP = {"fused Adam": 28 + 12, "foreach Adam (ours on CUDA)": 22 * 4 + 12}
DEPTHS = {2, 4, 6, 8}  # with widths 200 and 800: the core grid of the performance issue
SUBSETS = {
    "core grid (depths 2-8, widths 200/800)": lambda arch: arch.depth in DEPTHS and arch.width in (200, 800),
    "its width-800 jobs alone": lambda arch: arch.depth in DEPTHS and arch.width == 800,
    "every job of the config": lambda arch: True,
}


def grid_counts(config: dict, include, epochs: int) -> dict[str, float]:
    flops = parameter_steps = runs = 0
    for arch, grid in run_grids(config).items():
        if not include(arch):
            continue
        n_train, n_in = info(arch.dataset).n_train, info(arch.dataset).n_features
        steps = math.ceil(n_train / 64) * epochs * len(grid.runs)
        params = n_parameters(arch)
        flops += (6 * params - 2 * n_in * arch.width) * n_train * epochs * len(grid.runs)
        parameter_steps += params * steps
        runs += len(grid.runs)
    return {"runs": runs, "flops": flops, "parameter_steps": parameter_steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path(__file__).parents[1] / "config/paper.yaml")
    args = parser.parse_args()
    config = yaml.safe_load(args.config.read_text())
    epochs = int(config["training"]["epochs"])
    for label, include in SUBSETS.items():
        counts = grid_counts(config, include, epochs)
        print(
            f"\n{label}: {counts['runs']} runs x {epochs} epochs, {counts['flops']:.3g} FLOP, "
            f"{counts['parameter_steps']:.3g} parameter-steps"
        )
        for gpu, rate in GPUS.items():
            fp32_h = counts["flops"] / rate["fp32"] / 3600
            tf32_h = counts["flops"] / rate["tf32"] / 3600
            for optimizer, nbytes in BYTES_PER_PARAMETER_STEP.items():
                memory_h = counts["parameter_steps"] * nbytes / rate["bandwidth"] / 3600
                print(
                    f"  {gpu}, {optimizer}: memory {memory_h:.2f} h + arithmetic FP32 {fp32_h:.2f} h "
                    f"= {memory_h + fp32_h:.2f} h (with TF32 matmuls {memory_h + tf32_h:.2f} h)"
                )


if __name__ == "__main__":
    main()
