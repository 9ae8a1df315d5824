"""One continuation of the CPU model's training, from the newest committed state, in one command:

  .venv/bin/python -m models.training.continuation --config cpu --minutes 120      (npm run train -- --minutes 120)

1. builds build/data from the corpora when it is missing or was built by an older data.py (stats.json's version);
2. resumes build/runs/<config>/last.pt when this machine has it (same lineage, at least as far as the committed
   state), else the committed state: models/training/state/<config>.json names the shipped package whose weights
   continue (fresh Adam moments, a short re-warmup), else starts from scratch;
3. trains for --minutes more (2 DDP ranks x 1 thread on a 2-core CPU);
4. exports the candidate package (int8 weights) and scores it on the dev pairs (devscore.py: greedy, chrF per direction),
   beside the shipped default package scored the same way;
5. if the candidate is better (higher mean dev chrF, and no direction more than 1 point lower), it replaces the
   shipped package: models/<new id>/, models/DEFAULT, the committed state, the engine and tokenizer goldens,
   and the model card with its learning curve;
6. appends one row to the committed training log models/training/log/<config>.jsonl, shipped or not.
The full evaluation (every eval set, beam 4, through the TypeScript engine) is a separate, slower step:
`--evaluate` runs it after shipping, or run `models.training.evaluate` yourself.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from .data import DATA_VERSION
from .devscore import dev_score
from .export import export_package, write_manifest
from .train import TRAIN_ENV

ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = ROOT / "models" / "training" / "state"
LOG_DIR = ROOT / "models" / "training" / "log"
PY = sys.executable


def sh(*cmd: str, env: dict | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, **env} if env else None)


def default_package() -> Path:
    return ROOT / "models" / (ROOT / "models" / "DEFAULT").read_text().strip()


def next_id(config: str) -> str:
    """ac-<config>-v<N>: one more than the newest version of this name or of the default package (v2 -> v3)."""
    versions = [int(m.group(1)) for p in (ROOT / "models").iterdir() for m in [re.search(r"-v(\d+)$", p.name)] if m]
    return f"ac-{config}-v{max(versions + [2]) + 1}"


def read_state(config: str) -> dict | None:
    path = STATE_DIR / f"{config}.json"
    if not path.exists():
        return None
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("package"):
        state["packageDir"] = str(ROOT / "models" / state["package"])
    else:   # trained further than the shipped package: its own weights and tokenizer are committed beside the state
        state["weightsFile"] = str(STATE_DIR / state["weights"])
        state["tokenizerFile"] = str(STATE_DIR / state["tokenizer"])
    return state


def counters(meta: dict) -> dict:
    # share: the language shares its epoch was drawn with (train.py make_batches), where it had any
    return {"step": meta["step"], "epoch": meta["epoch"], "batchPos": meta["batch_pos"], "maxTokens": meta.get("max_tokens", 4000),
            **({"share": meta["share"]} if meta.get("share") else {}),
            "elapsedSeconds": meta["elapsed"],
            "tokensSeen": meta["target_tokens_seen"], "cpuSeconds": meta["cpu_seconds"]}


def keep_unshipped(config: str, run: Path, meta: dict) -> None:
    """A continuation that did not beat the shipped package still moves training on: its last weights (float16,
    without Adam's moments) and tokenizer are committed beside the state, so that the next session, on any
    machine, goes on from here. Replaced by the package's own weights once one ships."""
    # last.pt: the last step's weights (model.pt may be an average); a run trained elsewhere brings model.pt alone
    weights = torch.load(run / "last.pt" if (run / "last.pt").exists() else run / "model.pt", map_location="cpu")["model"]
    torch.save({k: v.half() for k, v in weights.items()}, STATE_DIR / f"{config}.pt")
    shutil.copy(run / "tokenizer.model", STATE_DIR / f"{config}.tokenizer.model")
    state = {"config": config, "package": None, "weights": f"{config}.pt", "tokenizer": f"{config}.tokenizer.model", **counters(meta)}
    (STATE_DIR / f"{config}.json").write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")


def write_state(path: Path, config: str, package_id: str, meta: dict, tensors: dict) -> None:
    """The committed training state: the package whose weights continue, where each parameter lies in its
    weights.bin, and the counters (step, position in the epoch, time, tokens, CPU time) the next run goes on from."""
    state = {"config": config, "package": package_id, **counters(meta), "tensors": tensors}
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path.with_suffix(".pt"), path.with_name(f"{config}.tokenizer.model")):
        leftover.unlink(missing_ok=True)   # the package's weights are the state now
    path.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")


def better(candidate: dict, shipped: dict | None) -> tuple[bool, str]:
    if shipped is None:
        return True, "nothing shipped to compare with"
    dirs = [d for d in candidate if d != "mean"]
    worse = [d for d in dirs if candidate[d] < shipped.get(d, 0) - 1.0]
    if candidate["mean"] <= shipped["mean"]:
        return False, f"mean dev chrF {candidate['mean']} <= shipped {shipped['mean']}"
    if worse:
        return False, f"mean dev chrF is higher, but {', '.join(worse)} lost more than 1 point"
    return True, f"mean dev chrF {candidate['mean']} > shipped {shipped['mean']}"


def check_scheduler() -> None:
    """With the kernel's autogroup scheduling on, nice values count only inside one terminal session: a niced test
    run started elsewhere got as much CPU as both training ranks together (measured: 63% vs 21-26% each). Turn it
    off when allowed, else say so."""
    knob = Path("/proc/sys/kernel/sched_autogroup_enabled")
    try:
        if knob.read_text().strip() == "1":
            knob.write_text("0")
            print("sched_autogroup_enabled was 1: set to 0, so that nice values order the CPU between processes", flush=True)
    except OSError:
        print("warning: sched_autogroup_enabled is 1 and cannot be changed here: other sessions' work will take CPU "
              "from training whatever their nice value", flush=True)


def train(args, state: dict | None) -> Path:
    run = Path(args.run or f"build/runs/{args.config}")
    last = run / "last.pt"
    resume_local = last.exists() and (state is None or torch.load(last, map_location="cpu")["step"] >= state["step"])
    cmd = ["-m", "models.training.train", "--config", args.config, "--data", args.data, "--out", str(run),
           "--add-minutes", str(args.minutes)]
    if not resume_local:
        if run.exists():
            shutil.rmtree(run)   # an older local run than the committed state: the committed state wins
        run.mkdir(parents=True)
        if state is not None:
            init = run / "init-state.json"
            init.write_text(json.dumps(state), encoding="utf-8")
            cmd += ["--init-state", str(init)]
    if args.world > 1:
        torchrun = str(Path(PY).parent / "torchrun")
        sh(torchrun, f"--nproc_per_node={args.world}", "--master_addr", "127.0.0.1", "--master_port", str(args.port), *cmd, env=TRAIN_ENV)
    else:
        sh(PY, *cmd, env=TRAIN_ENV)
    return run


def log_row(args, run: Path, meta: dict, scores: dict, shipped_scores: dict | None, shipped_id: str | None, why: str) -> dict:
    rows = [json.loads(l) for l in (run / "log.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    data_ev = next(r for r in reversed(rows) if r.get("event") == "data")
    done = next(r for r in reversed(rows) if r.get("event") == "done")
    speed = [r for r in rows if "tok_per_s" in r][-20:]
    # the minutes it trained: from its last resume (train.py logs the minutes there) to its end; not the budget, as a
    # continuation whose cooldown reaches zero stops before its time is up
    resumed = next((r for r in reversed(rows) if str(r.get("event", "")).startswith("resume") and "minutes" in r), None)
    minutes = round(done["minutes"] - resumed["minutes"], 2) if resumed else (args.minutes or done["minutes"])
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="minutes"),
        "config": args.config, "minutes": minutes, "world": args.world,
        **({"device": meta.get("device"), "from": meta.get("trainedAs", meta.get("config"))} if args.from_run else {}),
        "step": meta["step"], "cpuHours": round(meta["cpu_seconds"] / 3600, 2),
        "targetTokens": meta["target_tokens_seen"], "epochs": round(meta["target_tokens_seen"] / data_ev["target_tokens"], 3),
        "devLoss": done["dev_loss"], "devChrf": scores, "shippedDevChrf": shipped_scores,
        "tokPerS": round(sum(r["tok_per_s"] for r in speed) / max(len(speed), 1)),
        "sentPerS": round(sum(r.get("sent_per_s", 0) for r in speed) / max(len(speed), 1), 1),
        "shipped": shipped_id, "decision": why,
    }


def ship(args, run: Path, candidate: Path, new_id: str, tensors: dict, meta: dict) -> None:
    old = default_package()
    target = ROOT / "models" / new_id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(candidate, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = new_id
    write_manifest(target, manifest)
    (ROOT / "models" / "DEFAULT").write_text(new_id + "\n")
    if old.resolve() != target.resolve() and old.exists():
        shutil.rmtree(old)   # one default package in the repository
    write_state(STATE_DIR / f"{args.config}.json", args.config, new_id, meta, tensors)
    sh(PY, "-m", "models.training.golden", "--run", str(run), "--package", str(target), "--out", "test/fixtures/engine-golden.json")
    sh(PY, "-m", "models.training.tokenizer", "golden", "--model", str(target / "tokenizer.model"),
       "--out", "test/fixtures/tokenizer-golden.jsonl")
    sh(PY, "-m", "models.training.tokenizer", "json", "--model", str(target / "tokenizer.model"),
       "--out", "test/fixtures/tokenizer-golden.model.json")


def data_current(data: Path) -> bool:
    """Whether `data` holds a corpus build of this data.py (stats.json's version): an older one is built again."""
    try:
        stats = json.loads((data / "stats.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (data / "train.tsv").exists() and stats.get("version") == DATA_VERSION


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="cpu")
    ap.add_argument("--minutes", type=float, default=None, help="training minutes in this continuation")
    ap.add_argument("--from-run", default=None,
                    help="no training here: score (and ship if better) a run trained elsewhere, e.g. on a GPU by "
                         "scripts/gpu/session.sh (its folder holds model.pt, tokenizer.model and log.jsonl)")
    ap.add_argument("--world", type=int, default=2 if (os.cpu_count() or 1) >= 2 else 1, help="DDP ranks (1 thread each)")
    ap.add_argument("--port", type=int, default=29533)
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--corpora", default="../shared/corpora")
    ap.add_argument("--run", default=None, help="training folder (default build/runs/CONFIG)")
    ap.add_argument("--dev-per-direction", type=int, default=200)
    ap.add_argument("--no-ship", action="store_true", help="score the candidate, but never replace the shipped package")
    ap.add_argument("--evaluate", action="store_true", help="after shipping, the full evaluation (slow) and the card again")
    args = ap.parse_args(argv)
    if (args.minutes is None) == (args.from_run is None):
        ap.error("give either --minutes (train here) or --from-run DIR (a run trained elsewhere)")
    os.chdir(ROOT)

    if not data_current(Path(args.data)):
        sh(PY, "-m", "models.training.data", "--corpora", args.corpora, "--out", args.data)
    if args.from_run:
        run = Path(args.from_run)
        meta = torch.load(run / "model.pt", map_location="cpu")
        if meta.get("config") != args.config:
            # Trained elsewhere under a config of its own (cpu-gpu: the cpu model's batch in one process), it goes on
            # as args.config's model: the package's training block, the card and the log name that lineage.
            meta["trainedAs"], meta["config"] = meta.get("config"), args.config
            torch.save(meta, run / "model.pt")
    else:
        state = read_state(args.config)
        check_scheduler()
        run = train(args, state)
        meta = torch.load(run / "model.pt", map_location="cpu")

    new_id = next_id(args.config)
    candidate = Path("build/candidates") / new_id
    if candidate.exists():
        shutil.rmtree(candidate)
    _, tensors = export_package(run, candidate, "int8", new_id, shortlist_data=Path(args.data) / "train.tsv")
    dev_tsv = Path(args.data) / "dev.tsv"
    scores = dev_score(candidate, dev_tsv, args.dev_per_direction)
    shipped = default_package()
    shipped_scores = dev_score(shipped, dev_tsv, args.dev_per_direction) if shipped.exists() else None
    ok, why = better(scores, shipped_scores)
    if args.no_ship:
        ok, why = False, why + " (--no-ship)"
    print(f"candidate {new_id}: {scores}\nshipped {shipped.name}: {shipped_scores}\n-> {'ship' if ok else 'keep'}: {why}", flush=True)
    if ok:
        ship(args, run, candidate, new_id, tensors, meta)
    else:
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        keep_unshipped(args.config, run, meta)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    row = log_row(args, run, meta, scores, shipped_scores, new_id if ok else None, why)
    with open(LOG_DIR / f"{args.config}.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    if ok:
        if args.evaluate:
            sh("npm", "run", "--silent", "build")
            sh(PY, "-m", "models.training.evaluate", "--package", f"models/{new_id}")
        sh(PY, "-m", "models.training.card", "--run", str(run), "--package", f"models/{new_id}", "--data", args.data)


if __name__ == "__main__":
    main()
