#!/usr/bin/env bash
# One command from the corpora to a model package: data, train, export, goldens, evaluation, model card.
#   bash models/training/build_package.sh small ac-small-cpu-v1            # 2 CPU cores, ~80 minutes + evaluation
#   bash models/training/build_package.sh release ac-release-gpu-v1         # one CUDA GPU, ~10 minutes + evaluation
#   STAGES="data train" bash models/training/build_package.sh release X     # e.g. only data and training (GPU box without node)
# Env: RUN (training folder, default build/runs/CONFIG), PY (python, default .venv/bin/python, made by scripts/ensure-python.sh), CORPORA (default ../shared/corpora), EVAL_LIMIT (segments per set),
#      DTYPE (int8|fp16|fp32, default int8), TORCHRUN_GPUS (train with torchrun on N GPUs).
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${1:?config: tiny|small|release}
ID=${2:?package id, e.g. ac-small-cpu-v1}
PY=${PY:-.venv/bin/python}
CORPORA=${CORPORA:-../shared/corpora}
STAGES=${STAGES:-"data train export golden evaluate card"}
RUN=${RUN:-build/runs/$CONFIG}
PKG=models/$ID
has() { [[ " $STAGES " == *" $1 "* ]]; }

if has data && [ ! -f build/data/train.tsv ]; then $PY -m models.training.data --corpora "$CORPORA" --out build/data; fi
if has train; then
  if [ -n "${TORCHRUN_GPUS:-}" ]; then torchrun --nproc_per_node="$TORCHRUN_GPUS" -m models.training.train --config "$CONFIG" --out "$RUN"
  else $PY -m models.training.train --config "$CONFIG" --out "$RUN"; fi
fi
if has export; then $PY -m models.training.export --run "$RUN" --out "$PKG" --dtype "${DTYPE:-int8}" --id "$ID"; fi
if has golden; then
  $PY -m models.training.golden --run "$RUN" --package "$PKG" --out test/fixtures/engine-golden.json
  $PY -m models.training.tokenizer golden --model "$PKG/tokenizer.model" --out test/fixtures/tokenizer-golden.jsonl
  cp "$PKG/tokenizer.json" test/fixtures/tokenizer-golden.model.json
fi
if has evaluate; then
  node scripts/build.mjs
  $PY -m models.training.evaluate --package "$PKG" --corpora "$CORPORA" ${EVAL_LIMIT:+--limit "$EVAL_LIMIT"}
fi
if has card; then $PY -m models.training.card --run "$RUN" --package "$PKG"; fi
echo "package: $PKG ($(du -sh "$PKG" | cut -f1)); make it the default with: echo $ID > models/DEFAULT"
