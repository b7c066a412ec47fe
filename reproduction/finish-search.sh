#!/bin/bash
# After a reproduction part has finished training (trained in RUN, its own worktree, by the
# command in its config's header): draw every figure and table with this checkout's code,
# collect its small outputs and training logs into DEST, score DEST again with this
# checkout's code and check that it gives the run's own scorecard byte for byte, and print
# the learning-rate search as Markdown for DEST's README. Run from the repository root, the
# venv active:
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
python reproduction/collect.py "$RUN/results" "$DEST"
mkdir -p "$DEST/logs"
for net in "$RUN"/results/train/*/*/; do
    dataset=$(basename "$(dirname "$net")")
    cp -p "$RUN/results/logs/train/$dataset/$(basename "$net")"*.log "$DEST/logs/"
done
python reproduction/rescore.py "$DEST" --configfile "${CONFIGS[@]}"
if cmp "$RUN/results/scorecard.csv" "$DEST/results/scorecard.csv"; then
    echo "rescored: the same scorecard.csv as the run's"
else
    echo "rescored: scorecard.csv differs from the run's (see git diff $DEST/results)" >&2
    exit 1
fi
python reproduction/core_hours.py >reproduction/core-hours.md
python reproduction/search_table.py "$DEST"
echo "done: $(($(date +%s) - began)) s"
