#!/usr/bin/env bash
# One device call (scripts/gpu/pack.sh first, then `run` with carry build/gpu-carry): two trainings share the GPU,
#  - `release` from scratch (the paper's shape at our size: 6 encoder layers) with the cpu model's tokenizer, and
#  - the committed cpu model (models/training/state/cpu.json) continued on its own schedule (`cpu-gpu`),
# each a small Python process that leaves most of an H200 idle, so together they cost one call. Their weights come
# back as float16 in one tar split under 16 MiB ($OUT/gpu.tar.part-*): rejoin with `cat gpu.tar.part-* | tar x`.
#   bash scripts/gpu/session.sh [release minutes] [continuation minutes]
# Rehearsal here: RELEASE=tiny RELEASE_TOKENIZER= CONT_STEPS=20 OUT=build/gpu-out PY=.venv/bin/python bash scripts/gpu/session.sh 0.3 1
set -uo pipefail
cd "$(dirname "$0")/../.."
RELEASE=${RELEASE:-release}
RELEASE_TOKENIZER=${RELEASE_TOKENIZER-models/training/state/cpu.tokenizer.model}   # empty: the config trains its own
OUT=${OUT:-build/gpu-out}
PY=${PY:-python3}
mkdir -p build/data "$OUT" build/gpu-runs
for f in build/gpu-carry/*.xz; do xz -d -c "$f" > "build/data/$(basename "$f" .xz)"; done
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
$PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
$PY -c 'import json; from models.training.continuation import read_state; print(json.dumps(read_state("cpu")))' > build/gpu-runs/cpu-init.json
rm -rf build/gpu-runs/release build/gpu-runs/cont
# `timeout`: a run past its time is stopped with room left to send back what it has (its last checkpoint)
timeout "${RUN_LIMIT_S:-540}" $PY -m models.training.train --config "$RELEASE" --out build/gpu-runs/release --minutes "${1:-6.5}" \
  ${RELEASE_TOKENIZER:+--tokenizer "$RELEASE_TOKENIZER"} > build/gpu-runs/release.out 2>&1 &
rel=$!
timeout "${RUN_LIMIT_S:-540}" $PY -m models.training.train --config cpu-gpu --out build/gpu-runs/cont --init-state build/gpu-runs/cpu-init.json \
  --add-minutes "${2:-6.5}" ${CONT_STEPS:+--add-steps "$CONT_STEPS"} > build/gpu-runs/cont.out 2>&1 &
cont=$!
wait $cont; echo "continuation exit $?"; tail -3 build/gpu-runs/cont.out
wait $rel; echo "release exit $?"; tail -3 build/gpu-runs/release.out
# float16 weights (the export widens them again), the logs, and the last checkpoint where a run did not finish
$PY - <<'PY'
import torch, glob, os
for run in ("release", "cont"):
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
tar cf build/gpu-runs/gpu.tar -C build/gpu-runs $(cd build/gpu-runs && ls *-model.f16.pt release.out cont.out release/log.jsonl cont/log.jsonl 2>/dev/null)
split -b 15M -d build/gpu-runs/gpu.tar "$OUT/gpu.tar.part-"
ls -la "$OUT"
