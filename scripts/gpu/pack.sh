#!/usr/bin/env bash
# Packs what a GPU machine needs to train `release` (the device tool carries at most 64 MiB, and not ../shared):
# the cleaned data, xz-compressed, into build/gpu-carry/. Then, on the device machine:
#   bash scripts/gpu/train.sh release     (writes $OUT/model.pt, tokenizer.model, log.jsonl)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f build/data/train.tsv ] || .venv/bin/python -m models.training.data --out build/data
mkdir -p build/gpu-carry
for f in train.tsv dev.tsv spm.txt stats.json; do xz -T2 -6 -c "build/data/$f" > "build/gpu-carry/$f.xz"; done
du -sh build/gpu-carry
