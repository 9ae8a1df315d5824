"""Decoder-step graphs for the step profile (npm run bench:profile), written under build/bench/step/ (never into
models/): the package's decoder_step as it ships, and variants with the same inputs, outputs and weights:

  decoder_step.shipped.onnx  as the package ships it (since export.py's logits_as_matmul: the tied output
                             projection as MatMul(h, Transpose(E)), the Transpose folded at session creation)
  decoder_step.einsum.onnx   the projection as Einsum("...d,vd->...v", h, E), as torch exported it before that
                             rewrite (issue 12: the before of the fix)
  decoder_step.gemm.onnx     the projection as Gemm(h, E, transB=1)
  decoder_step.matmul.onnx   the projection as MatMul(h, Transpose(E)): written only for a package that ships
                             another form (older packages ship the Einsum)
  decoder_step.io.onnx       no arithmetic: outputs of the right shapes from the inputs (what a run costs with no
                             kernels worth the name: the session's fixed cost and the copies of inputs and outputs)

Every rewritten variant must compute the shipped graph's outputs (checked here in native onnxruntime; exits with a
message otherwise). Also a per-operator profile of the shipped graph in native onnxruntime (same version and
optimizer as onnxruntime-web; x86 kernels, not WASM ones: shares, not times). Prints the files and the profile as
JSON.

  .venv/bin/python bench/step_variants.py --package models/<id> --out build/bench/step [--past 20 --source 41]
"""
from __future__ import annotations

import argparse
import collections
import copy
import json
import time
from pathlib import Path

import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from models.training.ort_package import graph_dir  # noqa: E402

FORMS = ("MatMul", "Einsum", "Gemm")
EINSUM_EQUATION = b"...d,vd->...v"


def self_contained(package: Path, file: str) -> onnx.ModelProto:
    """A package's graph with its weights read in (float32: a package with widened storage is read through the
    folder graph_dir writes). onnx.load's own reading refuses that folder's links to the package's files."""
    folder = graph_dir(package)
    model = onnx.load(str(folder / file), load_external_data=False)
    files: dict[str, bytes] = {}
    for t in model.graph.initializer:
        if t.data_location != TensorProto.EXTERNAL:
            continue
        info = {e.key: e.value for e in t.external_data}
        if info["location"] not in files:
            files[info["location"]] = (folder / info["location"]).resolve().read_bytes()
        offset = int(info.get("offset", 0))
        t.raw_data = files[info["location"]][offset:offset + int(info["length"])]
        del t.external_data[:]
        t.data_location = TensorProto.DEFAULT
    return model


def attr(node: onnx.NodeProto, name: str):
    a = next((a for a in node.attribute if a.name == name), None)
    return None if a is None else helper.get_attribute_value(a)


def output_projection(model: onnx.ModelProto) -> tuple[str, str, str, list[onnx.NodeProto]]:
    """(form, h, E, nodes): the nodes computing `logits` from the last hidden state h and the tied embedding E
    (vocab x d), in one of FORMS; exits with a message when the graph computes them some other way."""
    made_by = {o: n for n in model.graph.node for o in n.output}
    last = made_by.get("logits")
    if last is not None and last.op_type == "Einsum" and (attr(last, "equation") or b"").replace(b" ", b"") == EINSUM_EQUATION:
        return "Einsum", last.input[0], last.input[1], [last]
    if last is not None and last.op_type == "Gemm" and attr(last, "transB") == 1 and len(last.input) == 2:
        return "Gemm", last.input[0], last.input[1], [last]
    if last is not None and last.op_type == "MatMul":
        t = made_by.get(last.input[1])
        users = [n for n in model.graph.node if last.input[1] in n.input]
        if t is not None and t.op_type == "Transpose" and list(attr(t, "perm") or []) == [1, 0] and users == [last]:
            return "MatMul", last.input[0], t.input[0], [t, last]
    raise SystemExit("the decoder step's logits come from no output projection this script knows "
                     "(MatMul of a transposed embedding, Einsum '...d,vd->...v' or Gemm transB)")


def projection_nodes(form: str, h: str, weight: str) -> list[onnx.NodeProto]:
    if form == "Einsum":
        return [helper.make_node("Einsum", [h, weight], ["logits"], equation=EINSUM_EQUATION.decode(), name="logits_einsum")]
    if form == "Gemm":
        return [helper.make_node("Gemm", [h, weight], ["logits"], transB=1, name="logits_gemm")]
    # As export.py's logits_as_matmul writes it: a Transpose of a constant, folded once at session creation.
    return [helper.make_node("Transpose", [weight], ["logits_weight_T"], perm=[1, 0], name="logits_weight_transpose"),
            helper.make_node("MatMul", [h, "logits_weight_T"], ["logits"], name="logits_matmul")]


def with_projection(shipped: onnx.ModelProto, form: str) -> onnx.ModelProto:
    """A copy of `shipped` whose output projection is written in `form`, every other node as it was."""
    model = copy.deepcopy(shipped)
    _, h, weight, old = output_projection(model)
    for n in old[:-1]:
        model.graph.node.remove(n)
    at = list(model.graph.node).index(old[-1])       # h and E are made before the node that made the logits
    model.graph.node.remove(old[-1])
    for k, n in enumerate(projection_nodes(form, h, weight)):
        model.graph.node.insert(at + k, n)
    return model


def io_variant(shipped: onnx.ModelProto, vocab: int) -> onnx.ModelProto:
    """Same inputs and outputs; new_k = one position sliced from cross_k (present = past + it); logits = zeros [n, V]."""
    n = helper.make_node
    has_new = any(o.name == "new_k" for o in shipped.graph.output)
    nodes = [
        n("Constant", [], ["one_pos_start"], value=helper.make_tensor("s", TensorProto.INT64, [1], [0])),
        n("Constant", [], ["one_pos_end"], value=helper.make_tensor("e", TensorProto.INT64, [1], [1])),
        n("Constant", [], ["axis3"], value=helper.make_tensor("a", TensorProto.INT64, [1], [3])),
        n("Slice", ["cross_k", "one_pos_start", "one_pos_end", "axis3"], ["k_new"]),
        n("Slice", ["cross_v", "one_pos_start", "one_pos_end", "axis3"], ["v_new"]),
        # Packages since the cache stays in JavaScript return the new position only (new_k), older ones the whole cache.
        *([n("Identity", ["k_new"], ["new_k"]), n("Identity", ["v_new"], ["new_v"])] if has_new else
          [n("Concat", ["past_k", "k_new"], ["present_k"], axis=3), n("Concat", ["past_v", "v_new"], ["present_v"], axis=3)]),
        n("Shape", ["tokens"], ["tok_shape"], end=1),
        n("Constant", [], ["vocab"], value=helper.make_tensor("v", TensorProto.INT64, [1], [vocab])),
        n("Concat", ["tok_shape", "vocab"], ["logits_shape"], axis=0),
        n("ConstantOfShape", ["logits_shape"], ["logits"], value=helper.make_tensor("z", TensorProto.FLOAT, [1], [0.0])),
    ]
    outputs = [o for o in shipped.graph.output if o.name in ("logits", "present_k", "present_v", "new_k", "new_v")]
    graph = helper.make_graph(nodes, "decoder_step_io", list(shipped.graph.input), outputs)
    model = helper.make_model(graph, opset_imports=list(shipped.opset_import))
    model.ir_version = shipped.ir_version            # onnxruntime-web reads up to the version it was built for
    return model


def feeds(dims: dict, batch: int, past: int, source: int) -> dict:
    rng = np.random.default_rng(0)
    kv = lambda t: rng.standard_normal((dims["decoderLayers"], batch, dims["heads"], t, dims["dHead"]), dtype=np.float32)
    return {"tokens": np.full((batch, 1), 100, dtype=np.int64), "past_k": kv(past), "past_v": kv(past), "cross_k": kv(source), "cross_v": kv(source),
            "src_len": np.full((batch,), source, dtype=np.int64)}


def native_session(path: Path, profile: bool = False) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile:
        so.enable_profiling = True
        so.profile_file_prefix = str(path.parent / "native_profile")
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def same_outputs(files: dict, rewritten: list[str], f: dict) -> dict:
    """Largest difference of each rewritten variant's outputs from the shipped graph's: they must compute the same."""
    ref = native_session(files["shipped"]).run(None, f)
    diffs = {}
    for name in rewritten:
        out = native_session(files[name]).run(None, f)
        diffs[name] = max(float(np.abs(a - b).max()) for a, b in zip(ref, out))
        if not diffs[name] <= 1e-3:                   # NaN fails too
            raise SystemExit(f"{files[name]}: its outputs differ from the shipped graph's by {diffs[name]}")
    return diffs


def native_profile(path: Path, f: dict, runs: int, projection: str) -> dict:
    """Kernel time by operator over `runs` runs, and the output projection's own share (node `projection`)."""
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
    mine = [e["dur"] for e in kernels if e["name"] == f"{projection}_kernel_time"]
    return {
        "cpuMsPerRun": cpu_ms, "nodesPerRun": sum(nodes.values()) // total_runs,
        "ops": [{"op": op, "share": us / total, "nodes": nodes[op] // total_runs} for op, us in sorted(by_op.items(), key=lambda x: -x[1])],
        "projectionShare": sum(mine) / total if mine else None,
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
    shipped = self_contained(package, manifest["graphs"]["decoderStep"]["file"])    # self-contained copies
    form, _, _, nodes = output_projection(shipped)
    rewritten = [other.lower() for other in FORMS if other != form]
    files = {name: out / f"decoder_step.{name}.onnx" for name in ["shipped", *rewritten, "io"]}
    onnx.save(shipped, str(files["shipped"]))
    for name in rewritten:
        onnx.save(with_projection(shipped, next(x for x in FORMS if x.lower() == name)), str(files[name]))
    onnx.save(io_variant(shipped, manifest["dims"]["vocab"]), str(files["io"]))
    for p in files.values():
        onnx.checker.check_model(str(p))
    f = feeds(manifest["dims"], 1, args.past, args.source)
    diffs = same_outputs(files, rewritten, f)
    profile = native_profile(files["shipped"], f, args.runs, nodes[-1].name)
    print(json.dumps({"files": {k: str(v) for k, v in files.items()}, "shippedProjection": form, "past": args.past,
                      "source": args.source, "maxDiff": diffs, "native": profile}))

if __name__ == "__main__":
    main()
