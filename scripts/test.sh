#!/usr/bin/env bash
# npm test: installs what is missing, then runs the Python pipeline tests, the unit and golden tests (node --test),
# the slow memory soak, the tiny train/export round trip, the end-to-end tests in code-server + chromium, and the
# benchmark's smoke run (npm run bench -- --quick without the WebGPU column: every row printed; figures reported,
# never asserted). SKIP_E2E=1 / SKIP_BENCH=1 skip those two.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-python.sh
node scripts/build.mjs --tests
npx tsc -p . --noEmit
echo "== Python pipeline unit tests"
.venv/bin/python -m unittest discover -s models/training/tests -t . 2>&1 | tail -n 4
echo "== Unit and golden tests (TypeScript engine, onnxruntime-web WASM in Node)"
node --test out/test/unit/ out/test/golden/
echo "== Slow soak: 100 translations of the default package, RSS growth under 20 MB"
node --expose-gc --test out/test/soak/
echo "== Tiny training run, ONNX export and engine round trip"
bash scripts/test-pipeline.sh
if [ "${SKIP_E2E:-}" != 1 ]; then
  echo "== End-to-end tests (code-server + chromium)"
  node test/e2e/run.mjs
fi
if [ "${SKIP_BENCH:-}" != 1 ]; then
  echo "== Benchmark smoke (one sample per row: Node WASM, Chromium WASM, PyTorch)"
  node bench/smoke.mjs
fi
