#!/usr/bin/env bash
# The default pipeline from an empty folder at two commits, one after the other, on an
# otherwise idle machine; then each run's per-rule breakdown and a cmp of every result CSV.
#   bash benchmarks/compare_pipeline.sh BEFORE AFTER   # commits, e.g. 3ff468b HEAD
# Each commit runs from a worktree of its own (/tmp/m-<commit>) with its own package on
# PYTHONPATH, into /tmp/run-<commit>-1.
set -u
cd "$(dirname "$0")/.."
BEFORE=$(git rev-parse --short "$1"); AFTER=$(git rev-parse --short "$2")
PY=${PY:-.venv/bin/python}
echo "# $(date -u) before $BEFORE after $AFTER"
# Snakemake's start, once: where SLURM's client is installed but no controller answers
# (this machine after the SLURM test, in a later session), the SLURM plugin waits ~9 s on
# `scontrol show config` each time Snakemake starts; bash tests/slurm/start_local_slurm.sh
# brings the test cluster back.
s=$(date +%s.%N); $PY -m snakemake --version >/dev/null; e=$(date +%s.%N)
echo "snakemake --version: $(echo "$e - $s" | bc) s"
if command -v sinfo >/dev/null && ! timeout 20 scontrol ping 2>/dev/null | grep -q UP; then
  echo "WARNING: SLURM's client is installed and no controller answers: every Snakemake start waits for scontrol"
fi
for c in $BEFORE $AFTER; do
  git worktree remove --force /tmp/m-$c 2>/dev/null; rm -rf /tmp/m-$c
  git worktree add -f --detach /tmp/m-$c $c >/dev/null 2>&1
done
for c in $BEFORE $AFTER; do
  d=/tmp/run-$c-1; rm -rf $d; mkdir -p $d; cp /tmp/m-$c/config.yaml $d/
  s=$(date +%s.%N)
  PYTHONPATH=/tmp/m-$c/src $PY -m snakemake --snakefile /tmp/m-$c/Snakefile --directory $d --cores 2 > $d/sm.log 2>&1
  rc=$?
  e=$(date +%s.%N)
  echo "commit $c rc $rc wall $(echo "$e - $s" | bc)"
done
for c in $BEFORE $AFTER; do
  echo "== /tmp/run-$c-1"
  PYTHONPATH=/tmp/m-$c/src $PY /tmp/m-$c/benchmarks/pipeline_breakdown.py --results /tmp/run-$c-1/results
done
n=0; bad=0
for f in $(cd /tmp/run-$BEFORE-1 && find results -name '*.csv' -not -path '*/benchmarks/*' | sort); do
  n=$((n+1)); cmp -s /tmp/run-$BEFORE-1/$f /tmp/run-$AFTER-1/$f || { bad=$((bad+1)); echo "differs: $f"; }
done
echo "$n CSV compared, $bad differ"
