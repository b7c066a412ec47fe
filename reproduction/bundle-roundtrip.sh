#!/bin/bash
# Restore instead of retrain, on a real reproduction: export the trained MNIST 8x200 nets
# of RUN (a finished run's folder) as a bundle, restore it into a fresh clone of this
# checkout at CLONE, check that nothing is left to train there, rebuild every figure,
# table and the scorecard from the restored nets, and compare every result CSV with
# RUN's. Prints the size and the time of each step. Run from the repository root, the
# venv active:
#   bash reproduction/bundle-roundtrip.sh RUN CLONE MIRROR
# e.g. bash reproduction/bundle-roundtrip.sh /work/run8 /tmp/restored-8x200 ../shared/datasets
set -euo pipefail
RUN=$(realpath "$1")
CLONE=$(realpath -m "$2")
MIRROR=$(realpath "$3")
REPO=$(pwd)
CONFIGS=(config/paper.yaml config/overrides/reproduce-mnist-8x200.yaml)
[ -e "$CLONE" ] && { echo "$CLONE exists: give a new folder" >&2; exit 2; }
seconds() { echo $(( $(date +%s) - $1 )); }

# 1. Export (nothing is retrained: the nets were trained by an earlier commit, see
#    finish-8x200.sh for why --rerun-triggers mtime).
began=$(date +%s)
snakemake --snakefile Snakefile --directory "$RUN" --cores 1 --rerun-triggers mtime \
    --configfile "${CONFIGS[@]}" --config "data={\"mirror\": \"$MIRROR\"}" -- bundle
TAR="$RUN/results/bundle/results.tar"
echo "export: $(seconds "$began") s, $(du -b "$TAR" | cut -f1) bytes, sha256 $(sha256sum "$TAR" | cut -c1-64)"

# 2. A fresh clone of this checkout's commit, its config pointing at the same mirror.
git clone -q "$REPO" "$CLONE"
printf 'data:\n  mirror: %s\n' "$MIRROR" > "$CLONE/mirror.yaml"
cd "$CLONE"
CLONE_CONFIGS=("${CONFIGS[@]}" mirror.yaml)

# 3. Restore: verify every checksum, compare code and config, write, record.
began=$(date +%s)
python -m actstudy.restore "$TAR" --configfile "${CLONE_CONFIGS[@]}"
echo "restore: $(seconds "$began") s"

# 4. What is left to run: no training job may be planned.
snakemake -n --quiet rules --configfile "${CLONE_CONFIGS[@]}" > dry-run.txt 2>&1
cat dry-run.txt
if grep -Eq '^(train|train_round|merge_rounds|plan_round|download|prepare)[[:space:]]' dry-run.txt; then
    echo "FAILED: the dry run after the restore plans training or data jobs" >&2
    exit 1
fi

# 5. Rebuild everything downstream of training.
began=$(date +%s)
snakemake --cores 2 --configfile "${CLONE_CONFIGS[@]}"
echo "rebuild: $(seconds "$began") s"

# 6. Every result CSV the rebuild made, compared with the original run's.
same=0; differ=0
while IFS= read -r -d '' file; do
    if cmp -s "$file" "$RUN/$file"; then same=$((same + 1)); else differ=$((differ + 1)); echo "differs: $file"; fi
done < <(find results -name '*.csv' -not -path 'results/benchmarks/*' -print0)
echo "result CSVs: $same identical, $differ differ"
