#!/usr/bin/env bash
# Runs on the GPU machine (or here, for a rehearsal with `tiny`): unpacks build/gpu-carry, trains, exports the
# package, and copies the results to $OUT (default build/gpu-out) in pieces under 16 MiB.
#   bash scripts/gpu/train.sh release [minutes]
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${1:-release}
OUT=${OUT:-build/gpu-out}
PY=${PY:-python3}
mkdir -p build/data "$OUT"
for f in build/gpu-carry/*.xz; do xz -d -c "$f" > "build/data/$(basename "$f" .xz)"; done
NGPU=$($PY -c 'import torch; print(torch.cuda.device_count())')
if [ "$NGPU" -gt 1 ]; then
  torchrun --nproc_per_node="$NGPU" -m models.training.train --config "$CONFIG" --out "build/runs/$CONFIG" ${2:+--minutes "$2"}
else
  $PY -m models.training.train --config "$CONFIG" --out "build/runs/$CONFIG" ${2:+--minutes "$2"}
fi
cp "build/runs/$CONFIG/log.jsonl" "build/runs/$CONFIG/tokenizer.model" "$OUT/"
# model.pt can pass 16 MiB: split it; rejoin with `cat model.pt.part-* > model.pt`.
split -b 15M -d "build/runs/$CONFIG/model.pt" "$OUT/model.pt.part-"
ls -la "$OUT"
