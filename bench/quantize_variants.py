"""Quantized copies of a model package for issue 12's experiment (int8 / n-bit output projection and decoder MatMuls):
each variant is the package with only its decoder graphs rewritten, written under build/ (never into models/).

  base          the package as it ships (copied, so that every variant is read the same way)
  q8proj        the output projection (h x E^T, 256 x 16000) as DynamicQuantizeLinear + MatMulInteger: the weight int8,
                symmetric, one scale per vocabulary entry; h quantized to uint8 per run (what quantize_dynamic
                writes; onnxruntime fuses it into DynamicQuantizeMatMul). h's scale is one per tensor, over all
                rows of the step: a sentence's translation then depends on the other rows (beams, other sentences
                of the batch), so the CLI's "same translation as alone" no longer holds
  q8dec         the same for every decoder MatMul with a constant weight (q, k, v, o, cross q/o, feed-forward and the
                projection); attention's activation x activation MatMuls stay float
  dq8proj       the projection's weight stored int8 and dequantized in the graph (DequantizeLinear, per column) before
                a float MatMul: weight-only int8, float arithmetic
  nb4proj       the projection as com.microsoft MatMulNBits, 4 bits, blocks of 32 along d_model, symmetric, float
                activations (accuracy_level 0)
  nb4proj_acc4  the same, accuracy_level 4 (the kernel may quantize h to int8 and compute in integers)
  nb8proj       MatMulNBits with 8 bits (blocks of 32, symmetric, accuracy_level 0)

The embedding lookup keeps the package's float16 E (it is tied to the projection), so the quantized weights are
appended to a copy of weights.bin: the graphs still name one weights file, the engine's rule. Every variant's search
step is compared with the base's in native onnxruntime (top-8 ids and the largest logit difference), printed as JSON.

  .venv/bin/python bench/quantize_variants.py [--package models/ac-cpu-v5] [--out build/int8] [--only q8proj,...]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[1]
VARIANTS = {
    "q8proj": {"kind": "q8", "scope": "projection"},
    "q8dec": {"kind": "q8", "scope": "decoder"},
    "dq8proj": {"kind": "dq8", "scope": "projection"},
    "nb4proj": {"kind": "nbits", "bits": 4, "block": 32, "accuracy": 0, "scope": "projection"},
    "nb4proj_acc4": {"kind": "nbits", "bits": 4, "block": 32, "accuracy": 4, "scope": "projection"},
    "nb8proj": {"kind": "nbits", "bits": 8, "block": 32, "accuracy": 0, "scope": "projection"},
}
DECODER_GRAPHS = ("decoderStep", "decoderStepAttn", "decoderStepSearch")
ALIGN = 64


class Weights:
    """The package's weights file, and the tensors a variant appends to its copy of it."""

    def __init__(self, path: Path):
        self.name = path.name
        self.data = bytearray(path.read_bytes())
        self.base_bytes = len(self.data)
        self.stored: dict[bytes, int] = {}     # bytes already appended -> offset: the decoder graphs share them

    def read(self, init: onnx.TensorProto) -> np.ndarray:
        ext = {e.key: e.value for e in init.external_data}
        if ext.get("location") != self.name:
            return numpy_helper.to_array(init)
        off, n = int(ext["offset"]), int(ext["length"])
        dtype = helper.tensor_dtype_to_np_dtype(init.data_type)
        return np.frombuffer(bytes(self.data[off:off + n]), dtype=dtype).reshape(tuple(init.dims))

    def append(self, name: str, array: np.ndarray, data_type: int | None = None, dims: list[int] | None = None) -> onnx.TensorProto:
        """An initializer stored at the end of the weights file (raw bytes of `array`; data_type/dims override)."""
        raw = np.ascontiguousarray(array).tobytes()
        offset = self.stored.get(raw)
        if offset is None:
            self.data += b"\0" * ((-len(self.data)) % ALIGN)
            offset = self.stored[raw] = len(self.data)
            self.data += raw
        t = onnx.TensorProto(name=name, data_type=data_type or helper.np_dtype_to_tensor_dtype(array.dtype),
                             dims=dims if dims is not None else list(array.shape))
        t.data_location = onnx.TensorProto.EXTERNAL
        for k, v in (("location", self.name), ("offset", str(offset)), ("length", str(len(raw)))):
            t.external_data.add(key=k, value=v)
        return t


def constant_fp32(graph: onnx.GraphProto, name: str, weights: Weights) -> np.ndarray | None:
    """The float32 value of `name` when it is a constant: an initializer, possibly through Cast and Transpose nodes
    (the package stores weights float16 and casts them; the projection transposes the tied embedding)."""
    inits = {i.name: i for i in graph.initializer}
    made_by = {o: n for n in graph.node for o in n.output}
    if name in inits:
        return weights.read(inits[name]).astype(np.float32)
    node = made_by.get(name)
    if node is None:
        return None
    if node.op_type == "Cast":
        return constant_fp32(graph, node.input[0], weights)
    if node.op_type == "Transpose":
        v = constant_fp32(graph, node.input[0], weights)
        perm = next((list(helper.get_attribute_value(a)) for a in node.attribute if a.name == "perm"), None)
        return None if v is None else np.transpose(v, perm)
    return None


def q8_nodes(prefix: str, x: str, y: str, w: np.ndarray, weights: Weights) -> tuple[list, list]:
    """y = x @ w as quantize_dynamic writes it: x to uint8 per run, w int8 per output column (symmetric)."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0
    wq = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    inits = [weights.append(f"{prefix}_W_int8", wq), weights.append(f"{prefix}_W_scale", scale.astype(np.float32)),
             numpy_helper.from_array(np.zeros(w.shape[1], np.int8), f"{prefix}_W_zero")]
    n = helper.make_node
    nodes = [
        n("DynamicQuantizeLinear", [x], [f"{prefix}_x_q", f"{prefix}_x_scale", f"{prefix}_x_zero"], name=f"{prefix}_dql"),
        n("MatMulInteger", [f"{prefix}_x_q", f"{prefix}_W_int8", f"{prefix}_x_zero", f"{prefix}_W_zero"], [f"{prefix}_y_int"], name=f"{prefix}_mmi"),
        n("Mul", [f"{prefix}_x_scale", f"{prefix}_W_scale"], [f"{prefix}_scale"], name=f"{prefix}_scale_mul"),
        n("Cast", [f"{prefix}_y_int"], [f"{prefix}_y_f"], to=TensorProto.FLOAT, name=f"{prefix}_cast"),
        n("Mul", [f"{prefix}_y_f", f"{prefix}_scale"], [y], name=f"{prefix}_out_mul"),
    ]
    return nodes, inits


def dq8_nodes(prefix: str, x: str, y: str, w: np.ndarray, weights: Weights) -> tuple[list, list]:
    """y = x @ DequantizeLinear(w_int8, per-column scale): weight-only int8, float MatMul."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0
    wq = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    inits = [weights.append(f"{prefix}_W_int8", wq), weights.append(f"{prefix}_W_scale", scale.astype(np.float32))]
    n = helper.make_node
    nodes = [n("DequantizeLinear", [f"{prefix}_W_int8", f"{prefix}_W_scale"], [f"{prefix}_W"], axis=1, name=f"{prefix}_dq"),
             n("MatMul", [x, f"{prefix}_W"], [y], name=f"{prefix}_matmul")]
    return nodes, inits


def nbits_nodes(prefix: str, x: str, y: str, w: np.ndarray, weights: Weights, bits: int, block: int, accuracy: int) -> tuple[list, list]:
    """y = x @ w as com.microsoft MatMulNBits (symmetric blocks along K), packed by onnxruntime's own quantizer."""
    from onnxruntime.capi._pybind_state import quantize_matmul_4bits, quantize_matmul_8bits
    k, n_out = w.shape
    kpack = 8 // bits
    k_blocks = (k + block - 1) // block
    blob = (block + kpack - 1) // kpack
    packed = np.zeros((n_out, k_blocks, blob), dtype=np.uint8)
    zero = np.zeros((n_out, (k_blocks + kpack - 1) // kpack), dtype=np.uint8)
    scales = np.zeros((n_out, k_blocks), dtype=np.float32)
    (quantize_matmul_4bits if bits == 4 else quantize_matmul_8bits)(packed, np.ascontiguousarray(w), scales, zero, block, n_out, k, True)
    inits = [weights.append(f"{prefix}_B_q{bits}", packed), weights.append(f"{prefix}_B_scales", scales)]
    attrs = {"K": k, "N": n_out, "bits": bits, "block_size": block}
    if accuracy:
        attrs["accuracy_level"] = accuracy
    node = helper.make_node("MatMulNBits", [x, inits[0].name, inits[1].name], [y], domain="com.microsoft", name=f"{prefix}_nbits", **attrs)
    return [node], inits


def prune(graph: onnx.GraphProto) -> None:
    """Drops nodes whose outputs nothing reads any more, then initializers no node reads."""
    outputs = {o.name for o in graph.output}
    while True:
        used = {i for n in graph.node for i in n.input} | outputs
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            graph.node.remove(n)
    used = {i for n in graph.node for i in n.input}
    for init in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(init)


def rewrite(model: onnx.ModelProto, spec: dict, weights: Weights, tag: str) -> int:
    """Rewrites the graph's MatMuls in `spec`'s scope in place; returns how many."""
    graph = model.graph
    targets = []
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        if spec["scope"] == "projection" and node.output[0] != "logits":
            continue
        w = constant_fp32(graph, node.input[1], weights)
        if w is not None and w.ndim == 2:
            targets.append((node, w))
    if spec["scope"] == "projection" and len(targets) != 1:
        raise SystemExit(f"{tag}: expected one output projection MatMul producing 'logits', found {len(targets)}")
    for i, (node, w) in enumerate(targets):
        prefix = f"q_{tag}_{i}"
        x, y = node.input[0], node.output[0]
        if spec["kind"] == "q8":
            nodes, inits = q8_nodes(prefix, x, y, w, weights)
        elif spec["kind"] == "dq8":
            nodes, inits = dq8_nodes(prefix, x, y, w, weights)
        else:
            nodes, inits = nbits_nodes(prefix, x, y, w, weights, spec["bits"], spec["block"], spec["accuracy"])
        at = list(graph.node).index(node)
        graph.node.remove(node)
        for k, nn in enumerate(nodes):
            graph.node.insert(at + k, nn)
        graph.initializer.extend(inits)
    prune(graph)
    if spec["kind"] == "nbits" and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(targets)


def make_variant(package: Path, out: Path, name: str) -> dict:
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    dest = out / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(package, dest)
    rewritten = {}
    if name != "base":
        spec = VARIANTS[name]
        weights = Weights(package / manifest["weights"])
        ops = set()
        for key, g in manifest["graphs"].items():
            model = onnx.load(str(package / g["file"]), load_external_data=False)
            if key in DECODER_GRAPHS:
                rewritten[key] = rewrite(model, spec, weights, f"{name}_{key}")
                onnx.save(model, str(dest / g["file"]))
            ops |= {n.op_type for n in model.graph.node}
        (dest / manifest["weights"]).write_bytes(bytes(weights.data))
        manifest["id"] = f"{manifest['id']}-{name}"
        manifest["description"] = f"issue 12 experiment: {manifest['id']} with {name} (bench/quantize_variants.py)"
        manifest["operators"] = sorted(ops)
        sys.path.insert(0, str(REPO))
        from models.training.export import write_manifest   # recomputes files' sha256 and bytes
        write_manifest(dest, manifest)
    return {"dir": str(dest), "rewritten": rewritten,
            "packageBytes": sum(p.stat().st_size for p in dest.iterdir() if p.is_file())}


def compare(base: Path, variant: Path, rows: int = 4, past: int = 20, source: int = 30) -> dict:
    """The variant's search step against the base's in native onnxruntime, same random inputs."""
    import onnxruntime as ort
    manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    d = manifest["dims"]
    rng = np.random.default_rng(0)
    kv = lambda t: rng.standard_normal((d["decoderLayers"], rows, d["heads"], t, d["dHead"]), dtype=np.float32)
    feeds = {"tokens": rng.integers(7, d["vocab"], (rows, 1)).astype(np.int64), "beam_idx": np.arange(rows, dtype=np.int64),
             "past_k": kv(past), "past_v": kv(past), "cross_k": kv(source), "cross_v": kv(source),
             "src_len": np.full(rows, source, np.int64), "top_k": np.array([8], np.int64)}
    file = manifest["graphs"]["decoderStepSearch"]["file"]
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    run = lambda p: dict(zip(["top_logits", "top_ids", "log_norm"], ort.InferenceSession(str(p / file), so, providers=["CPUExecutionProvider"]).run(["top_logits", "top_ids", "log_norm"], feeds)))
    a, b = run(base), run(variant)
    return {"top1Same": float((a["top_ids"][:, 0] == b["top_ids"][:, 0]).mean()),
            "top8Overlap": float(np.mean([len(set(x) & set(y)) / 8 for x, y in zip(a["top_ids"], b["top_ids"])])),
            "maxTopLogitDiff": float(np.abs(a["top_logits"] - b["top_logits"]).max())}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", default=str(REPO / "models/ac-cpu-v5"))
    ap.add_argument("--out", default=str(REPO / "build/int8"))
    ap.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    args = ap.parse_args(argv)
    package, out = Path(args.package), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = [n for n in args.only.split(",") if n] or list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; known: {list(VARIANTS)}")
    report = {"base": make_variant(package, out, "base")}
    for name in names:
        report[name] = make_variant(package, out, name)
        try:
            report[name]["native"] = compare(out / "base", out / name)
        except Exception as e:                     # a kernel native onnxruntime lacks: say so, keep going
            report[name]["native"] = {"error": str(e).splitlines()[0][:300]}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
