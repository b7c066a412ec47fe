#!/usr/bin/env bash
# Everything this project measures on a lent GPU, in one call (the device tool runs it
# in the repository root; $OUT comes back). Needs the four MNIST .gz files in
# .device/mnist/ (a git-excluded folder carried with the call).
set -uo pipefail
export PYTHONPATH=src PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 benchmarks/gpu_check.py --mnist .device/mnist --epochs "${EPOCHS:-30}" --out "$OUT" 2>&1 | tee "$OUT/gpu_check.log"
python3 benchmarks/train_throughput.py --device cuda --archs 4x200 8x800 --models 1 9 36 --epochs 2 \
    --loader-steps 300 --no-graphs --tf32 --json "$OUT/throughput_gpu.json" 2>&1 | tee "$OUT/throughput_gpu.log"
