#!/usr/bin/env bash
# One device call (scripts/gpu/pack.sh first, then `run` with carry build/gpu-carry): trainings share the GPU,
#  - CONTS: the committed cpu model (models/training/state/cpu.json) continued under each config named there
#    (default `cpu-gpu`: its own shape and schedule), and
#  - RELEASE: a config from scratch (default `release`, the paper's shape at our size: 6 encoder layers) with the cpu
#    model's tokenizer; RELEASE= runs none,
# each a small Python process that leaves most of an H200 idle, so together they cost one call. Their weights come
# back as float16 in one tar split under 16 MiB ($OUT/gpu.tar.part-*): rejoin with `cat gpu.tar.part-* | tar x`.
#   bash scripts/gpu/session.sh [release minutes] [continuation minutes]
# COOLDOWN_MINUTES: every run's last N minutes cool its rate to zero (train.py --cooldown-minutes), so a run whose
# speed on this GPU is a guess still ends cooled.
# Rehearsal here: RELEASE=tiny RELEASE_TOKENIZER= CONT_STEPS=20 OUT=build/gpu-out PY=.venv/bin/python bash scripts/gpu/session.sh 0.3 1
set -uo pipefail
cd "$(dirname "$0")/../.."
RELEASE=${RELEASE-release}
CONTS=${CONTS:-cpu-gpu}
OUT=${OUT:-build/gpu-out}
PY=${PY:-python3}
# the committed cpu model's tokenizer (beside the state, or in the package it names); empty: the config trains its own
RELEASE_TOKENIZER=${RELEASE_TOKENIZER-$($PY -c 'from models.training.continuation import read_state; s = read_state("cpu"); print(s.get("tokenizerFile") or s["packageDir"] + "/tokenizer.model")')}
mkdir -p build/data "$OUT" build/gpu-runs
for f in build/gpu-carry/*.xz; do xz -d -c "$f" > "build/data/$(basename "$f" .xz)"; done
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
$PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
$PY -c 'import json; from models.training.continuation import read_state; print(json.dumps(read_state("cpu")))' > build/gpu-runs/cpu-init.json
# INIT_WEIGHTS (a float16 state dict in the carry): the continuations start from these weights, not the committed
# package's int8 ones: a second call in one session goes on from the first's result at full precision
if [ -n "${INIT_WEIGHTS:-}" ]; then
  $PY -c 'import json, sys; p = "build/gpu-runs/cpu-init.json"; s = json.load(open(p)); s["weightsFile"] = sys.argv[1]; json.dump(s, open(p, "w"))' "$INIT_WEIGHTS"
fi
# `timeout`: a run past its time is stopped with room left to send back what it has (its last checkpoint)
pids=() runs=()
if [ -n "$RELEASE" ]; then
  rm -rf "build/gpu-runs/$RELEASE"
  timeout "${RUN_LIMIT_S:-540}" $PY -m models.training.train --config "$RELEASE" --out "build/gpu-runs/$RELEASE" --minutes "${1:-6.5}" \
    ${RELEASE_TOKENIZER:+--tokenizer "$RELEASE_TOKENIZER"} ${COOLDOWN_MINUTES:+--cooldown-minutes "$COOLDOWN_MINUTES"} > "build/gpu-runs/$RELEASE.out" 2>&1 &
  pids+=($!) runs+=("$RELEASE")
fi
for cont in $CONTS; do
  rm -rf "build/gpu-runs/$cont"
  timeout "${RUN_LIMIT_S:-540}" $PY -m models.training.train --config "$cont" --out "build/gpu-runs/$cont" --init-state build/gpu-runs/cpu-init.json \
    --add-minutes "${2:-6.5}" ${CONT_STEPS:+--add-steps "$CONT_STEPS"} ${COOLDOWN_MINUTES:+--cooldown-minutes "$COOLDOWN_MINUTES"} \
    > "build/gpu-runs/$cont.out" 2>&1 &
  pids+=($!) runs+=("$cont")
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}"; echo "${runs[$i]} exit $?"; tail -3 "build/gpu-runs/${runs[$i]}.out"
done
# float16 weights (the export widens them again), the logs, and the last checkpoint where a run did not finish
RUNS="${runs[*]}" $PY - <<'PY'
import torch, glob, os
for run in os.environ["RUNS"].split():
    d = f"build/gpu-runs/{run}"
    if os.path.exists(f"{d}/model.pt"):
        c = torch.load(f"{d}/model.pt", map_location="cpu")
    else:
        ck = sorted(glob.glob(f"{d}/ckpt_*.pt"), key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
        print(run, "has no model.pt; last checkpoint:", ck[-1:] or None)
        if not ck:
            continue
        c = {"model": torch.load(ck[-1], map_location="cpu"), "fallback": ck[-1]}
    c["model"] = {k: v.half() if v.is_floating_point() else v for k, v in c["model"].items()}
    torch.save(c, f"build/gpu-runs/{run}-model.f16.pt")
PY
tar cf build/gpu-runs/gpu.tar -C build/gpu-runs $(cd build/gpu-runs && for r in ${runs[*]}; do ls "$r-model.f16.pt" "$r.out" "$r/log.jsonl" 2>/dev/null; done)
split -b 15M -d build/gpu-runs/gpu.tar "$OUT/gpu.tar.part-"
ls -la "$OUT"
