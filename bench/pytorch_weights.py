"""The shipped package's weights in the PyTorch model (models/training/model.py), for the benchmark's side-by-side runs.

A shipped package carries no parameter map of its own (models/training/state/ holds only the unshipped run's), so
this one is read from the ONNX graphs: an initializer named after its parameter (`model.<name>`, `__fp16` appended
when stored as float16 with a Cast; in the widened file, export.widen_storage, mapped back to its float16 or int8 bytes) is
that parameter; an unnamed one (`onnx::MatMul_N`, a Linear weight stored transposed for
MatMul) belongs to the Linear whose bias the MatMul's output is added to, and a Gemm's weight (a decoder step's Linear)
to the Linear whose bias is the Gemm's third input. The map has export.tensor_map's shape, so
export.load_from_package reads the weights. check_against_golden() proves the map with the logits PyTorch wrote
for this package (test/fixtures/engine-golden.json).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto

from models.training.export import load_from_package
from models.training.model import ModelConfig, Transformer
from models.training.ort_package import FLOAT16, widened_offsets

STORED = {TensorProto.FLOAT: "float32", TensorProto.FLOAT16: "float16"}


def config_of(manifest: dict) -> ModelConfig:
    d = manifest["dims"]
    return ModelConfig(vocab_size=d["vocab"], d_model=d["dModel"], n_heads=d["heads"], d_ff=d["dFF"],
                       enc_layers=d["encoderLayers"], dec_layers=d["decoderLayers"], max_len=d["maxLen"])


def _widened_sources(manifest: dict) -> dict[int, tuple[int, int]]:
    """Where each tensor of the widened file (export.widen_storage) lies in weights.bin: {widened offset: (offset,
    bytes)} of its stored span."""
    spans = manifest.get("widenedWeights", {}).get("spans", [])
    at = widened_offsets(spans, _encoding(manifest))
    return {at[offset]: (offset, length) for offset, length in spans}


def _encoding(manifest: dict) -> str:
    """How weights.bin stores the widened tensors (float16, int8-block32): load_from_package's dtype for them."""
    return manifest.get("widenedWeights", {}).get("encoding", FLOAT16)


def _graph_tensors(graph: onnx.GraphProto, manifest: dict) -> tuple[dict, dict]:
    """(parameter name -> weights.bin entry) for named initializers, and (graph value -> entry) for all of them."""
    by_value, by_param = {}, {}
    producer = {o: n for n in graph.node for o in n.output}
    weights_name, widened = manifest["weights"], manifest.get("widenedWeights", {}).get("file")
    sources = _widened_sources(manifest)
    for init in graph.initializer:
        ext = {e.key: e.value for e in init.external_data}
        if init.data_location != TensorProto.EXTERNAL or ext.get("location") not in (weights_name, widened):
            continue                                   # tiny inline constants: never a parameter of this model
        if init.data_type not in STORED:
            raise SystemExit(f"{init.name}: stored as ONNX type {init.data_type}; the bench reads float32 and float16 only")
        entry = {"offset": int(ext["offset"]), "length": int(ext["length"]), "dtype": STORED[init.data_type], "dims": list(init.dims)}
        if ext.get("location") == widened:             # float32 read from the widened file: its stored source
            offset, length = sources[entry["offset"]]
            entry.update(offset=offset, length=length, dtype=_encoding(manifest))
        base = init.name[:-len("__fp16")] if init.name.endswith("__fp16") else init.name
        by_value[init.name] = entry
        by_value[base] = entry                           # the Cast's output carries the plain name
        if base.startswith("model."):
            by_param[base[len("model."):]] = entry
    # A Cast from the float16 copy is transparent: its output names the same tensor.
    for n in graph.node:
        if n.op_type == "Cast" and n.input[0] in by_value:
            by_value[n.output[0]] = by_value[n.input[0]]
    for n in graph.node:
        if n.op_type == "Gemm" and len(n.input) > 2 and n.input[1] in by_value:
            # A decoder step's Linear (2-D activations): Gemm(x, W^T, b) with transB = 0 (export.gemm_weights_as_stored),
            # or W with transB = 1; the bias is its third input.
            src = producer.get(n.input[2])
            bias_name = src.input[0] if src is not None and src.op_type == "Cast" else n.input[2]
            bias_name = bias_name[:-len("__fp16")] if bias_name.endswith("__fp16") else bias_name
            if not bias_name.startswith("model.") or not bias_name.endswith(".bias"):
                raise SystemExit(f"{n.name}: its bias {n.input[2]} is no Linear bias; cannot tell which parameter it is")
            trans_b = next((a.i for a in n.attribute if a.name == "transB"), 0)
            by_param[bias_name[len("model."):-len(".bias")] + ".weight"] = {**by_value[n.input[1]], "transposed": not trans_b}
            continue
        if n.op_type != "MatMul" or n.input[1] not in by_value or n.input[1].startswith("model."):
            continue
        bias = next((m for m in graph.node if m.op_type == "Add" and n.output[0] in m.input), None)
        other = [i for i in (bias.input if bias else []) if i != n.output[0]]
        src = producer.get(other[0]) if other else None
        bias_name = src.input[0] if src is not None and src.op_type == "Cast" else (other[0] if other else "")
        bias_name = bias_name[:-len("__fp16")] if bias_name.endswith("__fp16") else bias_name
        if not bias_name.startswith("model.") or not bias_name.endswith(".bias"):
            raise SystemExit(f"{n.name}: its weight {n.input[1]} feeds no Linear bias; cannot tell which parameter it is")
        by_param[bias_name[len("model."):-len(".bias")] + ".weight"] = {**by_value[n.input[1]], "transposed": True}
    return by_param, by_value


def package_tensor_map(package: Path, manifest: dict, model: Transformer) -> dict:
    """{parameter: {offset, length, dtype, shape, transposed}} as export.tensor_map writes it, from the graphs."""
    found: dict = {}
    for graph in ("encoder", "decoderStep"):
        m = onnx.load(str(package / manifest["graphs"][graph]["file"]), load_external_data=False)
        by_param, _ = _graph_tensors(m.graph, manifest)
        found.update(by_param)
    out, problems = {}, []
    for name, t in model.state_dict().items():
        e = found.get(name)
        if e is None:
            problems.append(f"{name}: not in the graphs")
            continue
        transposed = e.get("transposed", False)
        dims = list(reversed(e["dims"])) if transposed else e["dims"]
        if dims != list(t.shape):
            problems.append(f"{name}: graph has {e['dims']}{' (transposed)' if transposed else ''}, model has {list(t.shape)}")
            continue
        out[name] = {"offset": e["offset"], "length": e["length"], "dtype": e["dtype"], "shape": list(t.shape), "transposed": transposed}
    if problems:
        raise SystemExit(f"{package}: cannot map the package's weights onto models/training/model.py: " + "; ".join(problems[:6]))
    return out


def load_package_model(package: Path) -> tuple[Transformer, dict]:
    """The package's model in PyTorch, eval mode, float32 weights read from weights.bin (float16 or int8 widened)."""
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    model = Transformer(config_of(manifest))
    load_from_package(model, package, package_tensor_map(package, manifest, model))
    return model.eval(), manifest


@torch.no_grad()
def check_against_golden(model: Transformer, golden_file: Path, weights_sha256: str) -> str:
    """Compares the first teacher-forced steps' logits with the references PyTorch wrote for this package.
    Returns a one-line verdict; raises when the numbers disagree (the map is wrong)."""
    if not golden_file.exists():
        return f"not checked: {golden_file} is missing"
    golden = json.loads(golden_file.read_text(encoding="utf-8"))
    if golden.get("weightsSha256") != weights_sha256:
        return f"not checked: {golden_file.name} was written for other weights"
    tol = golden["tolerance"]["logits"]
    worst = 0.0
    for s in golden["sentences"][:4]:
        memory, _, _ = model.encode(torch.tensor([s["srcIds"]]))
        ck, cv = model.cross_kv(memory)
        Ld, _, H, _, dh = ck.shape
        pk = pv = torch.zeros(Ld, 1, H, 0, dh)
        for step in s["steps"]:
            logits, pk, pv = model.decode_step(torch.tensor([[step["input"]]]), pk, pv, ck, cv)
            ref = np.array(step["logits"])
            worst = max(worst, float(np.abs(logits[0, :len(ref)].numpy() - ref).max()))
    if worst > tol:
        raise SystemExit(f"the package's weights were mapped wrongly: logits differ from {golden_file.name} by {worst:.2e} (> {tol})")
    return f"logits match {golden_file.name} (max difference {worst:.1e})"
