#!/usr/bin/env bash
# The training pipeline end to end on a tiny config (CI has no GPU): data -> tokenizer -> train -> ONNX export ->
# PyTorch references -> the TypeScript engine must reproduce them (round trip). About 2-3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
W=build/ci-pipeline
rm -rf "$W/run" "$W/package" "$W/resume"
mkdir -p "$W"
PY=.venv/bin/python
[ -f "$W/data/train.tsv" ] || $PY -m models.training.data --corpora "${AC_CORPORA:-../shared/corpora}" --out "$W/data" --no-debian --max-per-source 400 > "$W/data.log"
$PY -m models.training.train --config tiny --data "$W/data" --out "$W/run" > "$W/train.log"
tail -n 1 "$W/train.log"
$PY -m models.training.export --run "$W/run" --out "$W/package" --dtype int8 --id ci-tiny --shortlist-data "$W/data/train.tsv" > "$W/export.log" 2>&1
# The round trip below must run the search step graph (plain translation's step when a package has it).
grep -q '"decoderStepSearch"' "$W/package/manifest.json" || { echo "export wrote no decoderStepSearch graph" >&2; exit 1; }
grep -q '"searchShortlists"' "$W/package/manifest.json" || { echo "export wrote no shortlisted search step graphs" >&2; exit 1; }
# And the decoderAttn graph (a translation's attention in one run, checked against PyTorch's steps by the golden test).
grep -q '"decoderAttn"' "$W/package/manifest.json" || { echo "export wrote no decoderAttn graph" >&2; exit 1; }
$PY -m models.training.golden --run "$W/run" --package "$W/package" --out "$W/package/golden.json"
AC_GOLDEN_PACKAGE="$W/package" AC_GOLDEN_FILE="$W/package/golden.json" node --test out/test/golden/engine.test.js
# Resuming from committed state (a package + models/training/state/*.json, no optimizer state), as a new clone does.
$PY -m models.training.tests.resume_check --run "$W/run" --data "$W/data" --work "$W/resume" 2>/dev/null | tail -n 4
