"""The Transformer of "Attention Is All You Need" (Vaswani et al., 2017), compact, in one file to read top to bottom.

Shapes: B batch, S source length, T target length, D d_model, H heads, dh = D / H, V vocabulary.
Differences from the paper (also in the model card):
  - pre-LN (LayerNorm before each sub-layer, one final LayerNorm per stack) instead of post-LN:
    it trains stably without a long warmup, which matters for short CPU runs;
  - a deep encoder and a shallow decoder (e.g. 4+2): the decoder runs once per generated token,
    the encoder once per sentence, so depth is cheaper on the encoder side;
  - one shared vocabulary for en/ko/de with a target-language tag (<2ko>) as the first source token.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int = 8000
    d_model: int = 256
    n_heads: int = 4
    d_ff: int = 1024
    enc_layers: int = 4
    dec_layers: int = 2
    dropout: float = 0.1
    max_len: int = 256
    pad_id: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def sinusoid_table(max_len: int, d_model: int) -> torch.Tensor:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...), section 3.5.  -> (max_len, D)"""
    pos = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)                  # (L, 1)
    div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


def attention(q, k, v, mask=None, need_probs=False, dropout_p=0.0):
    """Scaled dot-product attention, section 3.2.1: softmax(Q K^T / sqrt(dh)) V.
    q (B,H,Tq,dh), k/v (B,H,Tk,dh), mask broadcastable to (B,H,Tq,Tk), True where attention is allowed.
    Returns out (B,H,Tq,dh) and probs (B,H,Tq,Tk) or None."""
    if not need_probs and hasattr(F, "scaled_dot_product_attention") and not torch.jit.is_tracing():
        # Fused kernel on torch >= 2 (training, PyTorch decoding); same maths. Not when tracing an ONNX export: the
        # traced SDPA scales q and K^T separately through Sqrt nodes of shapes and writes K^T out at every run, where
        # the form below lets onnxruntime fuse Transpose, MatMul and the scale into one FusedMatMul
        # (docs/PERFORMANCE.md, "Leaner step graphs").
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p), None
    scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.size(-1)))              # (B,H,Tq,Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    out = F.dropout(probs, dropout_p) @ v if dropout_p > 0 else probs @ v
    return out, probs


class MultiHeadAttention(nn.Module):
    """Section 3.2.2: H heads of dh = D/H dimensions, projected in, attended, concatenated, projected out."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        assert cfg.d_model % cfg.n_heads == 0, "d_model must be a multiple of n_heads"
        self.h, self.dh = cfg.n_heads, cfg.d_model // cfg.n_heads
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.k = nn.Linear(cfg.d_model, cfg.d_model)
        self.v = nn.Linear(cfg.d_model, cfg.d_model)
        self.o = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = cfg.dropout

    def split(self, x, one=False):                         # (B,T,D) -> (B,H,T,dh); one: (B,D) -> (B,H,1,dh)
        if one:   # a decoder step's one position: the same layout as a reshape, so an exported step has no shape arithmetic
            return x.reshape(-1, self.h, 1, self.dh)
        B, T, _ = x.shape
        return x.view(B, T, self.h, self.dh).transpose(1, 2)

    def merge(self, x, one=False):                         # (B,H,T,dh) -> (B,T,D)
        if one:   # -> (B,D): a step's activations are 2-D, so onnxruntime fuses each Linear's MatMul and bias into a Gemm
            return x.reshape(-1, self.h * self.dh)
        B, H, T, dh = x.shape
        return x.transpose(1, 2).reshape(B, T, H * dh)

    def project_kv(self, x, one=False):                    # (B,T,D) -> k, v (B,H,T,dh)
        return self.split(self.k(x), one), self.split(self.v(x), one)

    def forward(self, x_q, k, v, mask=None, need_probs=False, one=False):
        """x_q (B,Tq,D), or (B,D) with one (a decoder step); k, v already projected (B,H,Tk,dh).
        -> (B,Tq,D) or (B,D), probs (B,H,Tq,Tk) | None"""
        q = self.split(self.q(x_q), one)
        p = self.dropout if self.training else 0.0
        out, probs = attention(q, k, v, mask, need_probs, p)
        return self.o(self.merge(out, one)), probs


class FeedForward(nn.Module):
    """Section 3.3: FFN(x) = max(0, x W1 + b1) W2 + b2, applied at every position."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.w1 = nn.Linear(cfg.d_model, cfg.d_ff)
        self.w2 = nn.Linear(cfg.d_ff, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.w2(self.drop(F.relu(self.w1(x))))


class EncoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(cfg.d_model), MultiHeadAttention(cfg)
        self.ln2, self.ff = nn.LayerNorm(cfg.d_model), FeedForward(cfg)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, mask, need_probs=False, need_qk=False):   # x (B,S,D), mask (B,1,1,S)
        h = self.ln1(x)
        k, v = self.attn.project_kv(h)
        a, probs = self.attn(h, k, v, mask, need_probs)
        x = x + self.drop(a)
        x = x + self.drop(self.ff(self.ln2(x)))
        if need_qk:   # per-head queries and keys (B,H,S,dh), for showing Q.K^T/sqrt(dk) with real numbers
            return x, probs, (self.attn.split(self.attn.q(h)), k)
        return x, probs


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.self_attn = nn.LayerNorm(cfg.d_model), MultiHeadAttention(cfg)
        self.ln2, self.cross_attn = nn.LayerNorm(cfg.d_model), MultiHeadAttention(cfg)
        self.ln3, self.ff = nn.LayerNorm(cfg.d_model), FeedForward(cfg)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, self_k, self_v, self_mask, cross_k, cross_v, cross_mask, need_probs=False, one=False):
        """x (B,T,D) queries; self_k/v (B,H,Tk,dh) include x's own keys (the KV cache plus this step),
        or None to project them from x itself (training: the whole target sequence at once); one: x is (B,D), a step."""
        h = self.ln1(x)
        if self_k is None:
            self_k, self_v = self.self_attn.project_kv(h)
        a, self_probs = self.self_attn(h, self_k, self_v, self_mask, need_probs, one)
        x = x + self.drop(a)
        c, cross_probs = self.cross_attn(self.ln2(x), cross_k, cross_v, cross_mask, need_probs, one)
        x = x + self.drop(c)
        x = x + self.drop(self.ff(self.ln3(x)))
        return x, self_probs, cross_probs


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model, padding_idx=cfg.pad_id)  # shared: src, tgt, output
        nn.init.normal_(self.embed.weight, 0.0, cfg.d_model ** -0.5)
        self.register_buffer("pe", sinusoid_table(cfg.max_len, cfg.d_model), persistent=False)
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.enc_layers))
        self.decoder = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.dec_layers))
        self.enc_ln, self.dec_ln = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)

    # --- embeddings ---------------------------------------------------------------------------
    def embed_at(self, ids, start: int | torch.Tensor = 0):
        """ids (B,T) -> (B,T,D): token embedding * sqrt(D) + positional encoding (section 3.4)."""
        T = ids.size(1)
        pe = self.pe[start:start + T] if isinstance(start, int) else self.pe.narrow(0, start, T)
        return self.drop(self.embed(ids) * math.sqrt(self.cfg.d_model) + pe)

    def logits(self, h):
        """Output projection tied to the embedding (section 3.4). h (...,D) -> (...,V)"""
        return torch.einsum("...d,vd->...v", h, self.embed.weight)

    # --- encoder ------------------------------------------------------------------------------
    def encode(self, src, need_probs=False, need_qk=False):
        """src (B,S) -> memory (B,S,D), src_mask (B,1,1,S), enc_probs list of (B,H,S,S) if asked
        (and, with need_qk, a list of per-layer (q, k), each (B,H,S,dh), as a fourth value)."""
        mask = (src != self.cfg.pad_id)[:, None, None, :]
        x, probs, qks = self.embed_at(src), [], []
        for layer in self.encoder:
            if need_qk:
                x, p, qk = layer(x, mask, need_probs, need_qk=True)
                qks.append(qk)
            else:
                x, p = layer(x, mask, need_probs)
            probs.append(p)
        if need_qk:
            return self.enc_ln(x), mask, probs, qks
        return self.enc_ln(x), mask, probs

    def cross_kv(self, memory):
        """Cross-attention keys/values for every decoder layer, computed once per sentence.
        memory (B,S,D) -> cross_k, cross_v (Ld,B,H,S,dh)"""
        ks, vs = zip(*(layer.cross_attn.project_kv(memory) for layer in self.decoder))
        return torch.stack(ks), torch.stack(vs)

    # --- decoder, whole sequence (training, teacher forcing) ----------------------------------
    def forward(self, src, tgt_in):
        """src (B,S), tgt_in (B,T) starting with <s> -> logits (B,T,V)"""
        memory, src_mask, _ = self.encode(src)
        cross_k, cross_v = self.cross_kv(memory)
        h, _, _ = self.decode_sequence(tgt_in, cross_k, cross_v, src_mask)
        return self.logits(h)

    def decode_sequence(self, tgt_in, cross_k, cross_v, cross_mask, need_probs=False):
        """Every target position at once, each seeing only those before it (teacher forcing): training, and the
        attention of a finished translation in one run (export.py's decoder_attn graph).
        tgt_in (B,T) starting with <s>, cross_k/v (Ld,B,H,S,dh), cross_mask (B,1,1,S) or None
        -> hidden (B,T,D) after the final LayerNorm, dec_probs (B,Ld,H,T,T) and cross_probs (B,Ld,H,T,S) if asked"""
        pos = torch.arange(tgt_in.size(1), device=tgt_in.device)
        causal = (pos[None, :] <= pos[:, None])[None, None]                           # (1,1,T,T): t sees 0..t
        x = self.embed_at(tgt_in)
        self_probs, cross_probs = [], []
        for i, layer in enumerate(self.decoder):
            x, sp, cp = layer(x, None, None, causal, cross_k[i], cross_v[i], cross_mask, need_probs)
            self_probs.append(sp)
            cross_probs.append(cp)
        if not need_probs:
            return self.dec_ln(x), None, None
        return self.dec_ln(x), torch.stack(self_probs, 1), torch.stack(cross_probs, 1)

    # --- decoder, one step with a KV cache (inference and ONNX export) -------------------------
    @staticmethod
    def length_mask(src_len, S):
        """src_len (B,) int: each row's real source length in a right-padded batch of S -> cross_mask (B,1,1,S)"""
        return (torch.arange(S, device=src_len.device)[None, :] < src_len[:, None])[:, None, None, :]

    def decode_step(self, tokens, past_k, past_v, cross_k, cross_v, need_probs=False, cross_mask=None, new_only=False):
        """tokens (B,1): the last generated token at position T = past_k.size(3).
        past_k/v (Ld,B,H,T,dh), cross_k/v (Ld,B,H,S,dh); cross_mask (B,1,1,S) only for padded batches.
        -> logits (B,V), present_k/v (Ld,B,H,T+1,dh), dec_probs (B,Ld,H,1,T+1), cross_probs (B,Ld,H,1,S).
        With new_only, present_k/v are this step's position alone (Ld,B,H,1,dh): the exported step graphs return
        only that, and stacking the whole cache to slice its last position would copy it at every step."""
        x = self.embed_at(tokens, past_k.size(3)).reshape(-1, self.cfg.d_model)  # (B,D): the one position
        present_k, present_v, self_probs, cross_probs = [], [], [], []
        for i, layer in enumerate(self.decoder):
            k_new, v_new = layer.self_attn.project_kv(layer.ln1(x), one=True)       # (B,H,1,dh)
            k = torch.cat([past_k[i], k_new], dim=2)                                  # (B,H,T+1,dh)
            v = torch.cat([past_v[i], v_new], dim=2)
            x, sp, cp = layer(x, k, v, None, cross_k[i], cross_v[i], cross_mask, need_probs, one=True)
            present_k.append(k_new if new_only else k)
            present_v.append(v_new if new_only else v)
            self_probs.append(sp)
            cross_probs.append(cp)
        logits = self.logits(self.dec_ln(x))                                         # (B,V)
        out = (logits, torch.stack(present_k), torch.stack(present_v))
        if need_probs:
            out += (torch.stack(self_probs, 1), torch.stack(cross_probs, 1))
        return out

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
