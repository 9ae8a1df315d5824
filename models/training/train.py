"""Trains the Transformer on build/data: tokenizer, batching, Adam + warmup, checkpoints, averaging, dev scores.

  .venv/bin/python -m models.training.train --config small --data build/data --out build/runs/small
  torchrun --nproc_per_node=8 -m models.training.train --config release ...   (DistributedDataParallel)
Resumes from OUT/last.pt when it exists. Logs one JSON object per line to OUT/log.jsonl.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path



# How training processes use memory: fixed malloc thresholds (bound_heap_growth) and the environment they start with
# (TRAIN_ENV: continuation.py, bench_speed.py). glibc's default raises its mmap threshold after large frees, so the
# tensors of ever-different batch shapes fragment the heap: each rank grew ~140 MB a minute (4 GB -> 6.7 GB in 35
# minutes). A fixed 128 KB threshold kept memory flat but made every tensor above it a fresh mapping whose 4 KB pages
# each fault on first touch; where a fault is costly (an AMD EPYC VM: 32,000 faults/s per rank, 41% of a rank's CPU
# in the kernel, 187 target tokens/s against 1,520 on the VM before) that was an 8x slowdown. Now: blocks under 4 MB
# come from the heap and are reused, larger ones are mappings backed by transparent huge pages (glibc's hugetlb
# tunable: 2 MB per fault), and the heap is trimmed only past 256 MB free at its top. bench_malloc.py (1,500 tensors
# of 64 KB-64 MB allocated, filled, six kept at a time; one thread): 128 KB threshold 155 s wall and 3.5M
# faults, glibc's default 79 s / 1.8M, 4 MB threshold alone 98 s / 3.1M, with huge pages 8.6 s / 0.23M; peak RSS
# 470-584 MB in all four.
TRAIN_ENV = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}


def bound_heap_growth() -> None:
    """Fixed malloc thresholds (see TRAIN_ENV's comment): heap below 4 MB, mappings above, trim past 256 MB."""
    import ctypes
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return   # not glibc: nothing to tune
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    libc.mallopt(M_TRIM_THRESHOLD, 256 << 20)
    libc.mallopt(M_MMAP_THRESHOLD, 4 << 20)


import torch
import torch.nn.functional as F

from .configs import get_config
from .model import ModelConfig, Transformer
from .decode import greedy_batch
from .export import load_from_package
from . import tokenizer as tok

LANGS = ("en", "ko", "de")


def log(out: Path, rank: int, **row):
    if rank != 0:
        return
    row["time"] = round(time.time(), 1)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    with open(out / "log.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_pairs(path: Path, limit: int | None):
    """train.tsv / dev.tsv rows: corpus, lang_a (en), lang_b, text_a, text_b."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5 and parts[3] and parts[4]:
                rows.append(parts)
            if limit and len(rows) >= limit:
                break
    return rows


def make_examples(rows, sp, tag_ids: dict[str, int], eos: int, max_len: int):
    """Every pair in both directions -> (direction, src ids [<2tgt> .. </s>], tgt ids [..])."""
    a_ids = sp.encode([r[3] for r in rows])
    b_ids = sp.encode([r[4] for r in rows])
    out = []
    for r, a, b in zip(rows, a_ids, b_ids):
        la, lb = r[1], r[2]
        for (sl, s), (tl, t) in (((la, a), (lb, b)), ((lb, b), (la, a))):
            src = [tag_ids[tl]] + s[: max_len - 2] + [eos]
            tgt = t[: max_len - 2]
            out.append((f"{sl}-{tl}", src, tgt))
    return out


def share_of(direction: str, share: dict | None) -> float:
    """The fraction of an epoch's examples kept for a direction ("en-de"): the smaller of its two languages' shares."""
    return min((share or {}).get(lang, 1.0) for lang in direction.split("-"))


def make_batches(examples, max_tokens: int, seed: int, share: dict | None = None):
    """Length-bucketed batches of about max_tokens (padded) tokens, in a seeded random order. `share` (language ->
    fraction, e.g. {"de": 0.5}) keeps each example of a direction with that language with that probability, drawn
    anew each epoch (seed), so a language gets a smaller part of the steps and the whole of its data over epochs."""
    rng = random.Random(seed)
    kept = range(len(examples))
    if share:
        pick = random.Random(f"share-{seed}")   # a stream of its own: without a share the order is as it always was
        kept = [i for i in kept if pick.random() < share_of(examples[i][0], share)]
    order = sorted(kept, key=lambda i: (len(examples[i][2]), len(examples[i][1]), rng.random()))
    batches, cur, longest = [], [], 0
    for i in order:
        n = max(len(examples[i][1]), len(examples[i][2]) + 1)
        if cur and max(longest, n) * (len(cur) + 1) > max_tokens:
            batches.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def rescaled_position(examples, batch_pos: int, old_max_tokens: int, new_max_tokens: int, seed: int, world: int,
                      old_share: dict | None = None, new_share: dict | None = None) -> int:
    """Where a run resumed with another batch size (or language share) goes on in its epoch: the same fraction of the
    epoch's batches. The new batches are another random order of the same examples, so the rest of this epoch samples
    rather than exactly completes it; from the next epoch on every example is seen once per epoch again."""
    def per_rank(max_tokens, share):
        return len(make_batches(examples, max_tokens, seed, share)) // world
    return round(batch_pos * per_rank(new_max_tokens, new_share) / max(per_rank(old_max_tokens, old_share), 1))


def round_up(n: int, to: int = 8) -> int:
    return -(-n // to) * to


def collate(examples, idx, pad, bos, eos, device):
    """Padded (B,S) source and (B,T) target tensors. S and T are rounded up to a multiple of 8: fewer distinct
    shapes for oneDNN to compile kernels for, and full bf16 matrix tiles."""
    srcs = [examples[i][1] for i in idx]
    tgts = [examples[i][2] for i in idx]
    S = round_up(max(map(len, srcs)))
    T = round_up(max(map(len, tgts)) + 1)
    src = torch.full((len(idx), S), pad, dtype=torch.long)
    tin = torch.full((len(idx), T), pad, dtype=torch.long)
    tout = torch.full((len(idx), T), pad, dtype=torch.long)
    for j, (s, t) in enumerate(zip(srcs, tgts)):
        src[j, : len(s)] = torch.tensor(s)
        tin[j, : len(t) + 1] = torch.tensor([bos] + t)
        tout[j, : len(t) + 1] = torch.tensor(t + [eos])
    return src.to(device), tin.to(device), tout.to(device)


def lr_at(step: int, warmup: int, peak: float) -> float:
    """The paper's schedule (section 5.3), d_model^-0.5 * min(step^-0.5, step * warmup^-1.5), rescaled so its
    maximum (at step == warmup) is `peak`: linear warmup, then inverse square-root decay."""
    step = max(step, 1)
    return peak * min(step / warmup, math.sqrt(warmup / step))


def cooldown_factor(step: int, cfg: dict) -> float:
    """A linear decay to zero over cfg["cooldown_steps"] steps from cfg["cooldown_from"] (a warmup-stable-decay
    ending, Hägele et al. 2024): at a low, slowly falling learning rate the loss plateaus; bringing the rate to
    zero settles the weights into the basin. Anchored to absolute steps in the config, so a cooldown split across
    continuations (and machines) goes on where it stopped. 1.0 when the config has none."""
    start, length = cfg.get("cooldown_from"), cfg.get("cooldown_steps")
    if start is None or not length or step <= start:
        return 1.0
    return max(0.0, 1.0 - (step - start) / length)


def time_cooldown_factor(remaining_s: float, cooldown_s: float | None) -> float:
    """The same linear decay, anchored to the time budget instead: over its last cooldown_s seconds the rate falls to
    zero as the time does. A run whose speed is not known beforehand (a first call on a new GPU) still ends cooled
    when its time, not its steps, stops it (session 28's 32k-token run stopped at full rate). 1.0 without one."""
    if not cooldown_s or remaining_s >= cooldown_s:
        return 1.0
    return max(0.0, remaining_s / cooldown_s)


def average_checkpoints(paths):
    """Checkpoint averaging (section 6.1): the mean of the last few saved weights."""
    avg = None
    for p in paths:
        sd = torch.load(p, map_location="cpu")
        if avg is None:
            avg = {k: v.clone().float() for k, v in sd.items()}
        else:
            for k in avg:
                avg[k] += sd[k].float()
    return {k: v / len(paths) for k, v in avg.items()}


def dev_scores(model, dev_examples, sp, special, device, per_direction: int):
    """Greedy chrF on a few dev sentences per direction, plus dev loss."""
    from .metrics import corpus_chrf
    model.eval()
    scores = {}
    by_dir: dict[str, list] = {}
    for ex in dev_examples:
        by_dir.setdefault(ex[0], []).append(ex)
    for d, exs in sorted(by_dir.items()):
        exs = exs[:per_direction]
        hyps = []
        for i in range(0, len(exs), 32):
            chunk = exs[i:i + 32]
            src, _, _ = collate(chunk, range(len(chunk)), special["pad"], special["bos"], special["eos"], device)
            for ids in greedy_batch(model, src, special["bos"], special["eos"], min(model.cfg.max_len - 1, src.size(1) + 20)):
                hyps.append(sp.decode(ids))
        refs = [sp.decode(ex[2]) for ex in exs]
        scores[d] = round(corpus_chrf(hyps, refs)["score"], 2)
        scores[d + "_sample"] = hyps[0][:120]
    model.train()
    return scores


@torch.no_grad()
def dev_losses(model, dev_examples, special, device, max_tokens, limit=2000) -> tuple[float, dict[str, float]]:
    """Mean cross-entropy per target token over the dev examples, and the same per direction ("en-ko"): the
    overall figure mixes the pairs, so a change in the languages' shares needs each direction's own."""
    model.eval()
    sums: dict[str, list[float]] = {}
    dev_examples = dev_examples[:limit]
    for idx in make_batches(dev_examples, max_tokens, 0):
        src, tin, tout = collate(dev_examples, idx, special["pad"], special["bos"], special["eos"], device)
        logits = model(src, tin)                                                   # (B, T, V)
        per_token = F.cross_entropy(logits.float().view(-1, logits.size(-1)), tout.view(-1),
                                    ignore_index=special["pad"], reduction="none").view(tout.shape)
        row_loss, row_count = per_token.sum(1).tolist(), (tout != special["pad"]).sum(1).tolist()
        for i, loss, count in zip(idx, row_loss, row_count):
            acc = sums.setdefault(dev_examples[i][0], [0.0, 0])
            acc[0] += loss
            acc[1] += count
    model.train()
    total, count = sum(a[0] for a in sums.values()), sum(a[1] for a in sums.values())
    return total / max(count, 1), {d: a[0] / max(a[1], 1) for d, a in sorted(sums.items())}


def dev_loss(model, dev_examples, special, device, max_tokens, limit=2000) -> float:
    return dev_losses(model, dev_examples, special, device, max_tokens, limit)[0]


def dev_loss_figures(model, dev_examples, special, device, max_tokens) -> dict:
    """dev_losses as the log writes them: {"dev_loss": ..., "dev_loss_by_direction": {"en-ko": ..., ...}}, rounded."""
    loss, by_direction = dev_losses(model, dev_examples, special, device, max_tokens)
    return {"dev_loss": round(loss, 4), "dev_loss_by_direction": {d: round(v, 4) for d, v in by_direction.items()}}


def token_ids(sp) -> tuple[dict[str, int], dict[str, int]]:
    """The tokenizer's special ids (pad, unk, bos, eos) and its target-language tags (<2en>, <2ko>, <2de>)."""
    special = {"pad": sp.pad_id(), "unk": sp.unk_id(), "bos": sp.bos_id(), "eos": sp.eos_id()}
    return special, {l: sp.piece_to_id(f"<2{l}>") for l in LANGS}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="small")
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--out", default=None)
    ap.add_argument("--minutes", type=float, default=None, help="override the config's time budget")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--tokenizer", default=None, help="use this tokenizer.model instead of training one")
    ap.add_argument("--add-minutes", type=float, default=None,
                    help="train this many more minutes from where the run stands (instead of a total budget)")
    ap.add_argument("--add-steps", type=int, default=None, help="stop after this many more steps")
    ap.add_argument("--cooldown-minutes", type=float, default=None,
                    help="the time budget's last N minutes cool the rate linearly to zero (with the config's step-anchored "
                         "cooldown too, the lower factor wins)")
    ap.add_argument("--log-every", type=int, default=None, help="log the training loss and speed every N steps")
    ap.add_argument("--fp32", action="store_true", help="no bf16 autocast (for speed comparisons)")
    ap.add_argument("--skip-final", action="store_true", help="no final checkpoint, averaging or dev scores (benchmarks)")
    ap.add_argument("--init-state", default=None,
                    help="without OUT/last.pt, continue from this committed state (models/training/state/*.json)")
    args = ap.parse_args(argv)
    bound_heap_growth()
    cfg = get_config(args.config)
    out = Path(args.out or f"build/runs/{args.config}")
    out.mkdir(parents=True, exist_ok=True)
    budget_s = 60 * (args.minutes if args.minutes is not None else cfg["max_minutes"])
    init_state = json.loads(Path(args.init_state).read_text(encoding="utf-8")) if args.init_state else None

    # Distributed (torchrun) or single process.
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        import torch.distributed as dist
        # NCCL on GPUs; gloo lets the same code path run (and be tested) on CPU processes.
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    device = torch.device(f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu":
        # The cores are shared out among the ranks: on 2 cores, 2 ranks x 1 thread beat 1 x 2 threads (README).
        torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // world))
    torch.manual_seed(cfg["seed"] + rank)
    random.seed(cfg["seed"])

    # Tokenizer: trained once per run folder from the data's spm.txt.
    data = Path(args.data)
    spm_prefix = out / "tokenizer"
    if init_state is not None and not args.tokenizer:
        args.tokenizer = init_state.get("tokenizerFile") or str(Path(init_state["packageDir"]) / "tokenizer.model")
    if rank == 0 and not Path(f"{spm_prefix}.model").exists() and args.tokenizer:
        import shutil   # a tokenizer trained beforehand (the candidates of one comparison share it)
        shutil.copy(args.tokenizer, f"{spm_prefix}.model")
    if rank == 0 and not Path(f"{spm_prefix}.model").exists():
        t0 = time.time()
        kw = {k: cfg[c] for k, c in (("input_sentence_size", "spm_sentences"), ("character_coverage", "spm_coverage"),
                                     ("required_hangul", "spm_required_hangul")) if c in cfg}
        tok.train_tokenizer(str(data / "spm.txt"), str(spm_prefix), cfg["vocab_size"], **kw)
        log(out, rank, event="tokenizer", seconds=round(time.time() - t0, 1))
    if world > 1:
        torch.distributed.barrier()
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=f"{spm_prefix}.model")
    mcfg: ModelConfig = cfg["model"]
    assert sp.get_piece_size() == mcfg.vocab_size, "tokenizer and model vocabulary sizes differ"
    special, tag_ids = token_ids(sp)

    t0 = time.time()
    train_rows = read_pairs(data / "train.tsv", cfg["max_pairs"])
    dev_rows = read_pairs(data / "dev.tsv", None)
    examples = make_examples(train_rows, sp, tag_ids, special["eos"], mcfg.max_len)
    dev_examples = make_examples(dev_rows, sp, tag_ids, special["eos"], mcfg.max_len)
    log(out, rank, event="data", pairs=len(train_rows), examples=len(examples), dev=len(dev_examples),
        target_tokens=sum(len(e[2]) + 1 for e in examples), seconds=round(time.time() - t0, 1))

    model = Transformer(mcfg).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr_peak"], betas=(0.9, 0.98), eps=1e-9)
    step, epoch, batch_pos, elapsed, resumed_tokens, cpu_before = 0, 0, 0, 0.0, 0, 0.0
    resumed_max_tokens = cfg["max_tokens"]   # states written before max_tokens was recorded used 4000
    resumed_share = cfg.get("share")         # and before a share was recorded, none (every example each epoch)
    rewarm_from = None   # set when resuming without optimizer state: the learning rate ramps up again
    last = out / "last.pt"
    if last.exists():
        state = torch.load(last, map_location="cpu")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, epoch, batch_pos, elapsed = state["step"], state["epoch"], state["batch_pos"], state["elapsed"]
        resumed_tokens, cpu_before = state.get("tokens_seen", 0), state.get("cpu_seconds", 0.0)
        resumed_max_tokens, resumed_share = state.get("max_tokens", 4000), state.get("share")
        torch.set_rng_state(state["rng"])
        log(out, rank, event="resume", step=step, epoch=epoch, minutes=round(elapsed / 60, 2))
    elif init_state is not None:
        # A fresh clone: the committed state (models/training/state/) names the shipped package whose weights
        # continue, and the counters. Adam's moments are not committed: a short re-warmup rebuilds them.
        if "weightsFile" in init_state:   # committed weights of a run that has not shipped yet
            model.load_state_dict({k: v.float() for k, v in torch.load(init_state["weightsFile"], map_location="cpu").items()})
        else:
            load_from_package(model, Path(init_state["packageDir"]), init_state["tensors"])
        step, epoch, batch_pos = init_state["step"], init_state["epoch"], init_state["batchPos"]
        elapsed, resumed_tokens, cpu_before = init_state["elapsedSeconds"], init_state["tokensSeen"], init_state["cpuSeconds"]
        resumed_max_tokens, resumed_share = init_state.get("maxTokens", 4000), init_state.get("share")
        rewarm_from = step
        # what was loaded: the weights file where there is one (session.sh INIT_WEIGHTS sets one beside the package)
        log(out, rank, event="resume_from_package", package=init_state.get("weightsFile") or init_state["package"], step=step, epoch=epoch,
            minutes=round(elapsed / 60, 2))
    log(out, rank, event="model", params=model.num_params(), config=args.config, device=str(device), world=world)
    ddp_model = model
    if world > 1:
        ddp_model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    # bf16 autocast: matrix products in bfloat16, master weights, optimizer and loss in float32. Faster than float32
    # on CPUs with AVX-512 BF16 / AMX (measurements in README.md); cfg bf16=False or --fp32 turns it off.
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.get("bf16", True) and not args.fp32)

    threads = torch.get_num_threads() if device.type == "cpu" else 1
    session_elapsed0 = elapsed

    def cpu_seconds():   # CPU time across continuations: wall-clock x ranks x threads per rank
        return cpu_before + (elapsed - session_elapsed0) * world * threads

    def save_state():
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "epoch": epoch,
                    "batch_pos": batch_pos, "max_tokens": cfg["max_tokens"], "share": cfg.get("share"), "elapsed": elapsed, "tokens_seen": tokens_seen, "cpu_seconds": cpu_seconds(),
                    "rng": torch.get_rng_state()}, last)

    if args.add_minutes is not None:
        budget_s = elapsed + 60 * args.add_minutes
    max_steps = step + args.add_steps if args.add_steps is not None else cfg["max_steps"]
    ckpts = sorted(out.glob("ckpt_*.pt"), key=lambda p: int(p.stem.split("_")[1]))
    start = time.time() - elapsed
    clock = elapsed   # the time the rate follows: with several ranks, the slowest rank's, so all take the same rate
    cooldown_s = 60 * args.cooldown_minutes if args.cooldown_minutes else None
    tokens_seen, tick, tick_tokens, tick_sents, done = resumed_tokens, time.time(), 0, 0, False
    model.train()
    if (resumed_max_tokens != cfg["max_tokens"] or resumed_share != cfg.get("share")) and batch_pos > 0:
        batch_pos = rescaled_position(examples, batch_pos, resumed_max_tokens, cfg["max_tokens"], cfg["seed"] + epoch, world,
                                      resumed_share, cfg.get("share"))
        log(out, rank, event="epoch_position_rescaled", max_tokens_from=resumed_max_tokens, max_tokens=cfg["max_tokens"],
            share_from=resumed_share, share=cfg.get("share"), batch_pos=batch_pos)
    while not done:
        batches = make_batches(examples, cfg["max_tokens"], cfg["seed"] + epoch, cfg.get("share"))
        mine = batches[rank::world][: len(batches) // world]   # every rank the same count: no rank waits alone
        while batch_pos < len(mine):
            idx = mine[batch_pos]
            batch_pos += 1
            src, tin, tout = collate(examples, idx, special["pad"], special["bos"], special["eos"], device)
            step += 1
            for g in opt.param_groups:
                g["lr"] = lr_at(step, cfg["warmup"], cfg["lr_peak"]) * min(cooldown_factor(step, cfg),
                                                                          time_cooldown_factor(budget_s - clock, cooldown_s))
                if rewarm_from is not None:
                    g["lr"] *= min(1.0, (step - rewarm_from) / cfg.get("rewarm", 200))
            with autocast:
                logits = ddp_model(src, tin)
            loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), tout.view(-1),
                                   ignore_index=special["pad"], label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            n_tok = int((tout != special["pad"]).sum())
            tokens_seen += n_tok * world   # ranks take batches of about the same size
            tick_tokens += n_tok
            tick_sents += len(idx)
            elapsed = time.time() - start
            if step % (args.log_every or cfg.get("log_every", 50)) == 0:
                now = time.time()
                log(out, rank, step=step, epoch=epoch, loss=round(loss.item(), 4), lr=round(g["lr"], 6),
                    tok_per_s=round(world * tick_tokens / (now - tick)), sent_per_s=round(world * tick_sents / (now - tick), 1),
                    minutes=round(elapsed / 60, 2))
                tick, tick_tokens, tick_sents = now, 0, 0
            if rank == 0 and step % cfg["ckpt_every"] == 0:
                p = out / f"ckpt_{step}.pt"
                torch.save(model.state_dict(), p)
                ckpts.append(p)
                for old in ckpts[: -cfg["average_last"]]:
                    old.unlink(missing_ok=True)
                ckpts = ckpts[-cfg["average_last"]:]
                save_state()
            if rank == 0 and step % cfg["dev_every"] == 0:
                log(out, rank, step=step, **dev_loss_figures(model, dev_examples, special, device, cfg["max_tokens"]),
                    dev_chrf=dev_scores(model, dev_examples, sp, special, device, cfg["dev_pairs"]))
            stop = elapsed >= budget_s or step >= max_steps or cooldown_factor(step, cfg) == 0.0   # nothing left to learn at lr 0
            clock = elapsed
            if world > 1:   # ranks' clocks differ: stop together, or one would wait forever in all-reduce
                flag = torch.tensor([float(stop), elapsed], dtype=torch.float64, device=device)
                torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
                stop, clock = bool(flag[0].item()), float(flag[1].item())
            if stop:
                done = True
                break
        else:
            epoch, batch_pos = epoch + 1, 0

    if rank == 0 and not args.skip_final:
        p = out / f"ckpt_{step}.pt"
        torch.save(model.state_dict(), p)
        if p not in ckpts:
            ckpts.append(p)
        save_state()
        # Checkpoint averaging (section 6.1) helps at the end of a long run; in a short run the early
        # checkpoints can still be much worse, so the averaged weights are kept only if their dev loss is lower.
        last_weights = {k: v.clone() for k, v in model.state_dict().items()}
        last_loss = dev_loss(model, dev_examples, special, device, cfg["max_tokens"])
        model.load_state_dict(average_checkpoints(ckpts[-cfg["average_last"]:]))
        avg_loss = dev_loss(model, dev_examples, special, device, cfg["max_tokens"])
        averaged = avg_loss <= last_loss
        if not averaged:
            model.load_state_dict(last_weights)
        log(out, rank, event="averaging", last_dev_loss=round(last_loss, 4), averaged_dev_loss=round(avg_loss, 4), kept="averaged" if averaged else "last")
        final = model.state_dict()
        torch.save({"model": final, "model_config": mcfg.to_dict(), "config": args.config, "step": step,
                    "minutes": round(elapsed / 60, 1), "device": torch.cuda.get_device_name() if device.type == "cuda" else f"cpu x{torch.get_num_threads()}",
                    "averaged": [c.name for c in ckpts[-cfg["average_last"]:]] if averaged else [], "world": world,
                    "pairs": len(train_rows), "target_tokens_seen": tokens_seen, "epoch": epoch, "batch_pos": batch_pos,
                    "max_tokens": cfg["max_tokens"], "share": cfg.get("share"), "elapsed": elapsed, "cpu_seconds": cpu_seconds(),
                    "epoch_examples": len(examples)},
                   out / "model.pt")
        log(out, rank, event="done", step=step, minutes=round(elapsed / 60, 2),
            **dev_loss_figures(model, dev_examples, special, device, cfg["max_tokens"]),
            dev_chrf=dev_scores(model, dev_examples, sp, special, device, cfg["dev_pairs"]))
    if world > 1:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
