#!/usr/bin/env bash
# Everything this project measures on a lent GPU, in one call (the device tool runs it
# in the repository root; $OUT comes back). Needs the four MNIST .gz files in
# .device/mnist/ (a git-excluded folder carried with the call). Pick the parts with
# PARTS (default: all): check throughput tf32 concurrent classifiers.
set -uo pipefail
export PYTHONPATH="$PWD/src" PYTHONUNBUFFERED=1
PARTS=${PARTS:-check throughput tf32 concurrent classifiers}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
for part in $PARTS; do
    case $part in
    check)
        python3 benchmarks/gpu_check.py --mnist .device/mnist --epochs "${EPOCHS:-30}" --out "$OUT" 2>&1 | tee "$OUT/gpu_check.log" ;;
    throughput)
        python3 benchmarks/train_throughput.py --device cuda --archs 4x200 8x800 --models 1 9 36 --epochs 2 \
            --loader-steps 300 --no-graphs --tf32 --compiled-adam --matmul-floor --json "$OUT/throughput_gpu.json" 2>&1 | tee "$OUT/throughput_gpu.log" ;;
    tf32)
        python3 benchmarks/tf32_check.py --mnist .device/mnist --epochs "${TF32_EPOCHS:-20}" --out "$OUT" 2>&1 | tee "$OUT/tf32_check.log" ;;
    concurrent)
        (cd benchmarks && python3 concurrent_jobs.py --arch 4x200 --jobs 1 2 4 --k 9 --epochs 3 --json "$OUT/concurrent.jsonl"
         python3 concurrent_jobs.py --arch 8x800 --jobs 1 2 --k 9 --epochs 2 --json "$OUT/concurrent.jsonl") 2>&1 | tee "$OUT/concurrent.log" ;;
    classifiers)
        mkdir -p /tmp/mirror && ln -sfn "$PWD/.device/mnist" /tmp/mirror/mnist
        python3 benchmarks/classifiers.py --mirror /tmp/mirror --device cuda 2>&1 | tee "$OUT/classifiers_gpu.log" ;;
    esac
done
