#!/usr/bin/env bash
# The readings of a refinement run's coarse grid (round 0: the three initial learning rates),
# Tables 5.1/5.2 only, as if the run had not refined (reproduction/no-refine.yaml on top):
#   bash reproduction/round0-readings.sh RUN_RESULTS DEFAULT_TABLES DEST READING[,READING...] -- CONFIGFILE...
# RUN_RESULTS: the refinement run's results/ (its data/ and train/<dataset>/<net>/round0/ are
# read, never written); DEFAULT_TABLES: the tables the summary's `default` column shows;
# DEST: where readings/<reading>/ and readings/tables.csv|md land (reproduction/readings.py).
# Example (issue 22, the 8x200 batch-norm nets):
#   bash reproduction/round0-readings.sh /work/run8bn/results reproduction/mnist-8x200/results/tables \
#     reproduction/mnist-8x200/bn-300 learning_rate_0.01,learning_rate_0.001,learning_rate_0.0001 -- \
#     config/paper.yaml config/overrides/reproduce-mnist-8x200.yaml reproduction/mnist-8x200/refine-bn.yaml
set -euo pipefail
RUN=$(realpath "$1"); TABLES=$(realpath "$2"); DEST=$3; ONLY=$4; shift 4
[ "${1:-}" = "--" ] && shift
REPO=$(cd "$(dirname "$0")/.." && pwd); PY=${PY:-$REPO/.venv/bin/python}
SCRATCH=${SCRATCH:-/tmp/actstudy-round0}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH/results/tables"
cp -a "$RUN/data" "$SCRATCH/results/"
for round0 in "$RUN"/train/*/*/round0; do
  net=${round0#"$RUN"/train/}; net=${net%/round0}
  mkdir -p "$SCRATCH/results/train/$net"
  cp -a "$round0/." "$SCRATCH/results/train/$net/"
  rm -f "$SCRATCH/results/train/$net/plan.json"
  echo "round 0 of $net"
done
cp -a "$TABLES/." "$SCRATCH/results/tables/"
configs=(); for c in "$@" "$REPO/reproduction/no-refine.yaml"; do configs+=("$(realpath "$c")"); done
cd "$REPO"
"$PY" reproduction/readings.py "$SCRATCH/results" "$DEST" --mirror "${MIRROR:-../shared/datasets}" \
  --configfile "${configs[@]}" --tables-only --only ${ONLY//,/ } --scratch "$SCRATCH-readings"
