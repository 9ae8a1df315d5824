"""Exports a trained model.pt to a model package (ONNX graphs sharing one weights file) for onnxruntime-web.

  .venv/bin/python -m models.training.export --run build/runs/small --out models/ac-small-cpu-v1 [--dtype fp16]

Four graphs (see ARCHITECTURE.md): encoder, encoder_attn, decoder_step, decoder_step_attn, and a fifth,
decoder_step_search (step_graph.py): the plain step with the beam reorder, log-sum-exp and top-k inside, which
plain translation runs when a package has it. Plain translation runs the graphs without attention outputs, so it
never pays for them; and a sixth, decoder_attn (DecoderAttnGraph): a finished translation's decoder and
cross-attention for all its tokens in one run, so attention requests search with the plain step too. The decoder
graphs take each row's source length (src_len) so that sentences of different lengths share a run, right-padded
(the encoder masks pad ids itself). All of them point into one external
weights.bin, each distinct tensor stored once (tensors are matched by content), so the extra graphs cost
only a few kilobytes. --dtype fp16 stores weights as float16 followed by a Cast to float32: half the size,
float32 arithmetic, and operators every onnxruntime-web backend runs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

from .model import ModelConfig, Transformer
from .ort_package import FLOAT16, INT8_BLOCK32, int8_block_decode, int8_block_encode, span_elements, widened_bytes, widened_offsets
from .shortlist import SHORTLIST_FILE, VOCAB, ids_location, shortlist_graph, shortlists_from_data
from .step_graph import append_search_outputs, export_search_step


OPSET = 17
# Format 1 with an optional fifth graph, decoderStepSearch (step_graph.py): engines that know it use it for plain
# translation, older ones ignore it, and a package without it still loads. So the format number stays 1.
FORMAT_VERSION = 1
LANGS = ("en", "ko", "de")
DIRECTIONS = [["en", "ko"], ["ko", "en"], ["en", "de"], ["de", "en"]]
ALIGN = 64


class EncoderGraph(torch.nn.Module):
    def __init__(self, model: Transformer, with_attention: bool):
        super().__init__()
        self.model, self.with_attention = model, with_attention

    def forward(self, src_ids):                                     # (B,S)
        if not self.with_attention:
            memory, _, _ = self.model.encode(src_ids)
            return self.model.cross_kv(memory)                       # cross_k, cross_v (Ld,B,H,S,dh)
        memory, _, probs, qks = self.model.encode(src_ids, need_probs=True, need_qk=True)
        cross_k, cross_v = self.model.cross_kv(memory)
        enc_q = torch.stack([q for q, _ in qks], 1)                 # (B,Le,H,S,dh)
        enc_k = torch.stack([k for _, k in qks], 1)
        return cross_k, cross_v, torch.stack(probs, 1), enc_q, enc_k   # enc_attn (B,Le,H,S,S)


class DecoderStepGraph(torch.nn.Module):
    def __init__(self, model: Transformer, with_attention: bool):
        super().__init__()
        self.model, self.with_attention = model, with_attention

    def forward(self, tokens, past_k, past_v, cross_k, cross_v, src_len):
        # src_len (B,): sentences of different lengths share a run right-padded to S; their padding is masked out
        # of cross-attention (the encoder masks it itself: it sees the pad ids).
        mask = self.model.length_mask(src_len, cross_k.size(3))
        return self.model.decode_step(tokens, past_k, past_v, cross_k, cross_v, need_probs=self.with_attention, cross_mask=mask, new_only=True)


class DecoderAttnGraph(torch.nn.Module):
    """The attention of a finished translation in one run: its tokens (<s> and all but the last) at once, each
    position seeing those before it, as the steps that chose them saw them. The engine runs the search with the
    plain (shortlisted) step and then this, instead of a step graph with attention outputs at every search step."""

    def __init__(self, model: Transformer):
        super().__init__()
        self.model = model

    def forward(self, tokens, cross_k, cross_v, src_len):           # tokens (B,T), cross_k/v (Ld,B,H,S,dh), src_len (B,)
        mask = self.model.length_mask(src_len, cross_k.size(3))
        _, dec_probs, cross_probs = self.model.decode_sequence(tokens, cross_k, cross_v, mask, need_probs=True)
        return dec_probs, cross_probs                                # (B,Ld,H,T,T), (B,Ld,H,T,S)


DECODER_ATTN = ("decoderAttn", "decoder_attn.onnx")


def graph_specs(cfg: ModelConfig):
    """Names and dynamic axes of the four graphs: the contract with src/shared/manifest.ts."""
    kv = {1: "batch", 3: "src_len"}
    past = {1: "batch", 3: "past_len"}
    enc_in, enc_out = ["src_ids"], ["cross_k", "cross_v"]
    dec_in = ["tokens", "past_k", "past_v", "cross_k", "cross_v", "src_len"]
    dec_out = ["logits", "new_k", "new_v"]              # new_k/new_v: this step's position only (step_graph.py)
    axes_enc = {"src_ids": {0: "batch", 1: "src_len"}, "cross_k": kv, "cross_v": kv,
                "enc_attn": {0: "batch", 3: "src_len", 4: "src_len"},
                "enc_q": {0: "batch", 3: "src_len"}, "enc_k": {0: "batch", 3: "src_len"}}
    axes_dec = {"tokens": {0: "batch"}, "src_len": {0: "batch"}, "past_k": past, "past_v": past, "cross_k": kv, "cross_v": kv,
                "logits": {0: "batch"}, "new_k": {1: "batch"}, "new_v": {1: "batch"},
                "dec_attn": {0: "batch", 4: "total_len"}, "cross_attn": {0: "batch", 4: "src_len"}}
    return {
        "encoder": ("encoder.onnx", False, enc_in, enc_out, axes_enc),
        "encoderAttn": ("encoder_attn.onnx", True, enc_in, enc_out + ["enc_attn", "enc_q", "enc_k"], axes_enc),
        "decoderStep": ("decoder_step.onnx", False, dec_in, dec_out, axes_dec),
        "decoderStepAttn": ("decoder_step_attn.onnx", True, dec_in, dec_out + ["dec_attn", "cross_attn"], axes_dec),
    }


def example_inputs(cfg: ModelConfig, is_encoder: bool):
    H, dh, Ld = cfg.n_heads, cfg.d_model // cfg.n_heads, cfg.dec_layers
    B, S, T = 2, 7, 3
    if is_encoder:
        return (torch.randint(4, cfg.vocab_size, (B, S)),)
    return (torch.randint(4, cfg.vocab_size, (B, 1)), torch.randn(Ld, B, H, T, dh), torch.randn(Ld, B, H, T, dh),
            torch.randn(Ld, B, H, S, dh), torch.randn(Ld, B, H, S, dh), torch.tensor([S, S - 2]))


SEARCH_STEP = ("decoderStepSearch", "decoder_step_search.onnx")


def export_graph(model, name, spec, cfg, path: Path):
    if name == SEARCH_STEP[0]:
        export_search_step(model, str(path), OPSET)
        return
    if name == DECODER_ATTN[0]:
        H, dh, Ld, B, S, T = cfg.n_heads, cfg.d_model // cfg.n_heads, cfg.dec_layers, 2, 7, 5
        cross = torch.randn(Ld, B, H, S, dh)
        torch.onnx.export(DecoderAttnGraph(model).eval(), (torch.randint(4, cfg.vocab_size, (B, T)), cross, cross, torch.tensor([S, S - 2])),
                          str(path), opset_version=OPSET, input_names=["tokens", "cross_k", "cross_v", "src_len"],
                          output_names=["dec_attn", "cross_attn"],
                          dynamic_axes={"tokens": {0: "batch", 1: "tgt_len"}, "cross_k": {1: "batch", 3: "src_len"},
                                        "cross_v": {1: "batch", 3: "src_len"}, "src_len": {0: "batch"},
                                        "dec_attn": {0: "batch", 3: "tgt_len", 4: "tgt_len"},
                                        "cross_attn": {0: "batch", 3: "tgt_len", 4: "src_len"}},
                          do_constant_folding=True, dynamo=False)
        return
    file, with_attention, inputs, outputs, axes = spec
    is_encoder = name.startswith("encoder")
    module = (EncoderGraph if is_encoder else DecoderStepGraph)(model, with_attention).eval()
    torch.onnx.export(module, example_inputs(cfg, is_encoder), str(path), opset_version=OPSET,
                      input_names=inputs, output_names=outputs,
                      dynamic_axes={k: v for k, v in axes.items() if k in inputs + outputs},
                      do_constant_folding=True, dynamo=False)


def to_fp16_storage(graph: onnx.GraphProto):
    """Float32 initializers of 16+ elements become float16 initializers feeding a Cast back to float32.

    The whole table is cast, not the rows a Gather picks: onnxruntime-web's WebGPU Gather needs shader-f16 for float16
    data, which many adapters lack ("Program Gather requires f16 but the device does not support it"), so no float16
    tensor may reach a node that runs at inference (docs/PERFORMANCE.md, "Leaner step graphs")."""
    casts = []
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= 16:
            arr = numpy_helper.to_array(init).astype(np.float16)
            name = init.name
            init.CopyFrom(numpy_helper.from_array(arr, name + "__fp16"))
            casts.append(helper.make_node("Cast", [name + "__fp16"], [name], to=TensorProto.FLOAT, name=name + "__cast"))
    for i, node in enumerate(casts):
        graph.node.insert(i, node)


# The node that stands for an int8-block32 tensor's widening between to_int8_storage and widen_storage; never saved.
INT8_MARK = "WidenInt8Block32"
INT8_DOMAIN = "ai.attention_companion"


def to_int8_storage(graph: onnx.GraphProto):
    """Float32 initializers of 16+ elements become int8-block32 blobs (ort_package.int8_block_encode: 32 int8 codes per
    float16 scale; uint8 initializers) feeding a mark node that widen_storage turns into a float32 initializer of the
    widened file. Half the bytes of float16 storage; the engine and Python widen the same way."""
    marks = []
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= 16:
            raw = int8_block_encode(numpy_helper.to_array(init))
            name, dims = init.name, list(init.dims)
            init.CopyFrom(numpy_helper.from_array(np.frombuffer(raw, dtype=np.uint8), name + "__int8"))
            marks.append(helper.make_node(INT8_MARK, [name + "__int8"], [name], domain=INT8_DOMAIN, name=name + "__widen",
                                          dims=dims))
    for i, node in enumerate(marks):
        graph.node.insert(i, node)


WIDENED_FILE = "weights.f32.bin"


def widen_storage(models: dict[str, onnx.ModelProto], weights_path: Path) -> dict:
    """Compact storage without Casts in the graphs: each float16 initializer and the Cast that follows it
    (to_fp16_storage), or each int8-block32 blob and its mark (to_int8_storage), stored in weights.bin by externalize,
    become one float32 initializer in WIDENED_FILE, a file no package holds: the engine writes it in memory from
    weights.bin before it opens a session (src/engine/widenedWeights.ts), and Python's sessions from a copy
    (ort_package.py). weights.bin stays compact (the .vsix's size), while onnxruntime folds nothing per weight at every
    session creation: about half of a session's creation time (docs/PERFORMANCE.md, "Float16 weights widened once").
    Run after externalize. Returns the manifest's "widenedWeights": the encoding and the spans of weights.bin
    ([offset, bytes], by offset), which widened side by side in that order make WIDENED_FILE."""
    stored = []                                                     # (model, initializer, its widening node)
    for m in models.values():
        for init in m.graph.initializer:
            if init.data_type in (TensorProto.FLOAT16, TensorProto.UINT8):
                users = [n for n in m.graph.node if init.name in n.input]
                stored.append((m, init, users))
    kinds = {FLOAT16 if init.data_type == TensorProto.FLOAT16 else INT8_BLOCK32 for _, init, _ in stored}
    if len(kinds) > 1:
        raise ValueError("a package stores its weights in one encoding: float16 and int8 initializers found")
    encoding = kinds.pop() if kinds else FLOAT16
    spans = sorted({external_span(init) for _, init, _ in stored if init.data_location == TensorProto.EXTERNAL})
    widened_at = widened_offsets(spans, encoding)
    for m, init, users in stored:
        g = m.graph
        node = users[0] if len(users) == 1 else None
        if encoding == FLOAT16:
            ok = node is not None and node.op_type == "Cast" and node.input[0] == init.name \
                and next(a.i for a in node.attribute if a.name == "to") == TensorProto.FLOAT
        else:
            ok = node is not None and node.op_type == INT8_MARK and node.domain == INT8_DOMAIN
        if not ok:
            raise ValueError(f"{init.name}: a {encoding} initializer must feed exactly one widening node (Cast to float32, {INT8_MARK})")
        if init.data_location == TensorProto.EXTERNAL:
            offset, length = external_span(init)
            del init.external_data[:]
            for k, v in (("location", WIDENED_FILE), ("offset", str(widened_at[offset])), ("length", str(4 * span_elements(length, encoding)))):
                e = init.external_data.add()
                e.key, e.value = k, v
            init.data_type = TensorProto.FLOAT
            if encoding == INT8_BLOCK32:
                del init.dims[:]
                init.dims.extend(_dims(node))
        else:                                                       # a small tensor kept inline: widened in place
            values = numpy_helper.to_array(init)
            values = values.astype(np.float32) if encoding == FLOAT16 else int8_block_decode(values.tobytes()).reshape(_dims(node))
            init.CopyFrom(numpy_helper.from_array(values, init.name))
        init.name = node.output[0]
        g.node.remove(node)
    return {"file": WIDENED_FILE, "encoding": encoding, "spans": [list(s) for s in spans]}


def _dims(mark: onnx.NodeProto) -> list[int]:
    """The float32 shape an int8-block32 mark widens its blob to."""
    return list(next(a.ints for a in mark.attribute if a.name == "dims"))


def external_span(init: onnx.TensorProto) -> tuple[int, int]:
    """(offset, length) of an external initializer's bytes in its file."""
    d = {e.key: e.value for e in init.external_data}
    return int(d.get("offset", 0)), int(d["length"])


def logits_as_matmul(graph: onnx.GraphProto) -> int:
    """The tied output projection, exported as Einsum("...d,vd->...v", h, E), becomes MatMul(h, Transpose(E)).
    onnxruntime runs that Einsum by transposing E (vocab x d) on every decoder step; a Transpose of a constant is
    folded once when the session is created, and MatMul uses the prepacked result. Measured on ac-small-cpu-v2
    (onnxruntime-web WASM in Node, 1 thread, one step at 20 past tokens, side by side): 4.2x faster steps; a Gemm
    with transB was 3.5x. Rewritten here rather than written as h @ E.t() in model.py because torch's constant
    folding would store the transposed copy (vocab x d more bytes in weights.bin). Returns how many were rewritten."""
    count = 0
    for node in list(graph.node):
        eq = next((a.s for a in node.attribute if a.name == "equation"), b"")
        if node.op_type != "Einsum" or eq.replace(b" ", b"") != b"...d,vd->...v":
            continue
        h, weight = node.input
        transposed = f"{weight}__T"
        at = list(graph.node).index(node)
        graph.node.remove(node)
        graph.node.insert(at, helper.make_node("MatMul", [h, transposed], list(node.output), name=f"{node.name or 'logits'}__matmul"))
        graph.node.insert(at, helper.make_node("Transpose", [weight], [transposed], perm=[1, 0], name=f"{weight}__transpose"))
        count += 1
    return count


def gemm_weights_as_stored(graph: onnx.GraphProto) -> int:
    """A Linear on 2-D activations (a decoder step's, model.py's `one`) exports as Gemm(x, W, b, transB=1) with W as
    PyTorch holds it (out x in), where the 3-D graphs (encoder, decoder_attn) export MatMul(x, W^T): weights.bin would
    hold both orientations of every decoder weight (2.5 MB more in the package). Each such Gemm takes W^T with
    transB=0 instead, so the graphs share one copy; onnxruntime prepacks Gemm's B either way. Returns how many."""
    inits = {i.name: i for i in graph.initializer}
    count = 0
    for node in graph.node:
        trans_b = next((a for a in node.attribute if a.name == "transB"), None)
        if node.op_type != "Gemm" or trans_b is None or trans_b.i != 1 or node.input[1] not in inits:
            continue
        if sum(node.input[1] in n.input for n in graph.node) > 1:
            continue
        init = inits[node.input[1]]
        # Renamed: a "model.<name>" initializer holds that parameter as PyTorch does (bench/pytorch_weights.py reads so).
        init.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(init).T), init.name + "__T"))
        node.input[1] = init.name
        trans_b.i = 0
        count += 1
    return count


def constants_to_initializers(graph: onnx.GraphProto, min_elements: int = 1024) -> int:
    """Large Constant nodes (the sinusoid table, 256 x 256 float32, in every graph) become initializers, so that
    externalize stores them once in weights.bin instead of inline in each graph (262 KB per graph, barely
    compressible: most of each graph file and of the .vsix's share of it). Run after to_fp16_storage: they stay
    float32, the values PyTorch computes with. Returns how many moved."""
    moved = 0
    for node in list(graph.node):
        value = next((a.t for a in node.attribute if a.name == "value" and a.type == onnx.AttributeProto.TENSOR), None)
        if node.op_type != "Constant" or value is None or int(np.prod(value.dims)) < min_elements:
            continue
        init = onnx.TensorProto()
        init.CopyFrom(value)
        init.name = node.output[0]
        graph.initializer.append(init)
        graph.node.remove(node)
        moved += 1
    return moved


def externalize(models: dict[str, onnx.ModelProto], weights_path: Path) -> dict:
    """Moves every initializer into one weights file, each distinct content once. Returns stats.

    When weights_path already holds exactly these tensors (a package exported again in place with other graphs), its
    layout is kept and the file is left byte for byte as it was: the package's history gains the graphs only."""
    stored = []                                                     # (initializer, key, raw) of every stored reference
    uniques: dict[str, bytes] = {}
    for m in models.values():
        for init in m.graph.initializer:
            raw = numpy_helper.to_array(init).tobytes()
            if len(raw) < 64 and init.name != VOCAB and init.data_type != TensorProto.UINT8:
                continue                                            # tiny tensors stay inline (a shortlist's ids never: the engine
                                                                    # reads them; int8 blocks never: tensor_map finds them there)
            key = hashlib.sha256(raw + str(init.data_type).encode() + str(list(init.dims)).encode()).hexdigest()
            uniques.setdefault(key, raw)
            stored.append((init, key, raw))
    previous = weights_path.read_bytes() if weights_path.exists() else b""
    blobs = layout_of(previous, uniques)
    if blobs is None:
        blobs = {}
        with open(weights_path, "wb") as f:
            for key, raw in uniques.items():
                f.write(b"\0" * ((-f.tell()) % ALIGN))
                blobs[key] = (f.tell(), len(raw))
                f.write(raw)
    for init, key, _ in stored:
        offset, length = blobs[key]
        init.ClearField("raw_data")
        for field in ("float_data", "int32_data", "int64_data", "double_data"):
            init.ClearField(field)
        init.data_location = TensorProto.EXTERNAL
        del init.external_data[:]
        for k, v in (("location", weights_path.name), ("offset", str(offset)), ("length", str(length))):
            e = init.external_data.add()
            e.key, e.value = k, v
    return {"unique_tensors": len(blobs), "bytes_if_not_shared": sum(len(raw) for _, _, raw in stored),
            "weights_bytes": weights_path.stat().st_size}


def layout_of(previous: bytes, uniques: dict[str, bytes]) -> dict[str, tuple[int, int]] | None:
    """Where each of `uniques` lies in a previous weights file, if that file is exactly these tensors laid out as
    externalize lays them out (each at the next ALIGN boundary, nothing else between or after); else None."""
    if not previous:
        return None
    at = {}
    for key, raw in uniques.items():
        off = aligned_find(previous, raw)
        if off == -1:
            return None
        at[key] = (off, len(raw))
    end = 0
    for off, length in sorted(at.values()):
        if off != end + (-end) % ALIGN:
            return None
        end = off + length
    return at if end == len(previous) else None


def aligned_find(data: bytes, raw: bytes) -> int:
    """The first ALIGN-aligned offset of raw in data (every blob externalize writes starts at one), or -1."""
    off = data.find(raw)
    while off != -1 and off % ALIGN:
        off = data.find(raw, off + 1)
    return off


def tensor_map(model: Transformer, weights_path: Path, dtype: str) -> dict:
    """Where each PyTorch parameter lies in weights.bin, so that training can resume from a shipped package
    (models/training/state/): {name: {offset, length, dtype, shape, transposed}}. Found by content, since the
    exporter renames and sometimes transposes weights (Linear -> MatMul with W^T)."""
    data = weights_path.read_bytes()
    out, missing = {}, []
    for name, t in model.state_dict().items():
        t = t.detach().cpu().float()
        stored = "float32" if t.numel() < 16 or dtype == "fp32" else {"fp16": "float16", "int8": INT8_BLOCK32}[dtype]
        variants = [(t.numpy(), False)]
        if t.dim() == 2:
            variants.append((t.t().contiguous().numpy(), True))
        found = None
        for arr, transposed in variants:
            raw = int8_block_encode(arr) if stored == INT8_BLOCK32 else arr.astype(stored).tobytes()
            off = aligned_find(data, raw)
            if off != -1:
                found = {"offset": off, "length": len(raw), "dtype": stored, "shape": list(t.shape), "transposed": transposed}
                break
        if found is None:
            missing.append(name)
        else:
            out[name] = found
    if missing:
        raise RuntimeError(f"weights.bin lacks {len(missing)} parameters ({', '.join(missing[:5])}...): cannot map them for resuming")
    return out


def load_from_package(model: Transformer, package: Path, tensors: dict) -> None:
    """The inverse of tensor_map: fills model's parameters from the package's weights.bin (float16 or int8-block32 ->
    float32)."""
    data = (package / "weights.bin").read_bytes()
    state = {}
    for name, e in tensors.items():
        if e["dtype"] == INT8_BLOCK32:
            arr = int8_block_decode(data[e["offset"]:e["offset"] + e["length"]])
        else:
            arr = np.frombuffer(data, dtype=np.dtype(e["dtype"]), count=e["length"] // np.dtype(e["dtype"]).itemsize, offset=e["offset"])
        shape = list(reversed(e["shape"])) if e["transposed"] else e["shape"]
        t = torch.from_numpy(arr.astype(np.float32).reshape(shape))
        state[name] = t.t().contiguous() if e["transposed"] else t
    model.load_state_dict(state)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def io_spec(m: onnx.ModelProto):
    def desc(v):
        dims = [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
        return {"name": v.name, "type": TensorProto.DataType.Name(v.type.tensor_type.elem_type).lower(), "shape": dims}
    return [desc(v) for v in m.graph.input], [desc(v) for v in m.graph.output]


def load_run(run: Path):
    ckpt = torch.load(run / "model.pt", map_location="cpu")
    cfg = ModelConfig(**ckpt["model_config"])
    model = Transformer(cfg)
    model.load_state_dict(ckpt["model"])
    return model.eval(), cfg, ckpt


def export_package(run: Path, out: Path, dtype: str = "fp32", package_id: str | None = None, description: str = "",
                   search_step: bool = True, shortlist_data: Path | None = None, widen: bool = True):
    # search_step: the fifth graph, plain translation's step (step_graph.py). --no-search-step leaves it out (the
    # engine then runs decoder_step.onnx and does the search in JavaScript).
    # shortlist_data: training pairs (train.tsv) whose target sides give each language's shortlist (shortlist.py):
    # decoder_step_search_<lang>.onnx, which plain translation into that language runs instead of the full graph.
    # widen: with fp16 or int8, the graphs read float32 weights from WIDENED_FILE (widen_storage); fp16 without it: float16 + Casts.
    model, cfg, ckpt = load_run(run)
    shortlists = shortlists_from_data(shortlist_data, run / "tokenizer.model", LANGS) if search_step and shortlist_data else {}
    out.mkdir(parents=True, exist_ok=True)
    specs = {**graph_specs(cfg), **({SEARCH_STEP[0]: (SEARCH_STEP[1],)} if search_step else {}), DECODER_ATTN[0]: (DECODER_ATTN[1],)}
    models: dict[str, onnx.ModelProto] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in specs.items():
            p = Path(tmp) / spec[0]
            export_graph(model, name, spec, cfg, p)
            models[name] = onnx.load(str(p))
    for m in models.values():
        logits_as_matmul(m.graph)
        gemm_weights_as_stored(m.graph)
    short_models: dict[str, onnx.ModelProto] = {}
    if search_step:
        append_search_outputs(models[SEARCH_STEP[0]].graph)
        for lang, ids in shortlists.items():
            short_models[lang] = shortlist_graph(models[SEARCH_STEP[0]], ids)
    every = {**models, **{f"shortlist:{lang}": m for lang, m in short_models.items()}}
    ops = sorted({n.op_type for m in every.values() for n in m.graph.node})
    for m in every.values():
        if dtype == "fp16":
            to_fp16_storage(m.graph)
        elif dtype == "int8":
            to_int8_storage(m.graph)
        constants_to_initializers(m.graph)
    for old in out.glob("*.onnx"):
        old.unlink()
    stats = externalize(every, out / "weights.bin")
    if dtype == "int8" and not widen:
        raise ValueError("int8 storage is always widened: onnxruntime has no kernel for its blocks")
    widened = widen_storage(every, out / "weights.bin") if dtype in ("fp16", "int8") and widen else None
    tensors = tensor_map(model, out / "weights.bin", dtype)

    def save(m: onnx.ModelProto, file: str) -> dict:
        onnx.save(m, str(out / file))
        onnx.checker.check_model(str(out / file))
        inputs, outputs = io_spec(m)
        return {"file": file, "inputs": inputs, "outputs": outputs}
    # The checker reads external data from files beside the graph: the widened file is there while it checks.
    if widened:
        (out / WIDENED_FILE).write_bytes(widened_bytes((out / "weights.bin").read_bytes(), widened["spans"], widened["encoding"]))
    try:
        graphs = {name: save(m, specs[name][0]) for name, m in models.items()}
        search_shortlists = {lang: {**save(m, SHORTLIST_FILE.format(lang=lang)), "vocab": len(shortlists[lang]), "ids": ids_location(m)}
                             for lang, m in short_models.items()}
    finally:
        (out / WIDENED_FILE).unlink(missing_ok=True)

    from . import tokenizer as tok
    shutil.copy(run / "tokenizer.model", out / "tokenizer.model")
    tok.export_json(str(out / "tokenizer.model"), str(out / "tokenizer.json"))
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(out / "tokenizer.model"))
    manifest_path = out / "manifest.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest = {
        "format": FORMAT_VERSION,
        "id": package_id or out.name,
        "description": description or previous.get("description", ""),
        "languages": list(LANGS),
        "directions": DIRECTIONS,
        "tags": {l: f"<2{l}>" for l in LANGS},
        "special": {"pad": sp.pad_id(), "unk": sp.unk_id(), "bos": sp.bos_id(), "eos": sp.eos_id(),
                    "tags": {l: sp.piece_to_id(f"<2{l}>") for l in LANGS}},
        "dims": {"vocab": cfg.vocab_size, "dModel": cfg.d_model, "heads": cfg.n_heads, "dHead": cfg.d_model // cfg.n_heads,
                 "dFF": cfg.d_ff, "encoderLayers": cfg.enc_layers, "decoderLayers": cfg.dec_layers,
                 "maxLen": cfg.max_len, "preLN": True, "params": model.num_params()},
        "weightsDtype": dtype,
        "tokenizer": {"model": "tokenizer.model", "json": "tokenizer.json"},
        "weights": "weights.bin",
        **({"widenedWeights": widened} if widened else {}),
        "graphs": graphs,
        **({"searchShortlists": search_shortlists} if search_shortlists else {}),
        "operators": ops,
        "decoding": {"beam": 4, "lengthPenalty": 0.6, "maxLenRule": "min(maxLen - 1, 2 * srcLen + 10)"},
        "training": {"config": ckpt["config"], "steps": ckpt["step"], "minutes": ckpt["minutes"], "device": ckpt["device"],
                     "world": ckpt.get("world", 1), "pairs": ckpt.get("pairs"), "targetTokensSeen": ckpt.get("target_tokens_seen"),
                     "averaged": ckpt.get("averaged"), **({"trainedAs": ckpt["trainedAs"]} if ckpt.get("trainedAs") else {})},
        "scores": previous.get("scores", {}),
        "export": stats,
    }
    write_manifest(out, manifest)
    return manifest, tensors


def write_manifest(out: Path, manifest: dict):
    """Recomputes the file list (sha256, bytes) and writes manifest.json."""
    names = [manifest["weights"], manifest["tokenizer"]["model"], manifest["tokenizer"]["json"]]
    names += [g["file"] for g in manifest["graphs"].values()]
    names += [g["file"] for g in manifest.get("searchShortlists", {}).values()]
    if (out / "MODEL_CARD.md").exists():
        names.append("MODEL_CARD.md")
    manifest["files"] = {n: {"sha256": sha256(out / n), "bytes": (out / n).stat().st_size} for n in names}
    manifest["packageBytes"] = sum(f["bytes"] for f in manifest["files"].values())
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def rewrite_package_graphs(package: Path) -> int:
    """Applies this exporter's graph rewrites (logits_as_matmul) to a package exported before them, in place:
    the weights stay byte for byte, only the graphs and the manifest's digests change."""
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    count, ops = 0, set()
    for spec in manifest["graphs"].values():
        path = package / spec["file"]
        m = onnx.load(str(path), load_external_data=False)
        n = logits_as_matmul(m.graph)
        if n:
            onnx.save(m, str(path))
            count += n
        ops |= {node.op_type for node in m.graph.node}
    manifest["operators"] = sorted(ops)
    write_manifest(package, manifest)
    return count


def run_from_package(package: Path, state_file: Path, run: Path) -> Path:
    """A training folder (model.pt, tokenizer.model) rebuilt from a shipped package and its committed state, so that a
    package can be exported again with this exporter's graphs: the weights are the package's own (float16 storage
    goes float32 and back unchanged), the training facts its manifest's."""
    from .configs import get_config
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    state = json.loads(state_file.read_text(encoding="utf-8"))
    if state["package"] != manifest["id"]:
        raise SystemExit(f"{state_file} describes {state['package']}, not {manifest['id']}")
    cfg = get_config(state["config"])["model"]
    model = Transformer(cfg)
    load_from_package(model, package, state["tensors"])
    t = manifest["training"]
    run.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "model_config": cfg.to_dict(), "config": t["config"], "step": t["steps"],
                "minutes": t["minutes"], "device": t["device"], "world": t.get("world", 1), "pairs": t.get("pairs"),
                "target_tokens_seen": t.get("targetTokensSeen"), "averaged": t.get("averaged")}, run / "model.pt")
    shutil.copy(package / manifest["tokenizer"]["model"], run / "tokenizer.model")
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rewrite-package", help="apply the graph rewrites to this exported package in place, and stop")
    ap.add_argument("--run", help="training output folder with model.pt and tokenizer.model")
    ap.add_argument("--from-package", help="instead of --run: this shipped package's weights, with --state")
    ap.add_argument("--state", help="the package's committed training state (models/training/state/CONFIG.json)")
    ap.add_argument("--out")
    ap.add_argument("--dtype", choices=["fp32", "fp16", "int8"], default="fp32",
                    help="weights.bin's storage: float32, float16, or int8 codes with a float16 scale per 32 (widened to float32 for onnxruntime either way but fp32)")
    ap.add_argument("--id", default=None)
    ap.add_argument("--description", default="")
    ap.add_argument("--no-search-step", dest="search_step", action="store_false",
                    help="leave out decoder_step_search.onnx (the engine then searches in JavaScript)")
    ap.add_argument("--shortlist-data", default="build/data/train.tsv",
                    help="training pairs whose target sides give each language's vocabulary shortlist (shortlist.py)")
    ap.add_argument("--no-shortlists", action="store_true", help="no decoder_step_search_<lang>.onnx graphs")
    args = ap.parse_args(argv)
    shortlist_data = None if args.no_shortlists or not args.search_step else Path(args.shortlist_data)
    if shortlist_data and not shortlist_data.is_file():
        ap.error(f"{shortlist_data} does not exist: the shortlists come from the training pairs "
                 "(python -m models.training.data writes them), or pass --no-shortlists")
    if args.rewrite_package:
        print(f"{args.rewrite_package}: {rewrite_package_graphs(Path(args.rewrite_package))} output projections rewritten")
        return
    if args.from_package:
        if not (args.state and args.out):
            ap.error("--from-package needs --state and --out")
        with tempfile.TemporaryDirectory() as tmp:
            run = run_from_package(Path(args.from_package), Path(args.state), Path(tmp))
            m, tensors = export_package(run, Path(args.out), args.dtype, args.id, args.description, args.search_step, shortlist_data)
        if Path(args.out).resolve() == Path(args.from_package).resolve():
            # In place: the committed state must point into the weights.bin just written (tensors may have moved).
            state = json.loads(Path(args.state).read_text(encoding="utf-8"))
            state["tensors"] = tensors
            Path(args.state).write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
        print(json.dumps({"package": args.out, "bytes": m["packageBytes"], "operators": m["operators"]}, indent=1))
        return
    if not (args.run and args.out):
        ap.error("--run and --out are required")
    m, _ = export_package(Path(args.run), Path(args.out), args.dtype, args.id, args.description, args.search_step, shortlist_data)
    print(json.dumps({"package": args.out, "bytes": m["packageBytes"], "export": m["export"], "operators": m["operators"]}, indent=1))


if __name__ == "__main__":
    main()
