#!/bin/bash
# After a reproduction part has finished training (trained in RUN, its own worktree, by the
# command in its config's header): draw every figure and table with this checkout's code,
# collect its small outputs and training logs into DEST, score DEST again with this
# checkout's code and check that it gives the run's own scorecard byte for byte, and print
# the learning-rate search as Markdown for DEST's README. Run from the repository root, the
# venv active (then `python reproduction/core_hours.py > reproduction/core-hours.md`):
#   bash reproduction/finish-search.sh RUN DEST MIRROR CONFIGFILE...
# e.g. bash reproduction/finish-search.sh /work/run34-p2 \
#   reproduction/mnist-4x200/refine-bn-uniform ../shared/datasets config/paper.yaml \
#   config/overrides/reproduce-mnist-4x200.yaml reproduction/mnist-4x200/refine-bn-uniform.yaml
# --rerun-triggers mtime: a run trained by an earlier commit retrains nothing here; only
# missing or older files are made. What the part moved in a combined scorecard is the
# part's own step (reproduction/rescore.py --replace, then reproduction/moved.py).
set -euo pipefail
RUN=$(realpath "$1")
DEST=$2
MIRROR=$(realpath "$3")
shift 3
CONFIGS=("$@")
began=$(date +%s)
snakemake --snakefile Snakefile --directory "$RUN" --cores 2 --rerun-triggers mtime \
    --configfile "${CONFIGS[@]}" --config "data={\"mirror\": \"$MIRROR\"}" -- all
echo "analysis and figures: $(($(date +%s) - began)) s"
mkdir -p "$DEST/logs"
for trained in "$RUN"/results/train/*/; do
    dataset=$(basename "$trained")
    python reproduction/collect.py "$RUN/results" "$DEST" --dataset "$dataset"
    for net in "$trained"*/; do
        cp -p "$RUN/results/logs/train/$dataset/$(basename "$net")"*.log "$DEST/logs/"
    done
done
python reproduction/rescore.py "$DEST" --configfile "${CONFIGS[@]}"
if cmp "$RUN/results/scorecard.csv" "$DEST/results/scorecard.csv"; then
    echo "rescored: the same scorecard.csv as the run's"
else
    echo "rescored: scorecard.csv differs from the run's (see git diff $DEST/results)" >&2
    exit 1
fi
for trained in "$RUN"/results/train/*/; do
    python reproduction/search_table.py "$DEST" --dataset "$(basename "$trained")"
done
echo "done: $(($(date +%s) - began)) s"
