"""Greedy and beam search over the KV-cached decoder step: the reference the TypeScript engine must match.

The beam search here and in src/engine/beam.ts are the same algorithm, step for step:
  - every step, each live hypothesis is extended by every token (score = sum of log-probabilities);
  - candidates are ranked by score (ties: lower hypothesis index, then lower token id);
  - an end-of-sentence candidate finishes a hypothesis only if it ranks within the top `beam`;
    other candidates fill the live set up to `beam`;
  - search stops when `beam` hypotheses have finished, none is live, or the length limit is hit;
  - the winner has the best score / ((5 + length) / 6) ** alpha (GNMT length penalty, alpha 0.6),
    length counting the generated tokens including </s>. With beam 1 this is exactly greedy search.
"""
from __future__ import annotations

import torch


def max_target_len(src_len: int, limit: int) -> int:
    return min(limit - 1, 2 * src_len + 10)


def length_penalty(length: int, alpha: float) -> float:
    return ((5.0 + length) / 6.0) ** alpha


@torch.no_grad()
def beam_search(model, src_ids: list[int], bos: int, eos: int, beam: int = 4, alpha: float = 0.6):
    """src_ids: the full encoder input (tag, pieces, </s>). Returns (tokens without <s>/</s>, score, normalized)."""
    model.eval()
    cfg = model.cfg
    src = torch.tensor([src_ids], dtype=torch.long)
    memory, _, _ = model.encode(src)
    ck, cv = model.cross_kv(memory)                                   # (Ld,1,H,S,dh)
    Ld, _, H, _, dh = ck.shape
    past_k = torch.zeros(Ld, 1, H, 0, dh)
    past_v = torch.zeros(Ld, 1, H, 0, dh)
    alive = [([], 0.0)]                                                # (tokens, score)
    last = [bos]
    finished = []
    limit = max_target_len(len(src_ids), cfg.max_len)
    for step in range(limit):
        n = len(alive)
        logits, pk, pv = model.decode_step(torch.tensor(last).view(n, 1), past_k, past_v,
                                           ck.expand(-1, n, -1, -1, -1), cv.expand(-1, n, -1, -1, -1))
        logp = torch.log_softmax(logits.float(), dim=-1)             # (n,V)
        scores = torch.tensor([s for _, s in alive]).unsqueeze(1) + logp
        flat = scores.view(-1)
        k = min(2 * beam, flat.numel())
        cand = rank_candidates(flat, k, logp.size(1))
        new_alive, parents = [], []
        for rank, (hyp, tok, score) in enumerate(cand):
            tokens = alive[hyp][0] + [tok]
            if tok == eos:
                if rank < beam:
                    finished.append((alive[hyp][0], score, score / length_penalty(len(tokens), alpha)))
            elif len(new_alive) < beam:
                new_alive.append((tokens, score))
                parents.append(hyp)
        if len(finished) >= beam or not new_alive:
            break
        idx = torch.tensor(parents)
        past_k, past_v = pk[:, idx], pv[:, idx]
        alive, last = new_alive, [t[-1] for t, _ in new_alive]
    if not finished:   # length limit: fall back to the live hypotheses
        finished = [(t, s, s / length_penalty(len(t), alpha)) for t, s in alive]
    best = max(finished, key=lambda f: f[2])
    return best


def rank_candidates(flat_scores: torch.Tensor, k: int, vocab: int):
    """Top-k of flattened (hyp, token) scores, ties broken by flat index (hyp, then token)."""
    values = flat_scores.tolist()
    order = sorted(range(len(values)), key=lambda i: (-values[i], i))[:k]
    return [(i // vocab, i % vocab, values[i]) for i in order]


def greedy(model, src_ids, bos, eos):
    return beam_search(model, src_ids, bos, eos, beam=1)


@torch.no_grad()
def greedy_batch(model, src: torch.Tensor, bos: int, eos: int, max_len: int) -> list[list[int]]:
    """Batched greedy decoding with source padding and the KV cache (dev scoring). src (B,S) -> token lists."""
    model.eval()
    memory, src_mask, _ = model.encode(src)
    ck, cv = model.cross_kv(memory)
    Ld, B, H, _, dh = ck.shape
    past_k = past_v = torch.zeros(Ld, B, H, 0, dh, device=src.device)
    last = torch.full((B, 1), bos, dtype=torch.long, device=src.device)
    done = torch.zeros(B, dtype=torch.bool, device=src.device)
    out = []
    for _ in range(max_len):
        logits, past_k, past_v = model.decode_step(last, past_k, past_v, ck, cv, cross_mask=src_mask)
        nxt = torch.where(done, torch.full_like(done, eos, dtype=torch.long), logits.argmax(-1))
        out.append(nxt)
        done |= nxt == eos
        last = nxt[:, None]
        if bool(done.all()):
            break
    rows = torch.stack(out, 1).tolist() if out else [[] for _ in range(B)]
    return [row[:row.index(eos)] if eos in row else row for row in rows]
