"""Writes a package's MODEL_CARD.md from its manifest, the training log and the data statistics.

  .venv/bin/python -m models.training.card --run build/runs/small --package models/<id> [--data build/data] [--notes notes.md]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .configs import get_config
from .export import write_manifest

PUBLISHED = """| set | direction | published | BLEU | chrF |
|---|---|---|---|---|
| newstest2014 | en→de | Transformer base / big (the paper, tokenized BLEU) | 27.3 / 28.4 | |
| newstest2014 | en→de | opus-mt-en-de (SacreBLEU) | 27.6 | |
| FLORES-200 devtest | ko→en | opus-mt-ko-en | 20.3 | |
| FLORES-200 devtest | ko→en | NLLB-200-distilled-600M | 25.1 | 54.1 |
| FLORES-200 devtest | ko→en | OPUS tc-big | 27.7 | 56.6 |
| FLORES-200 devtest | en→ko | OPUS tc-big | 13.7 | 36.4 |
| FLORES-200 devtest | en→de | NLLB-200-distilled-600M / 1.3B | 32.1 / 34.8 | |"""

SOURCES = """| source | licence |
|---|---|
| python-docs-ko (python/python-docs-ko) | PSF documentation licence |
| tf-docs-l10n (tensorflow/docs-l10n) | Apache-2.0 |
| Tatoeba via manythings.org (kor-eng), ids kept | CC-BY 2.0 FR |
| JHE Korean-English evaluation set (jungyeul/korean-parallel-corpora) | CC-BY-SA-3.0 |
| Park et al. Korean-English news, dev split (jungyeul/korean-parallel-corpora) | CC-BY-SA-3.0 |
| Bible: Korean Revised Version 1961 + King James Version (at most 8,000 verses) | public domain (KJV JSON packaging MIT) |
| Kengdic / ezcorean 6000 word glosses | MPL-2.0 |
| WMT newstest 2019-2021 and generaltest 2022 (en-de) | WMT research use |
| XQuAD German (deepmind/xquad) | CC-BY-SA-4.0 |
| Hugging Face docs and courses (transformers, course, agents-course, audio-course, diffusers, huggingface_hub) | Apache-2.0 |
| pytorch-tutorials-kr (PyTorchKorea/tutorials-kr) | BSD-3-Clause |
| d2l-ko, human-translated part only (d2l-ai/d2l-ko) | CC-BY-SA-4.0 |
| django-docs-translations (Korean) | BSD-3-Clause |
| multi30k (en-de captions) | research use (Flickr terms) |
| WMT news test sets 2008-2013, 2015-2018 (en-de; 2013 is the dev set) | WMT research use |
| LibreOffice help and UI translations (Debian packages libreoffice-help-*, libreoffice-l10n-*) | MPL-2.0 |"""

DIFFERENCES = """- **Pre-LN** (LayerNorm before each sub-layer, a final LayerNorm per stack) instead of the paper's post-LN: it
  trains stably with a short warmup, which matters when the whole run is an hour on a CPU.
- **Deep encoder, shallow decoder** (the paper has 6+6): the decoder runs once per generated token, the encoder
  once per sentence, so depth costs less on the encoder side.
- **Much smaller** (d_model, layers, vocabulary) so the package stays under 25 MB and runs in an editor.
- **One shared SentencePiece vocabulary** for English, Korean and German, with a target-language tag (`<2ko>`)
  as the first source token (one model, four directions); the paper used BPE for en-de only.
- **Learning-rate schedule**: the paper's warmup then inverse-square-root decay, rescaled so its peak is a
  chosen value (`lr_peak`) instead of d_model^-0.5 · warmup^-0.5, and with a shorter warmup.
- **Checkpoint averaging** of the last few checkpoints, kept only when it lowers the dev loss (a short run's
  early checkpoints can be much worse than its last).
- **Weights stored in float16** in the shipped package (float32 arithmetic): half the size.
- Same as the paper: sinusoidal positions, scaled dot-product multi-head attention, position-wise ReLU
  feed-forward, residual connections, dropout 0.1, label smoothing 0.1, Adam (β1 0.9, β2 0.98, ε 1e-9),
  shared embedding and output projection (scaled by √d_model on input), beam search with beam 4 and length
  penalty α = 0.6."""


# Shown in the card as the engine translates them (issue 8: the bank sentence and the paper's own sentences).
SAMPLES = [
    ("ko", "en", "은행에 가서 돈을 찾았다."),
    ("en", "ko", "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks that include an encoder and a decoder."),
    ("en", "ko", "We propose a new simple network architecture, the Transformer, based solely on attention mechanisms, dispensing with recurrence and convolutions entirely."),
    ("en", "ko", "An attention function can be described as mapping a query and a set of key-value pairs to an output."),
    ("en", "de", "The Transformer allows for significantly more parallelization."),
]


def learning_curve(rows: list[dict], png: Path) -> None:
    """Dev chrF per direction (and dev loss) against cumulative CPU-hours, one point per continuation."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    x = [r["cpuHours"] for r in rows]
    for d in sorted({k for r in rows for k in r["devChrf"] if k != "mean"}):
        ax.plot(x, [r["devChrf"].get(d) for r in rows], marker="o", label=f"{d} dev chrF")
    ax.set_xlabel("cumulative training CPU-hours (wall-clock x cores)")
    ax.set_ylabel("dev chrF (greedy)")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(x, [r["devLoss"] for r in rows], color="gray", linestyle="--", marker="x", label="dev loss")
    ax2.set_ylabel("dev loss")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def hardware(t: dict, continuations: list[dict]) -> str:
    """Where the weights were trained: the last run's device, or, when continuations ran on a GPU elsewhere
    (their log rows name a device), how the work was split."""
    here = f"{t['world']} DDP ranks, each {t['device']}" if t.get("world", 1) > 1 else t["device"]
    elsewhere = [r for r in continuations if r.get("device")]
    if not elsewhere:
        return here
    cpu = [r for r in continuations if not r.get("device")]
    devices = sorted({r["device"] for r in elsewhere})
    steps = 0
    for prev, r in zip([None] + continuations, continuations):
        if r.get("device"):
            steps += r["step"] - (prev["step"] if prev else 0)
    return (f"{cpu[-1]['world'] if cpu else 2} CPU cores ({len(cpu)} continuations, {cpu[-1]['cpuHours'] if cpu else 0} CPU-hours) and {', '.join(devices)} "
            f"({len(elsewhere)} continuation{'s' if len(elsewhere) > 1 else ''}, {steps:,} steps, "
            f"{sum(r.get('minutes') or 0 for r in elsewhere):g} minutes)")


def log_table(rows: list[dict]) -> str:
    dirs = sorted({k for r in rows for k in r["devChrf"] if k != "mean"})
    head = ["#", "date", "minutes", "CPU-hours", "steps", "target tokens", "epochs", "dev loss",
            *(f"{d} chrF" for d in dirs), "tokens/s", "sentences/s", "shipped"]
    # GitHub draws a table only when the delimiter row has as many cells as the header
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, r in enumerate(rows, 1):
        out.append(f"| {i} | {r['date'][:10]} | {r['minutes']:g} | {r['cpuHours']} | {r['step']:,} | {r['targetTokens']:,} | {r['epochs']} | "
                   f"{r['devLoss']} | " + " | ".join(str(r['devChrf'].get(d, '')) for d in dirs)
                   + f" | {r.get('tokPerS', '')} | {r.get('sentPerS', '')} | {r['shipped'] or '—'} |")
    return "\n".join(out)


def shortlist_note(m: dict) -> str:
    """How the engine's search chose its tokens, when the package has vocabulary shortlists (shortlist.py)."""
    lists = m.get("searchShortlists") or {}
    if not lists:
        return ""
    sizes = ", ".join(f"{lang} {spec['vocab']:,}" for lang, spec in lists.items())
    return (f" Each step chose among the target language's shortlist ({sizes} of {m['dims']['vocab']:,} ids: the tokens"
            " its training targets use), as the extension does.")


def engine_translations(package: Path, items: list[tuple[str, str, str]], cli: str = "dist/cli.js") -> list[str]:
    """What the product shows: the TypeScript engine (dist/cli.js), beam 4."""
    import subprocess
    out = []
    for src, tgt, text in items:
        r = subprocess.run(["node", cli, "translate", "--from", src, "--to", tgt, "--model", str(package)],
                           input=text + "\n", capture_output=True, text=True)
        out.append(r.stdout.strip() if r.returncode == 0 else f"(engine failed: {r.stderr.strip()})")
    return out


def samples_section(package: Path, eval_dir: Path, corpora: Path, cli: str = "dist/cli.js") -> str:
    """The fixed sentences, and the first 10 segments of each evaluation set as evaluate.py wrote them."""
    from .evalfiles import read_segments
    from .evaluate import EVAL_SETS
    lines = ["| direction | source | engine output |", "|---|---|---|"]
    cell = lambda t: t.replace("|", "\\|")
    if Path(cli).exists():
        for (s, t, text), hyp in zip(SAMPLES, engine_translations(package, SAMPLES, cli)):
            lines.append(f"| {s}→{t} | {cell(text)} | {cell(hyp)} |")
    parts = ["\n".join(lines)]
    for name, s, t, src_file, ref_file in EVAL_SETS:
        hyp_file = eval_dir / f"{name}.{s}-{t}.hyp"
        if not hyp_file.exists():
            continue
        srcs, refs = read_segments(corpora / "eval" / src_file)[:10], read_segments(corpora / "eval" / ref_file)[:10]
        hyps = hyp_file.read_text(encoding="utf-8").split("\n")[:10]
        rows = [f"**{name} {s}→{t}**, first 10 segments:", "", "| source | reference | engine output |", "|---|---|---|"]
        rows += [f"| {cell(a)} | {cell(b)} | {cell(c)} |" for a, b, c in zip(srcs, refs, hyps)]
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


BASELINES = Path(__file__).parent / "baselines"
SPEED_LOG = Path(__file__).parent / "log"


def scores_table(scores: dict, baseline: dict | None = None) -> str:
    """The package's scores per set and direction; with a baseline package's (same sets, beam and engine) beside."""
    base = (baseline or {}).get("scores", {})
    name_b = (baseline or {}).get("package", "")
    head = "| set | direction | BLEU | chrF | char BLEU | segments |"
    if base:
        head += f" {name_b} BLEU | {name_b} chrF | chrF gain |"
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, dirs in scores.items():
        if name.startswith("_"):
            continue
        for d, s in dirs.items():
            row = f"| {name} | {d.replace('-', '→')} | {s.get('bleu', '')} | {s.get('chrf', '')} | {s.get('bleuChar', '')} | {s.get('sentences', '')} |"
            if base:
                b = base.get(name, {}).get(d, {})
                gain = f"{s['chrf'] - b['chrf']:+.2f}" if "chrf" in s and "chrf" in b else ""
                row += f" {b.get('bleu', '')} | {b.get('chrf', '')} | {gain} |"
            rows.append(row)
    return "\n".join(rows) if len(rows) > 2 else "_Not evaluated yet: run `models.training.evaluate`._"


def speed_section(config: str) -> str:
    """Training speed before (v2's setup) and after (this config's), from bench_speed.py --json, when measured."""
    path = SPEED_LOG / f"speed-{config}.json"
    if not path.exists():
        return ""
    r = json.loads(path.read_text(encoding="utf-8"))
    rows = "\n".join(f"| {x['setup']} | {x['tok_per_s']:,.0f} | {x['sent_per_s']:.1f} |" for x in (r["before"], r["after"]))
    return f"""## Training speed, before and after

`models/training/bench_speed.py` ({r['date'][:10]}, {r['steps']} steps each, one after the other on this 2-core machine
with nothing else running; median of the logged windows after the first):

| setup | target tokens/s | sentences/s |
|---|---|---|
{rows}
| **after / before** | **{r['ratio_tok']:.2f}×** | **{r['ratio_sent']:.2f}×** |

Sentences/s is the fair measure across the two vocabularies (the 16k tokenizer needs fewer pieces per sentence).
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--notes", default=None, help="a Markdown file appended as 'Notes'")
    ap.add_argument("--corpora", default="../shared/corpora")
    ap.add_argument("--cli", default="dist/cli.js", help="the engine's CLI, for the sample translations")
    args = ap.parse_args(argv)
    pkg = Path(args.package)
    m = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    log = [json.loads(l) for l in (Path(args.run) / "log.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    stats_path = Path(args.data) / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    d, t = m["dims"], m["training"]
    done = next((r for r in reversed(log) if r.get("event") == "done"), {})
    avg = next((r for r in reversed(log) if r.get("event") == "averaging"), {})
    losses = [r for r in log if "loss" in r and "step" in r]
    speed = [r["tok_per_s"] for r in losses if "tok_per_s" in r]
    how = m.get("scores", {}).get("_how", {})
    # The package every later one has to beat on the full sets (issue 8): its scores beside this one's.
    baseline_path = BASELINES / "ac-small-cpu-v2.json"
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path.exists() and m["id"] != "ac-small-cpu-v2" else None
    # The command that reproduces this run: its own folder, and its time budget when it differs from the config's.
    run_dir = Path(args.run).as_posix()
    budget = get_config(t["config"])["max_minutes"]
    minutes_flag = f" --minutes {round(t['minutes'])}" if t["minutes"] > budget + 1 else ""
    kept = stats.get("kept", {})
    log_path = Path(__file__).parent / "log" / f"{t['config']}.jsonl"
    continuations = [json.loads(l) for l in log_path.read_text(encoding="utf-8").splitlines() if l.strip()] if log_path.exists() else []
    if continuations:
        learning_curve(continuations, pkg / "learning-curve.png")
    sigs = sorted({f"{k}: {v}" for dirs in m.get("scores", {}).values() if isinstance(dirs, dict)
                   for sc in dirs.values() if isinstance(sc, dict) for k, v in sc.get("signatures", {}).items()})
    continuation_md = f"""## Learning curve and continuations

Trained in continuations from committed state (`models/training/continuation.py`; the log is
`models/training/log/{t['config']}.jsonl`). Dev chrF: greedy decoding through this package's ONNX graphs on the first
200 dev pairs of each direction; dev loss: label-smoothed cross-entropy per target token.

![learning curve](learning-curve.png)

{log_table(continuations)}
""" if continuations else ""
    data_rows = "\n".join(f"| {k.split(chr(9))[0]} | {k.split(chr(9))[1]} | {v} |" for k, v in sorted(kept.items()))
    card = f"""# Model card: {m['id']}

{m.get('description', '')}

## Summary

| | |
|---|---|
| architecture | Transformer encoder-decoder (Vaswani et al., 2017), pre-LN |
| layers | {d['encoderLayers']} encoder + {d['decoderLayers']} decoder |
| d_model / heads / d_ff | {d['dModel']} / {d['heads']} / {d['dFF']} |
| vocabulary | {d['vocab']} SentencePiece unigram pieces shared by en, ko, de (byte fallback: every character encodes) |
| parameters | {d.get('params', 0):,} |
| package | {m['packageBytes'] / 1e6:.1f} MB, weights stored as {m.get('weightsDtype', 'fp32')} |
| directions | {', '.join(f'{a}→{b}' for a, b in m['directions'])} (ko↔de pivots through English in the engine) |
| training config | `{t['config']}` |
| hardware | {hardware(t, [r for r in continuations if r['step'] <= t['steps']])} |
| training time | {t['minutes']} minutes, {t['steps']} steps, {t.get('targetTokensSeen') or 0:,} target tokens seen |
| throughput | about {int(sum(speed[-10:]) / max(len(speed[-10:]), 1))} target tokens/s at the end |
| final dev loss | {done.get('dev_loss', '')} (label-smoothed cross-entropy per target token) |
| checkpoint averaging | {'averaged ' + ', '.join(t.get('averaged') or []) if t.get('averaged') else 'not used: the last checkpoint had the lower dev loss'} {f"(dev loss last {avg.get('last_dev_loss')} vs averaged {avg.get('averaged_dev_loss')})" if avg else ''} |

## Scores

Measured through the product's own engine (TypeScript, onnxruntime-web WASM in Node) on this package, beam
{how.get('beam', 4)}{f", first {how['limit']} segments of each set" if how.get('limit') else ''}.{f" {how['metrics']}." if how.get('metrics') else ''}{shortlist_note(m)}

{scores_table(m.get('scores', {}), baseline)}

{("sacrebleu signatures: " + "; ".join(f"`{x}`" for x in sigs)) if sigs else ""}

Published scores on the same sets, for comparison (from `../shared/corpora/README.md`):

{PUBLISHED}

{continuation_md}
{speed_section(t['config'])}
## Sample translations

As the engine outputs them (beam 4), not chosen: fixed sentences (the bank sentence, sentences of the paper),
then the first 10 segments of each evaluation set.

{samples_section(pkg, Path("build/eval") / m["id"], Path(args.corpora), args.cli)}

## Where and why this differs from the paper

{DIFFERENCES}

## Training data

{stats.get('train_pairs', '?')} pairs after cleaning, counting repeats of up-weighted sources (every pair is used in
both directions); dev: newstest2013 (en-de) and held-out pairs of python-docs/django catalogues, JHE and Tatoeba
(manythings) (en-ko). Evaluation sets were removed from the training data. Distinct pairs kept per source
(weights in `data.py`'s `SOURCE_WEIGHTS`):

| source | pair | kept |
|---|---|---|
{data_rows}

Sources and licences:

{SOURCES}

## Reproduce

```bash
bash scripts/ensure-python.sh            # the pinned environment (.venv)
.venv/bin/python -m models.training.data --out build/data
{f"npm run train -- --minutes 120      # one continuation from the committed state (repeat)" if continuations else f".venv/bin/python -m models.training.train --config {t['config']} --out {run_dir}{minutes_flag}"}
.venv/bin/python -m models.training.export --run {run_dir} --out models/{m['id']} --dtype {m.get('weightsDtype', 'fp32')}
npm run build && .venv/bin/python -m models.training.evaluate --package models/{m['id']}
```
"""
    if args.notes:
        card += "\n## Notes\n\n" + Path(args.notes).read_text(encoding="utf-8")
    (pkg / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    write_manifest(pkg, m)
    print(f"wrote {pkg / 'MODEL_CARD.md'}")


if __name__ == "__main__":
    main()
