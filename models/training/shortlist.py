"""Vocabulary shortlists: the search step graph restricted to the tokens one target language uses.

The tied output projection (logits = h @ E^T, E the 16000 x 256 embedding) is the largest MatMul of a decoder step
(a third to a half of its kernel time, docs/PERFORMANCE.md), and most of its rows are wasted on any one direction:
Korean pieces never end an English translation, German ones never a Korean one. A shortlist is the ids that occur
in the training targets of one language; its graph, decoder_step_search_<lang>.onnx, is the search step graph with

    logits   = h @ Gather(E, vocab)^T          [B, V']   V' = len(vocab), the rows of E it keeps
    top_ids  = Gather(vocab, TopK(logits))     back to full-vocabulary ids
    log_norm = log-sum-exp over the V' logits

Gather on constants is folded when onnxruntime creates the session, so each step multiplies by a prepacked V' x 256
matrix. The ids are the only new bytes (int32, in weights.bin). log_norm leaves out the mass of the tokens the list
drops: tokens that never occur in that language's targets, whose share of the probability the trained model puts
near zero (checked against the full graph by the golden tests and the bench's same-tokens row).
"""
from __future__ import annotations

import collections
import copy
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VOCAB = "search_vocab"
SHORTLIST_FILE = "decoder_step_search_{lang}.onnx"


def target_counts(train_tsv: Path, encode) -> dict[str, collections.Counter]:
    """How often each token id occurs on each language's side of the training pairs (every pair is trained both
    ways, so each side is some direction's target). `encode`: text -> ids, the package's tokenizer."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    with open(train_tsv, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            _, a, b, text_a, text_b = parts[:5]
            counts[a].update(encode(text_a))
            counts[b].update(encode(text_b))
    return counts


def shortlists_from_data(train_tsv: Path, tokenizer_model: Path, langs) -> dict[str, list[int]]:
    """Each language's shortlist from the training pairs, with the package's tokenizer."""
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(tokenizer_model))
    counts = target_counts(Path(train_tsv), sp.encode)
    return {lang: shortlist(counts[lang], [sp.eos_id(), sp.unk_id()]) for lang in langs if counts.get(lang)}


def shortlist(counts: collections.Counter, always: list[int], min_count: int = 1) -> list[int]:
    """Ids seen at least min_count times, plus `always` (</s>, <unk>), ascending: TopK breaks ties to the lower
    index, and with ascending ids that is the lower id, as over the full vocabulary."""
    return sorted({i for i, n in counts.items() if n >= min_count} | set(always))


def ids_location(model: onnx.ModelProto) -> dict:
    """Where a shortlist graph's ids lie in weights.bin once externalized ({offset, length}: int32, little-endian), for
    the manifest: the engine reads them to keep the attention step's search (logits in JavaScript) to the same ids."""
    init = next(i for i in model.graph.initializer if i.name == VOCAB)
    ext = {e.key: e.value for e in init.external_data}
    if init.data_location != TensorProto.EXTERNAL or init.data_type != TensorProto.INT32:
        raise ValueError(f"{VOCAB} is not an int32 tensor in the weights file")
    return {"offset": int(ext["offset"]), "length": int(ext["length"])}


def shortlist_graph(model: onnx.ModelProto, vocab: list[int]) -> onnx.ModelProto:
    """A copy of the search step graph whose output projection, TopK and log-sum-exp cover only `vocab`."""
    m = copy.deepcopy(model)
    g = m.graph
    nodes = list(g.node)
    proj = next(n for n in nodes if n.op_type == "MatMul" and list(n.output) == ["logits"])
    transpose = next(n for n in nodes if n.op_type == "Transpose" and n.output[0] == proj.input[1])
    topk = next(n for n in nodes if n.op_type == "TopK" and n.output[1] == "top_ids")
    embedding = transpose.input[0]
    g.initializer.append(numpy_helper.from_array(np.asarray(vocab, dtype=np.int32), VOCAB))
    g.node.insert(nodes.index(transpose), helper.make_node("Gather", [embedding, VOCAB], [f"{VOCAB}_rows"], axis=0, name=f"{VOCAB}_rows"))
    transpose.input[0] = f"{VOCAB}_rows"
    topk.output[1] = f"{VOCAB}_top"
    at = list(g.node).index(topk) + 1
    g.node.insert(at, helper.make_node("Cast", [f"{VOCAB}_top_ids32"], ["top_ids"], to=TensorProto.INT64, name=f"{VOCAB}_ids"))
    g.node.insert(at, helper.make_node("Gather", [VOCAB, f"{VOCAB}_top"], [f"{VOCAB}_top_ids32"], axis=0, name=f"{VOCAB}_top_ids"))
    return m
