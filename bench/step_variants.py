"""Decoder-step graphs for the step profile (npm run bench:profile), written under build/bench/step/ (never into
models/): the package's decoder_step as it ships, and two variants with the same inputs and outputs:

  decoder_step.io.onnx    no arithmetic: outputs of the right shapes from the inputs (what a run costs with no
                          kernels worth the name: the session's fixed cost and the copies of inputs and outputs)
  decoder_step.gemm.onnx  the output projection as Gemm(transB=1) instead of Einsum("...d,vd->...v")
  decoder_step.matmul.onnx  the output projection as MatMul with a transposed copy of the embedding, a constant
                          onnxruntime can pre-pack at session creation (4 MB more weights)

and a per-operator profile of the shipped graph in native onnxruntime (same version and optimizer as
onnxruntime-web; x86 kernels, not WASM ones: shares, not times). Prints the file names and the profile as JSON.

  .venv/bin/python bench/step_variants.py --package models/<id> --out build/bench/step [--past 20 --source 41]
"""
from __future__ import annotations

import argparse
import collections
import copy
import json
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def output_projection(model: onnx.ModelProto) -> tuple[onnx.NodeProto, int]:
    einsums = [n for n in model.graph.node if n.op_type == "Einsum"]
    if len(einsums) != 1 or einsums[0].attribute[0].s != b"...d,vd->...v":
        raise SystemExit("the decoder step has no single '...d,vd->...v' Einsum to replace")
    return einsums[0], list(model.graph.node).index(einsums[0])


def gemm_variant(model: onnx.ModelProto) -> onnx.ModelProto:
    e, i = output_projection(model)
    model.graph.node.remove(e)
    model.graph.node.insert(i, helper.make_node("Gemm", list(e.input), list(e.output), transB=1, name="logits_gemm"))
    return model


def matmul_variant(model: onnx.ModelProto) -> onnx.ModelProto:
    e, i = output_projection(model)
    stored = next(t for t in model.graph.initializer if t.name in (e.input[1], e.input[1] + "__fp16"))
    transposed = numpy_helper.from_array(np.ascontiguousarray(numpy_helper.to_array(stored).T), "embed_transposed")
    model.graph.initializer.append(transposed)
    weight = "embed_transposed"
    nodes = []
    if transposed.data_type != TensorProto.FLOAT:                  # float16 storage: widened once, when folded
        nodes.append(helper.make_node("Cast", [weight], ["embed_transposed_f32"], to=TensorProto.FLOAT))
        weight = "embed_transposed_f32"
    nodes.append(helper.make_node("MatMul", [e.input[0], weight], list(e.output), name="logits_matmul"))
    model.graph.node.remove(e)
    for k, n in enumerate(nodes):
        model.graph.node.insert(i + k, n)
    return model


def io_variant(shipped: onnx.ModelProto, vocab: int) -> onnx.ModelProto:
    """Same inputs and outputs; present = past + one position sliced from cross_k; logits = zeros [n, V]."""
    n = helper.make_node
    nodes = [
        n("Constant", [], ["one_pos_start"], value=helper.make_tensor("s", TensorProto.INT64, [1], [0])),
        n("Constant", [], ["one_pos_end"], value=helper.make_tensor("e", TensorProto.INT64, [1], [1])),
        n("Constant", [], ["axis3"], value=helper.make_tensor("a", TensorProto.INT64, [1], [3])),
        n("Slice", ["cross_k", "one_pos_start", "one_pos_end", "axis3"], ["k_new"]),
        n("Slice", ["cross_v", "one_pos_start", "one_pos_end", "axis3"], ["v_new"]),
        n("Concat", ["past_k", "k_new"], ["present_k"], axis=3),
        n("Concat", ["past_v", "v_new"], ["present_v"], axis=3),
        n("Shape", ["tokens"], ["tok_shape"], end=1),
        n("Constant", [], ["vocab"], value=helper.make_tensor("v", TensorProto.INT64, [1], [vocab])),
        n("Concat", ["tok_shape", "vocab"], ["logits_shape"], axis=0),
        n("ConstantOfShape", ["logits_shape"], ["logits"], value=helper.make_tensor("z", TensorProto.FLOAT, [1], [0.0])),
    ]
    outputs = [o for o in shipped.graph.output if o.name in ("logits", "present_k", "present_v")]
    graph = helper.make_graph(nodes, "decoder_step_io", list(shipped.graph.input), outputs)
    model = helper.make_model(graph, opset_imports=list(shipped.opset_import))
    model.ir_version = shipped.ir_version            # onnxruntime-web reads up to the version it was built for
    return model


def feeds(dims: dict, batch: int, past: int, source: int) -> dict:
    rng = np.random.default_rng(0)
    kv = lambda t: rng.standard_normal((dims["decoderLayers"], batch, dims["heads"], t, dims["dHead"]), dtype=np.float32)
    return {"tokens": np.full((batch, 1), 100, dtype=np.int64), "past_k": kv(past), "past_v": kv(past), "cross_k": kv(source), "cross_v": kv(source)}


def native_session(path: Path, profile: bool = False) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile:
        so.enable_profiling = True
        so.profile_file_prefix = str(path.parent / "native_profile")
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def same_outputs(files: dict, f: dict) -> dict:
    """Largest difference of each rewritten variant's outputs from the shipped graph's: they must compute the same."""
    ref = native_session(files["shipped"]).run(None, f)
    diffs = {}
    for name in ("gemm", "matmul"):
        out = native_session(files[name]).run(None, f)
        diffs[name] = max(float(np.abs(a - b).max()) for a, b in zip(ref, out))
        if diffs[name] > 1e-3:
            raise SystemExit(f"{files[name]}: its outputs differ from the shipped graph's by {diffs[name]}")
    return diffs


def native_profile(path: Path, f: dict, runs: int) -> dict:
    s = native_session(path, profile=True)
    for _ in range(10):
        s.run(None, f)
    c0 = time.process_time()
    for _ in range(runs):
        s.run(None, f)
    cpu_ms = (time.process_time() - c0) * 1000 / runs
    trace = Path(s.end_profiling())
    events = json.loads(trace.read_text())
    trace.unlink()
    kernels = [e for e in events if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")]
    by_op, nodes = collections.defaultdict(float), collections.Counter()
    for e in kernels:
        by_op[e["args"]["op_name"]] += e["dur"]
        nodes[e["args"]["op_name"]] += 1
    total = sum(by_op.values())
    total_runs = runs + 10
    return {
        "cpuMsPerRun": cpu_ms, "nodesPerRun": sum(nodes.values()) // total_runs,
        "ops": [{"op": op, "share": us / total, "nodes": nodes[op] // total_runs} for op, us in sorted(by_op.items(), key=lambda x: -x[1])],
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--past", type=int, default=20, help="cached target positions (T)")
    ap.add_argument("--source", type=int, default=41, help="source length (S)")
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args(argv)
    package, out = Path(args.package), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    shipped = onnx.load(str(package / manifest["graphs"]["decoderStep"]["file"]))   # weights read in: self-contained copies
    files = {name: out / f"decoder_step.{name}.onnx" for name in ("shipped", "io", "gemm", "matmul")}
    onnx.save(shipped, str(files["shipped"]))
    onnx.save(io_variant(shipped, manifest["dims"]["vocab"]), str(files["io"]))
    onnx.save(matmul_variant(copy.deepcopy(shipped)), str(files["matmul"]))
    onnx.save(gemm_variant(shipped), str(files["gemm"]))
    for p in files.values():
        onnx.checker.check_model(str(p))
    f = feeds(manifest["dims"], 1, args.past, args.source)
    diffs = same_outputs(files, f)
    profile = native_profile(files["shipped"], f, args.runs)
    print(json.dumps({"files": {k: str(v) for k, v in files.items()}, "past": args.past, "source": args.source, "maxDiff": diffs, "native": profile}))


if __name__ == "__main__":
    main()
