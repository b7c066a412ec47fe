#!/bin/bash
# After the MNIST 8x200 training has finished (trained in RUN, a separate folder or
# worktree, by the command in reproduction/mnist-8x200/README.md): analyse it with this
# checkout's code, collect its small outputs and training logs, score both MNIST columns
# at once, and score the readings. Run from the repository root, the venv active:
#   bash reproduction/finish-8x200.sh RUN MIRROR
# e.g. bash reproduction/finish-8x200.sh /work/run8 ../shared/datasets
# READINGS=0 leaves out the last step, scoring the readings (reproduction/readings.py).
# --rerun-triggers mtime: the nets were trained by an earlier commit whose training
# code reads the same but is laid out differently; only missing or older files rerun,
# so nothing is retrained.
set -euo pipefail
RUN=$(realpath "$1")
MIRROR=$(realpath "$2")
CONFIGS=(config/paper.yaml config/overrides/reproduce-mnist-8x200.yaml)
began=$(date +%s)
snakemake --snakefile Snakefile --directory "$RUN" --cores 2 --rerun-triggers mtime \
    --configfile "${CONFIGS[@]}" --config "data={\"mirror\": \"$MIRROR\"}"
echo "analysis: $(( $(date +%s) - began )) s"
python reproduction/collect.py "$RUN/results" reproduction/mnist-8x200
mkdir -p reproduction/mnist-8x200/logs
cp -p "$RUN"/results/logs/train/mnist/d8_w200_*.log reproduction/mnist-8x200/logs/
python reproduction/rescore.py reproduction/mnist \
    --part reproduction/mnist-4x200 config/paper.yaml config/overrides/reproduce-mnist-4x200.yaml \
    --part reproduction/mnist-8x200 "${CONFIGS[@]}"
if [ "${READINGS:-1}" = 0 ]; then
    echo "done (readings left out): $(( $(date +%s) - began )) s"
    exit 0
fi
python reproduction/readings.py "$RUN/results" reproduction/mnist-8x200 --mirror "$MIRROR" \
    --configfile "${CONFIGS[@]}" --scratch /tmp/actstudy-readings-8x200
echo "done: $(( $(date +%s) - began )) s"
