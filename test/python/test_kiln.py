"""Tests of the kiln Python package: kiln.compile and kiln.Model.

The tiny ResNet (models/refs/tiny) is compiled once per session and checked
against ONNX Runtime's committed output; other tests build small models with
onnx.helper or take them from models/gen_test_models.py. The last test
compiles the full-size ResNet50 and checks that kiln.Model and kiln-run give
bit-identical outputs on the same library and input.
"""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import kiln
from conftest import BIN, TOOL_ENV, assert_matches_ref, gen_resnet


def conv_chain(path, channels=128, size=56, layers=6):
    """An onnx.helper model: `layers` 3x3 Conv + Relu on [1,C,S,S], slow
    enough (tens of ms a run) to watch the GIL during one run."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.RandomState(0)
    nodes, inits, prev = [], [], "X"
    for i in range(layers):
        w = (rng.randn(channels, channels, 3, 3) *
             np.sqrt(2.0 / (9 * channels))).astype(np.float32)
        inits.append(numpy_helper.from_array(w, "w%d" % i))
        out = "Y" if i == layers - 1 else "c%d" % i
        nodes.append(helper.make_node("Conv", [prev, "w%d" % i], ["t%d" % i],
                                      name="conv%d" % i, pads=[1, 1, 1, 1]))
        nodes.append(helper.make_node("Relu", ["t%d" % i], [out],
                                      name="relu%d" % i))
        prev = out
    shape = [1, channels, size, size]
    graph = helper.make_graph(
        nodes, "conv_chain",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.save(model, str(path))
    return str(path)


#===----------------------------------------------------------------------===#
# Compile and run against ONNX Runtime
#===----------------------------------------------------------------------===#

def test_tiny_matches_onnx_runtime(tiny_so, tiny_ref):
    x, ref = tiny_ref
    with kiln.Model(tiny_so) as model:
        out = model.run({"input": x})
    assert list(out) == ["output"]
    assert_matches_ref(out["output"], ref)


def test_run_with_one_array_equals_dict(tiny_so, tiny_ref):
    x, _ = tiny_ref
    with kiln.Model(tiny_so) as model:
        by_dict = model.run({"input": x})["output"]
        by_array = model.run(x)["output"]
        # Outputs are fresh arrays, not a buffer reused between runs.
        assert by_array is not by_dict
    assert np.array_equal(by_dict, by_array)


def test_compile_result(tiny_compiled, tiny_so):
    r = tiny_compiled
    assert os.path.isfile(r.output) and r.output == tiny_so
    # kiln.h goes next to the library.
    assert os.path.isfile(os.path.join(os.path.dirname(r.output), "kiln.h"))
    assert r.artifact is None
    sig = r.signature
    assert sig.inputs == (kiln.TensorInfo("input", (1, 3, 32, 32),
                                          np.dtype(np.float32)),)
    assert sig.outputs == (kiln.TensorInfo("output", (1, 10),
                                           np.dtype(np.float32)),)
    assert isinstance(sig.inputs[0].dtype, np.dtype)
    assert isinstance(r.report, dict) and r.report
    assert r.timings and all(isinstance(ms, float) and ms >= 0
                             for ms in r.timings.values())
    assert "import" in r.timings


def test_model_signature(tiny_compiled):
    with kiln.Model(tiny_compiled.output, threads=2) as model:
        assert model.inputs == tiny_compiled.signature.inputs
        assert model.outputs == tiny_compiled.signature.outputs
        assert model.inputs[0].name == "input"
        assert model.inputs[0].shape == (1, 3, 32, 32)
        assert model.inputs[0].dtype == np.float32
        assert model.name == tiny_compiled.signature.name
        assert model.num_threads == 2
        assert "kiln.Model" in repr(model)


def test_model_proto_input(tiny_onnx, tiny_so, tiny_ref, tmp_path):
    import onnx
    proto = onnx.load(tiny_onnx)
    result = kiln.compile(proto, output=str(tmp_path / "proto.so"))
    x, ref = tiny_ref
    with kiln.Model(result.output) as a, kiln.Model(tiny_so) as b:
        out = a.run(x)["output"]
        assert np.array_equal(out, b.run(x)["output"])
    assert_matches_ref(out, ref)
    # Serialized bytes work the same way.
    result = kiln.compile(proto.SerializeToString(),
                          output=str(tmp_path / "bytes.so"))
    with kiln.Model(result.output) as model:
        assert np.array_equal(model.run(x)["output"], out)


def test_paths_do_not_import_onnx(tiny_onnx):
    code = ("import sys, kiln; kiln.compile(sys.argv[1], emit='kiln'); "
            "assert 'onnx' not in sys.modules, 'kiln imported onnx'")
    subprocess.run([sys.executable, "-c", code, tiny_onnx], check=True)


def test_path_like_and_default_output(tiny_onnx, tmp_path, monkeypatch):
    import pathlib
    monkeypatch.chdir(tmp_path)
    result = kiln.compile(pathlib.Path(tiny_onnx))
    assert os.path.samefile(result.output, tmp_path / "m.so")
    with kiln.Model(pathlib.Path("m.so")) as model:
        assert model.outputs[0].shape == (1, 10)


def test_plain_loops_and_threads_agree(tiny_onnx, tiny_ref, tmp_path):
    x, ref = tiny_ref
    plain = kiln.compile(tiny_onnx, output=str(tmp_path / "plain.so"),
                         vectorize=False, parallel=False)
    with kiln.Model(plain.output) as model:
        assert_matches_ref(model.run(x)["output"], ref)


#===----------------------------------------------------------------------===#
# Other outputs and options
#===----------------------------------------------------------------------===#

def test_emit_text_and_object(tiny_onnx, tmp_path):
    ir = kiln.compile(tiny_onnx, emit="llvm-ir")
    assert isinstance(ir.artifact, str) and "define" in ir.artifact
    assert ir.output is None
    graph = kiln.compile(tiny_onnx, emit="kiln",
                         output=str(tmp_path / "graph.mlir"))
    assert isinstance(graph.artifact, str) and "kiln." in graph.artifact
    with open(tmp_path / "graph.mlir") as f:
        assert f.read() == graph.artifact
    obj = kiln.compile(tiny_onnx, emit="obj")
    assert isinstance(obj.artifact, bytes) and obj.artifact[:4] == b"\x7fELF"
    assert graph.signature == obj.signature


def test_emit_unknown_kind(tiny_onnx):
    with pytest.raises(ValueError, match="unknown output kind 'exe'"):
        kiln.compile(tiny_onnx, emit="exe")


def test_dump_ir(tiny_onnx, tmp_path):
    dump = tmp_path / "dump"
    kiln.compile(tiny_onnx, emit="linalg", dump_ir=str(dump))
    names = sorted(os.listdir(dump))
    assert names and names[0].startswith("00-") and \
        all(n.endswith(".mlir") for n in names)
    first = (dump / names[0]).read_text()
    assert "loc(" not in first
    located = tmp_path / "located"
    kiln.compile(tiny_onnx, emit="linalg", dump_ir=str(located),
                 dump_locations=True)
    assert "loc(" in (located / names[0]).read_text()


def test_shapes_bind_a_dynamic_batch(tiny_ref, tmp_path):
    x, ref = tiny_ref
    model_path = gen_resnet(tmp_path / "dyn.onnx", "--form", "bn",
                            "--dynamic-batch", "--blocks", "1,1,1,1",
                            "--size", "32", "--width", "8", "--classes", "10")
    result = kiln.compile(model_path, output=str(tmp_path / "dyn.so"),
                          shapes={"input": (2, 3, 32, 32)})
    assert result.signature.inputs[0].shape == (2, 3, 32, 32)
    assert result.signature.outputs[0].shape == (2, 10)
    with kiln.Model(result.output) as model:
        out = model.run(np.concatenate([x, x]))["output"]
    assert_matches_ref(out[:1], ref)
    assert np.array_equal(out[0], out[1])


def test_batch_binds_a_dynamic_batch(tiny_ref, tmp_path):
    x, ref = tiny_ref
    model_path = gen_resnet(tmp_path / "dyn.onnx", "--form", "bn",
                            "--dynamic-batch", "--blocks", "1,1,1,1",
                            "--size", "32", "--width", "8", "--classes", "10")
    result = kiln.compile(model_path, output=str(tmp_path / "b3.so"), batch=3)
    assert result.signature.inputs[0].shape == (3, 3, 32, 32)
    assert result.signature.outputs[0].shape == (3, 10)
    with kiln.Model(result.output) as model:
        out = model.run(np.concatenate([x, x, x]))["output"]
    assert_matches_ref(out[2:], ref)
    with pytest.raises(kiln.CompileError) as info:
        kiln.compile(model_path, output=str(tmp_path / "never.so"))
    assert "bind it with --batch=N or --shape=input:DIMS" in str(info.value)


#===----------------------------------------------------------------------===#
# Compile errors
#===----------------------------------------------------------------------===#

def test_unsupported_ops_are_all_listed(test_models):
    with pytest.raises(kiln.CompileError) as info:
        kiln.compile(str(test_models / "bad-unsupported-ops.onnx"),
                     output=str(test_models / "never.so"))
    err = info.value
    assert err.diagnostics
    assert all(isinstance(d, kiln.Diagnostic) for d in err.diagnostics)
    assert "error" in {d.severity for d in err.diagnostics}
    text = str(err)
    for name in ("Cos", "TopK", "NonMaxSuppression",
                 "cos_a", "cos_b", "topk", "nms"):
        assert name in text
    assert not os.path.exists(test_models / "never.so")


def test_diagnostic_names_the_onnx_node(test_models):
    with pytest.raises(kiln.CompileError) as info:
        kiln.compile(str(test_models / "bad-add-shape.onnx"), emit="kiln")
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert [d.node for d in errors] == ["add"]
    assert "not broadcast-compatible" in errors[0].message
    assert errors[0].file.endswith("bad-add-shape.onnx")
    assert "'add'" in str(info.value)


def test_missing_model_file(tmp_path):
    with pytest.raises(kiln.CompileError) as info:
        kiln.compile(str(tmp_path / "nope.onnx"), output=str(tmp_path / "x.so"))
    assert "nope.onnx" in str(info.value)
    assert info.value.diagnostics[0].severity == "error"


def test_garbage_bytes():
    with pytest.raises(kiln.CompileError):
        kiln.compile(b"this is not an ONNX model", emit="kiln")


def test_compile_error_pickles(test_models):
    import pickle
    with pytest.raises(kiln.CompileError) as info:
        kiln.compile(str(test_models / "bad-unsupported-ops.onnx"), emit="kiln")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.diagnostics == info.value.diagnostics
    assert str(again) == str(info.value)


#===----------------------------------------------------------------------===#
# Bad inputs to run
#===----------------------------------------------------------------------===#

def test_wrong_shape_raises_runtime_message(tiny_so, tiny_ref):
    x, _ = tiny_ref
    with kiln.Model(tiny_so) as model:
        with pytest.raises(ValueError, match=r"input 0 \('input'\): expected "
                           r"shape \[1,3,32,32\], got \[1,3,32,31\]"):
            model.run(x[..., :31])
        with pytest.raises(ValueError, match="expected rank 4, got 3"):
            model.run(x[0])
        # The instance still works after a failed run.
        assert model.run(x)["output"].shape == (1, 10)


def test_wrong_dtype_raises(tiny_so, tiny_ref):
    x, _ = tiny_ref
    with kiln.Model(tiny_so) as model:
        with pytest.raises(TypeError, match="complex128"):
            model.run(x.astype(np.complex128))
        with pytest.raises(TypeError):
            model.run(np.full(x.shape, "a"))


def test_wrong_names_raise(tiny_so, tiny_ref):
    x, _ = tiny_ref
    with kiln.Model(tiny_so) as model:
        with pytest.raises(ValueError, match="unknown input 'image'"):
            model.run({"image": x})
        with pytest.raises(ValueError, match="unknown input 'extra'"):
            model.run({"input": x, "extra": x})
        with pytest.raises(ValueError, match="missing input 'input'"):
            model.run({})


def test_two_inputs(test_models, tmp_path):
    result = kiln.compile(str(test_models / "add_two_inputs_broadcast.onnx"),
                          output=str(tmp_path / "add.so"))
    assert [i.name for i in result.signature.inputs] == ["A", "B"]
    a = np.arange(48, dtype=np.float32).reshape(1, 3, 4, 4)
    b = np.array([10, 20, 30], np.float32).reshape(1, 3, 1, 1)
    with kiln.Model(result.output) as model:
        assert np.array_equal(model.run({"B": b, "A": a})["Y"], a + b)
        with pytest.raises(ValueError, match="missing input 'B'"):
            model.run({"A": a})
        with pytest.raises(ValueError, match="2 inputs"):
            model.run(a)
        with pytest.raises(ValueError, match=r"input 1 \('B'\): expected "
                           r"shape \[1,3,1,1\], got \[1,3,4,4\]"):
            model.run({"A": a, "B": a})


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        kiln.Model(tmp_path / "missing.so")
    text = tmp_path / "text.so"
    text.write_text("not a library")
    with pytest.raises(OSError, match="cannot load"):
        kiln.Model(text)
    # A real shared library that is not a model.
    with pytest.raises(OSError, match="is not a kiln model library: missing "
                       "kiln_model_options_init"):
        kiln.Model(kiln._kiln.__file__)


def test_closed_model(tiny_so, tiny_ref):
    x, _ = tiny_ref
    model = kiln.Model(tiny_so)
    with model:
        model.run(x)
    assert model.closed
    with pytest.raises(ValueError, match="closed"):
        model.run(x)
    with pytest.raises(ValueError, match="closed"):
        model.name
    model.close()  # again: a no-op


#===----------------------------------------------------------------------===#
# Conversions and zero-copy
#===----------------------------------------------------------------------===#

def test_contiguous_float32_is_not_copied(tiny_so, tiny_ref):
    x, ref = tiny_ref
    with kiln.Model(tiny_so) as model:
        assert x.flags.c_contiguous and x.dtype == np.float32
        out = model.run(x)["output"]
        assert model._copied_inputs == ()
        assert_matches_ref(out, ref)


def test_non_contiguous_input(tiny_so, tiny_ref):
    x, _ = tiny_ref
    wide = np.zeros((1, 3, 32, 64), np.float32)
    wide[..., ::2] = x
    strided = wide[..., ::2]
    fortran = np.asfortranarray(x)
    assert not strided.flags.c_contiguous and not fortran.flags.c_contiguous
    with kiln.Model(tiny_so) as model:
        want = model.run(x)["output"]
        assert np.array_equal(model.run(strided)["output"], want)
        assert model._copied_inputs == ("input",)
        assert np.array_equal(model.run(fortran)["output"], want)
        assert np.array_equal(model.run(x.astype(">f4"))["output"], want)


def test_float64_and_lists_are_converted(tiny_so, tiny_ref):
    x, _ = tiny_ref
    with kiln.Model(tiny_so) as model:
        want = model.run(x)["output"]
        assert np.array_equal(model.run(x.astype(np.float64))["output"], want)
        assert model._copied_inputs == ("input",)
        assert np.array_equal(model.run(x.tolist())["output"], want)


#===----------------------------------------------------------------------===#
# Threads and the GIL
#===----------------------------------------------------------------------===#

def run_in_threads(fn, count):
    results, errors = [None] * count, []

    def body(i):
        try:
            results[i] = fn(i)
        except BaseException as e:  # reported below
            errors.append(e)
    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_concurrent_runs(tiny_so, tiny_ref):
    x, ref = tiny_ref
    with kiln.Model(tiny_so) as model:
        want = model.run(x)["output"]
    assert_matches_ref(want, ref)
    # Two instances, one per thread, and one instance shared by two threads.
    models = [kiln.Model(tiny_so), kiln.Model(tiny_so)]
    shared = kiln.Model(tiny_so)
    try:
        for pick in (lambda i: models[i], lambda i: shared):
            outs = run_in_threads(
                lambda i: [pick(i).run(x)["output"] for _ in range(50)], 2)
            for out in outs:
                for o in out:
                    assert np.array_equal(o, want)
    finally:
        for m in models + [shared]:
            m.close()


@pytest.fixture(scope="module")
def slow_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("conv-chain")
    result = kiln.compile(conv_chain(tmp / "chain.onnx"),
                          output=str(tmp / "chain.so"))
    return result.output


def longest_pause(work):
    """Runs work() in a thread; returns (its wall time, the longest time this
    thread went without running Python meanwhile)."""
    done = threading.Event()
    t = threading.Thread(target=lambda: (work(), done.set()))
    start = time.perf_counter()
    t.start()
    last, gap = start, 0.0
    while not done.is_set():
        now = time.perf_counter()
        gap = max(gap, now - last)
        last = now
    t.join()
    return time.perf_counter() - start, gap


def test_gil_released_while_running(slow_model):
    with kiln.Model(slow_model, threads=1) as model:
        x = np.random.RandomState(1).rand(*model.inputs[0].shape)
        x = x.astype(np.float32)
        model.run(x)  # warm up
        start = time.perf_counter()
        want = model.run(x)["Y"]
        once = time.perf_counter() - start
        assert once > 0.01, "model too fast to observe the GIL (%.4f s)" % once
        got = []
        total, gap = longest_pause(lambda: got.append(model.run(x)["Y"]))
    assert np.array_equal(got[0], want)
    # Holding the GIL for the run would stop this thread for the whole run.
    assert gap < 0.5 * once, "paused %.4f s during a %.4f s run" % (gap, once)


def test_gil_released_while_compiling(tiny_onnx, tmp_path):
    total, gap = longest_pause(
        lambda: kiln.compile(tiny_onnx, output=str(tmp_path / "c.so")))
    assert total > 0.05
    assert gap < 0.5 * total, "paused %.3f s of %.3f s" % (gap, total)


#===----------------------------------------------------------------------===#
# Full-size ResNet50: kiln.Model against kiln-run
#===----------------------------------------------------------------------===#

@pytest.mark.resnet50
@pytest.mark.skipif(bool(os.environ.get("KILN_TEST_SKIP_RESNET50")),
                    reason="KILN_TEST_SKIP_RESNET50 is set")
def test_resnet50_bit_identical_to_kiln_run(tmp_path):
    kiln_run = os.path.join(BIN, "kiln-run")
    assert os.access(kiln_run, os.X_OK), "no kiln-run in %s" % BIN
    model_path = gen_resnet(tmp_path / "resnet50.onnx", "--form", "bn",
                            "--input-npy", str(tmp_path / "x.npy"))
    result = kiln.compile(model_path, output=str(tmp_path / "resnet50.so"))
    assert result.signature.inputs[0].shape == (1, 3, 224, 224)
    assert result.signature.outputs[0].shape == (1, 1000)
    x = np.load(tmp_path / "x.npy")
    subprocess.run([kiln_run, result.output, "--threads", "2", "--input",
                    str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")],
                   check=True, env=TOOL_ENV)
    want = np.load(tmp_path / "y.npy")
    with kiln.Model(result.output, threads=2) as model:
        got = model.run({"input": x})["output"]
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
    assert np.isfinite(got).all() and got.std() > 0.1
