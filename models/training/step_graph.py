"""The search step graph (decoder_step_search.onnx): one decoder step shaped for the engine's beam search.

Beside the plain decoder_step.onnx (logits out, a KV cache that grows by one position per step and is reordered
by the engine), this graph takes the search's work into the step, so that per step only a few numbers per row
cross into JavaScript (docs/PERFORMANCE.md, "A search step in the graph"):

  inputs   tokens   int64 [B,1]     the last token of each row
           beam_idx int64 [B]       row b continues row beam_idx[b] of the incoming cache (the beam reorder)
           past_k, past_v  float [Ld,B0,H,T,dh]   the cache as the previous step returned it (B0 rows, T may be 0)
           cross_k, cross_v float [Ld,B,H,S,dh]
           src_len  int64 [B]       each row's source length (batches of sentences are right-padded to S)
           top_k    int64 [1]       how many candidates per row
  outputs  top_logits float [B,K], top_ids int64 [B,K]   the row's K largest logits, best first (ties: lower id)
           log_norm float [B,1]     log-sum-exp of the row's logits: log p = logit - log_norm, as the engine
                                    computes it in JavaScript over the whole row (beam.ts, logSoftmaxRows)
           new_k, new_v float [Ld,B,H,1,dh]   this step's keys and values of each row: the engine keeps the cache
                                    and appends them (a whole [Ld,B,H,T+1,dh] cache out of every step cost
                                    more than the step in Chromium: docs/PERFORMANCE.md, "The KV cache stays")

A beam search needs only the top 2*beam candidates of each row (the best 2*beam over all rows lie among them)
and greedy only the top 2, so the engine asks for K = max(2*beam, step-player candidates).
"""
from __future__ import annotations

import torch
from onnx import TensorProto, helper

from .model import Transformer


class SearchStepGraph(torch.nn.Module):
    """Traced part: the beam gather and the step; export_search_step appends log-sum-exp and TopK in ONNX."""

    def __init__(self, model: Transformer):
        super().__init__()
        self.model = model

    def forward(self, tokens, beam_idx, past_k, past_v, cross_k, cross_v, src_len):
        past_k = past_k.index_select(1, beam_idx)
        past_v = past_v.index_select(1, beam_idx)
        mask = self.model.length_mask(src_len, cross_k.size(3))
        return self.model.decode_step(tokens, past_k, past_v, cross_k, cross_v, cross_mask=mask, new_only=True)


INPUTS = ["tokens", "beam_idx", "past_k", "past_v", "cross_k", "cross_v", "src_len"]
TRACED_OUTPUTS = ["logits", "new_k", "new_v"]
AXES = {"tokens": {0: "batch"}, "beam_idx": {0: "batch"}, "src_len": {0: "batch"},
        "past_k": {1: "past_batch", 3: "past_len"}, "past_v": {1: "past_batch", 3: "past_len"},
        "cross_k": {1: "batch", 3: "src_len"}, "cross_v": {1: "batch", 3: "src_len"},
        "logits": {0: "batch"}, "new_k": {1: "batch"}, "new_v": {1: "batch"}}


def example_inputs(model: Transformer):
    cfg = model.cfg
    H, dh, Ld = cfg.n_heads, cfg.d_model // cfg.n_heads, cfg.dec_layers
    B0, B, S, T = 2, 3, 7, 3
    return (torch.randint(4, cfg.vocab_size, (B, 1)), torch.tensor([1, 0, 1]), torch.randn(Ld, B0, H, T, dh),
            torch.randn(Ld, B0, H, T, dh), torch.randn(Ld, B, H, S, dh), torch.randn(Ld, B, H, S, dh), torch.tensor([S, S - 2, S]))


def export_search_step(model: Transformer, path: str, opset: int) -> None:
    torch.onnx.export(SearchStepGraph(model).eval(), example_inputs(model), path, opset_version=opset,
                      input_names=INPUTS, output_names=TRACED_OUTPUTS, dynamic_axes=AXES,
                      do_constant_folding=True, dynamo=False)


def append_search_outputs(graph) -> None:
    """logits [B,V] -> top_logits/top_ids (TopK over float32: the values are the logits themselves, bit for bit)
    and log_norm (log-sum-exp, float32). The logits stop being an output.

    float32, not float64: the browser's onnxruntime-web WASM build has no float64 Cast or reductions ("Could not find
    an implementation for Cast(13)"), though Node's build has. Written out as max + log(sum(exp(x - max))) rather than
    ReduceLogSumExp, whose float32 kernel may sum without subtracting the max first."""
    logits = next(o for o in graph.output if o.name == "logits")
    graph.output.remove(logits)
    graph.input.append(helper.make_tensor_value_info("top_k", TensorProto.INT64, [1]))
    graph.node.extend([
        helper.make_node("TopK", ["logits", "top_k"], ["top_logits", "top_ids"], axis=-1, largest=1, sorted=1, name="search_topk"),
        helper.make_node("ReduceMax", ["logits"], ["search_max"], axes=[1], keepdims=1, name="search_max"),
        helper.make_node("Sub", ["logits", "search_max"], ["search_shifted"], name="search_shift"),
        helper.make_node("Exp", ["search_shifted"], ["search_exp"], name="search_exp"),
        helper.make_node("ReduceSum", ["search_exp", "search_axes"], ["search_sum"], keepdims=1, name="search_sum"),
        helper.make_node("Log", ["search_sum"], ["search_log_sum"], name="search_log_sum"),
        helper.make_node("Add", ["search_max", "search_log_sum"], ["log_norm"], name="search_log_norm"),
    ])
    graph.initializer.append(helper.make_tensor("search_axes", TensorProto.INT64, [1], [1]))
    kv = [o for o in graph.output]
    del graph.output[:]
    graph.output.extend([
        helper.make_tensor_value_info("top_logits", TensorProto.FLOAT, ["batch", "top_k"]),
        helper.make_tensor_value_info("top_ids", TensorProto.INT64, ["batch", "top_k"]),
        helper.make_tensor_value_info("log_norm", TensorProto.FLOAT, ["batch", 1]),
        *kv,
    ])
