"""Writes a package's MODEL_CARD.md from its manifest, the training log and the data statistics.

  /usr/bin/python3 -m models.training.card --run build/runs/small --package models/<id> [--data build/data] [--notes notes.md]
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


def scores_table(scores: dict) -> str:
    rows = ["| set | direction | BLEU | chrF | char BLEU | segments |", "|---|---|---|---|---|---|"]
    for name, dirs in scores.items():
        if name.startswith("_"):
            continue
        for d, s in dirs.items():
            rows.append(f"| {name} | {d.replace('-', '→')} | {s.get('bleu', '')} | {s.get('chrf', '')} | {s.get('bleuChar', '')} | {s.get('sentences', '')} |")
    return "\n".join(rows) if len(rows) > 2 else "_Not evaluated yet: run `models.training.evaluate`._"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--notes", default=None, help="a Markdown file appended as 'Notes'")
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
    # The command that reproduces this run: its own folder, and its time budget when it differs from the config's.
    run_dir = Path(args.run).as_posix()
    budget = get_config(t["config"])["max_minutes"]
    minutes_flag = f" --minutes {round(t['minutes'])}" if t["minutes"] > budget + 1 else ""
    kept = stats.get("kept", {})
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
| hardware | {t['device']}{f" × {t['world']}" if t.get('world', 1) > 1 else ''} |
| training time | {t['minutes']} minutes, {t['steps']} steps, {t.get('targetTokensSeen') or 0:,} target tokens seen |
| throughput | about {int(sum(speed[-10:]) / max(len(speed[-10:]), 1))} target tokens/s at the end |
| final dev loss | {done.get('dev_loss', '')} (label-smoothed cross-entropy per target token) |
| checkpoint averaging | {'averaged ' + ', '.join(t.get('averaged') or []) if t.get('averaged') else 'not used: the last checkpoint had the lower dev loss'} {f"(dev loss last {avg.get('last_dev_loss')} vs averaged {avg.get('averaged_dev_loss')})" if avg else ''} |

## Scores

Measured through the product's own engine (TypeScript, onnxruntime-web WASM in Node) on this package, beam
{how.get('beam', 4)}{f", first {how['limit']} segments of each set" if how.get('limit') else ''}. {how.get('metrics', '')}.

{scores_table(m.get('scores', {}))}

Published scores on the same sets, for comparison (from `../shared/corpora/README.md`):

{PUBLISHED}

## Where and why this differs from the paper

{DIFFERENCES}

## Training data

{stats.get('train_pairs', '?')} pairs after cleaning (every pair is used in both directions); dev:
newstest2013 (en-de) and held-out python-docs/django catalogue pairs (en-ko). Evaluation sets were removed
from the training data. Pairs kept per source:

| source | pair | kept |
|---|---|---|
{data_rows}

Sources and licences:

{SOURCES}

## Reproduce

```bash
/usr/bin/python3 -m models.training.data --out build/data
/usr/bin/python3 -m models.training.train --config {t['config']} --out {run_dir}{minutes_flag}
/usr/bin/python3 -m models.training.export --run {run_dir} --out models/{m['id']} --dtype {m.get('weightsDtype', 'fp32')}
npm run build && /usr/bin/python3 -m models.training.evaluate --package models/{m['id']}
```
"""
    if args.notes:
        card += "\n## Notes\n\n" + Path(args.notes).read_text(encoding="utf-8")
    (pkg / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    write_manifest(pkg, m)
    print(f"wrote {pkg / 'MODEL_CARD.md'}")


if __name__ == "__main__":
    main()
