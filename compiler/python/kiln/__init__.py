"""kiln: compile ONNX models to native shared libraries, and run them.

    import kiln, numpy as np
    result = kiln.compile("resnet50.onnx", output="resnet50.so")
    with kiln.Model(result.output, threads=2) as model:
        logits = model.run(np.zeros((1, 3, 224, 224), np.float32))["output"]

`compile` is kiln-compile as a function (compiler/Compiler.h); `Model` loads
a compiled library the way kiln-run does (tools/common/ModelLibrary.h) and
runs it on NumPy arrays with the GIL released. The C++ half is the
extension module `kiln._kiln`; this file holds everything a caller sees.
"""
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

import numpy as np

from . import _kiln

__all__ = ["compile", "Model", "CompileResult", "CompileError", "Diagnostic",
           "Signature", "TensorInfo"]

# ONNX TensorProto.DataType (== kiln_elem_type) -> NumPy dtype. bfloat16 (16)
# has no NumPy dtype.
_DTYPES = {
    1: np.dtype(np.float32), 2: np.dtype(np.uint8), 3: np.dtype(np.int8),
    4: np.dtype(np.uint16), 5: np.dtype(np.int16), 6: np.dtype(np.int32),
    7: np.dtype(np.int64), 9: np.dtype(np.bool_), 10: np.dtype(np.float16),
    11: np.dtype(np.float64), 12: np.dtype(np.uint32), 13: np.dtype(np.uint64),
}
_ELEM_TYPES = {dtype: elem for elem, dtype in _DTYPES.items()}

# --emit kinds whose artifact is text.
_TEXT_KINDS = ("kiln", "linalg", "llvm-ir", "asm")


class TensorInfo(NamedTuple):
    """One model input or output: its ONNX name, shape and NumPy dtype
    (None for element types NumPy lacks, such as bfloat16)."""
    name: str
    shape: Tuple[int, ...]
    dtype: Optional[np.dtype]


class Signature(NamedTuple):
    """The graph inputs and outputs of a compiled model."""
    name: str
    inputs: Tuple[TensorInfo, ...]
    outputs: Tuple[TensorInfo, ...]


def _tensor_infos(raw) -> Tuple[TensorInfo, ...]:
    return tuple(TensorInfo(name, tuple(shape), _DTYPES.get(elem))
                 for name, elem, shape in raw)


@dataclass(frozen=True)
class Diagnostic:
    """One compiler diagnostic. `node` is the ONNX node (or tensor) it is
    about, "" when none; `text` is the line kiln-compile prints."""
    severity: str
    node: str
    message: str
    file: str = ""
    text: str = ""

    def __str__(self):
        # `text` names the node where the message does not (Diagnostic::str).
        return self.text or "%s: %s" % (self.severity, self.message)


class CompileError(Exception):
    """kiln could not compile the model. `diagnostics` lists every
    Diagnostic the compiler reported; str() shows them one a line."""

    def __init__(self, diagnostics):
        self.diagnostics = [d if isinstance(d, Diagnostic) else Diagnostic(**d)
                            for d in diagnostics]
        lines = [str(d) for d in self.diagnostics] or ["unknown error"]
        super().__init__("kiln: compilation failed:\n  " + "\n  ".join(lines))

    def __reduce__(self):
        return (CompileError, (self.diagnostics,))


@dataclass
class CompileResult:
    """What `compile` produced.

    output      path of the written artifact (None when nothing was written)
    artifact    the IR or assembly text (str) or object bytes; None for "so"
    signature   the model's inputs and outputs (Signature)
    report      the compile report (CompileReport::toJSON, parsed)
    timings     wall time of each pipeline phase, in ms
    diagnostics warnings and remarks of the successful compile
    """
    output: Optional[str]
    artifact: Union[str, bytes, None]
    signature: Signature
    report: Dict[str, Any]
    timings: Dict[str, float]
    diagnostics: List[Diagnostic] = field(default_factory=list)


def _shape_bindings(shapes) -> List[str]:
    """{"input": (1, 3, 224, 224)} or ["input:1x3x224x224"] -> the strings
    CompileOptions::shapeBindings takes."""
    if shapes is None:
        return []
    if isinstance(shapes, Mapping):
        return ["%s:%s" % (name, "x".join(str(int(d)) for d in dims))
                for name, dims in shapes.items()]
    if isinstance(shapes, str):
        return [shapes]
    return [str(s) for s in shapes]


def _runtime_dir() -> str:
    """The runtime kiln links into each library: the copy inside this package
    (lib/kiln/<arch>/libkiln_runtime.a, include/kiln/kiln.h, as in the build
    tree), unless $KILN_RUNTIME_DIR names another ("" lets the compiler
    look)."""
    if os.environ.get("KILN_RUNTIME_DIR"):
        return ""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib",
                        "kiln")
    return here if os.path.isdir(here) else ""


def _path_or_empty(value) -> str:
    return "" if value is None else os.fspath(value)


def compile(model, output=None, target="host", cpu=None, emit="so",
            dump_ir=None, kernel_config=None, vectorize=True, parallel=True,
            onnx_checker=True, shapes=None, dump_weights=False,
            runtime_checks=False, dump_locations=False, batch=None):
    """Compiles an ONNX model, like kiln-compile.

    model          a path (str or os.PathLike), an onnx.ModelProto or its
                   serialized bytes (external data is then looked up in the
                   current folder)
    output         where to write the artifact; for emit="so" the default is
                   "m.so" (kiln.h is written next to it), for the other kinds
                   None returns the artifact without writing a file
    target, cpu    target triple ("host", "x86_64-linux-gnu",
                   "aarch64-linux-gnu") and CPU (None: the target's default)
    emit           "kiln", "linalg", "llvm-ir", "asm", "obj" or "so"
    dump_ir        folder for the IR after every phase (NN-<phase>.mlir)
    kernel_config  JSON file of per-layer kernel overrides
    vectorize, parallel, onnx_checker, dump_weights
                   as --no-vectorize, --no-parallel, --no-onnx-checker and
                   --dump-weights of kiln-compile
    runtime_checks as --runtime-checks: bounds checks in the generated code
    dump_locations locations (ONNX node names, layer tags) in the dump_ir
                   files, as --mlir-print-debuginfo of kiln-compile
    shapes         shapes for graph inputs: {"input": (1, 3, 224, 224)} or
                   ["input:1x3x224x224"]
    batch          as --batch=N: the size of a symbolic first dimension of
                   the graph inputs (a dynamic batch axis)

    Returns a CompileResult; raises CompileError (with .diagnostics) when the
    model cannot be compiled, ValueError for an unknown `emit`.
    """
    model_path, model_bytes = "", b""
    if isinstance(model, (bytes, bytearray, memoryview)):
        model_bytes = bytes(model)
    elif hasattr(model, "SerializeToString"):  # onnx.ModelProto
        model_bytes = model.SerializeToString()
    else:
        model_path = os.fspath(model)
        if not model_path:
            raise ValueError("kiln.compile: empty model path")
    if output is None and emit == "so":
        output = "m.so"
    raw, diagnostics = _kiln._compile(
        model_path=model_path, model_bytes=model_bytes, model_dir="",
        emit=emit, output_path=_path_or_empty(output), target=target,
        cpu=cpu or "", dump_dir=_path_or_empty(dump_ir),
        dump_weights=bool(dump_weights), dump_locations=bool(dump_locations),
        kernel_config=_path_or_empty(kernel_config),
        vectorize=bool(vectorize), parallel=bool(parallel),
        runtime_checks=bool(runtime_checks), onnx_checker=bool(onnx_checker),
        shape_bindings=_shape_bindings(shapes), batch=int(batch or 0),
        runtime_dir=_runtime_dir())
    if raw is None:
        raise CompileError(diagnostics)
    artifact = None
    if emit != "so":
        artifact = raw["artifact"]
        if emit in _TEXT_KINDS:
            artifact = artifact.decode("utf-8", errors="replace")
    timings = {}
    for phase, ms in raw["phases"]:
        timings[phase] = timings.get(phase, 0.0) + ms
    return CompileResult(
        output=raw["output"] or (os.fspath(output) if output else None),
        artifact=artifact,
        signature=Signature(raw["model_name"], _tensor_infos(raw["inputs"]),
                            _tensor_infos(raw["outputs"])),
        report=json.loads(raw["report_json"]),
        timings=timings,
        diagnostics=[Diagnostic(**d) for d in diagnostics])


class Model:
    """A compiled model library, loaded with dlopen, and one instance of it.

    `inputs` and `outputs` are tuples of TensorInfo (name, shape, dtype).
    `run` takes {name: array} (or one array for a single-input model) and
    returns {name: array}. Arrays of the model's dtype in C order are passed
    to the library as they are; others are converted as by
    np.ascontiguousarray(x, dtype=...) when NumPy's "same_kind" casting
    allows it (e.g. float64 -> float32), else TypeError. Wrong shapes, names
    or missing inputs raise ValueError. The GIL is released while the model
    runs; threads sharing one Model take turns, separate Models run in
    parallel. Use as a context manager, or call close().
    """

    def __init__(self, path, threads=None):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(2, "No such file or directory", path)
        self._impl = _kiln._Model(path, int(threads or 0))
        self.path = path
        self.inputs = _tensor_infos(self._impl.inputs)
        self.outputs = _tensor_infos(self._impl.outputs)
        self._local = threading.local()

    @property
    def name(self) -> str:
        return self._impl.name

    @property
    def num_threads(self) -> int:
        return self._impl.num_threads

    @property
    def closed(self) -> bool:
        return self._impl.closed

    def close(self):
        """Destroys the instance and unloads the library (idempotent)."""
        self._impl.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self.closed else "%d thread(s)" % self.num_threads
        return "<kiln.Model %r from %r, %s>" % (
            "" if self.closed else self.name, self.path, state)

    def _prepare(self, index, value):
        """The array passed to the library for input `index`, and whether
        it had to be copied."""
        info = self.inputs[index]
        array = np.asarray(value)
        if array.dtype == info.dtype and array.flags.c_contiguous:
            return array, False
        if info.dtype is not None and np.can_cast(array.dtype, info.dtype,
                                                  "same_kind"):
            return np.ascontiguousarray(array, dtype=info.dtype), True
        if array.dtype in _ELEM_TYPES:
            # The runtime rejects the element type with its own message.
            return np.ascontiguousarray(array), not array.flags.c_contiguous
        raise TypeError("input %d ('%s'): expected elem_type %s, got NumPy "
                        "dtype %s, which kiln has no element type for"
                        % (index, info.name, info.dtype, array.dtype))

    def _by_name(self, inputs):
        if not isinstance(inputs, Mapping):
            if len(self.inputs) != 1:
                raise ValueError(
                    "the model has %d inputs (%s): pass a dict {name: array}"
                    % (len(self.inputs),
                       ", ".join("'%s'" % i.name for i in self.inputs)))
            return [inputs]
        names = [i.name for i in self.inputs]
        unknown = [n for n in inputs if n not in names]
        if unknown:
            raise ValueError("unknown input %s; the model's inputs are %s"
                             % (", ".join("'%s'" % n for n in unknown),
                                ", ".join("'%s'" % n for n in names)))
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError("missing input %s"
                             % ", ".join("'%s'" % n for n in missing))
        return [inputs[n] for n in names]

    def run(self, inputs) -> Dict[str, np.ndarray]:
        """Runs the model once; returns {output name: new array}."""
        if self.closed:
            raise ValueError("run on a closed model")
        values = self._by_name(inputs)
        prepared = [self._prepare(i, v) for i, v in enumerate(values)]
        outputs = []
        for info in self.outputs:
            if info.dtype is None:
                raise TypeError("output '%s' has an element type NumPy cannot "
                                "hold" % info.name)
            outputs.append(np.empty(info.shape, info.dtype))
        # Names of the inputs copied by this thread's last run (for tests).
        self._local.copied = tuple(self.inputs[i].name
                                   for i, (_, copied) in enumerate(prepared)
                                   if copied)
        self._impl.run([(a, _ELEM_TYPES[a.dtype]) for a, _ in prepared],
                       [(o, _ELEM_TYPES[o.dtype]) for o in outputs])
        return {info.name: out for info, out in zip(self.outputs, outputs)}

    @property
    def _copied_inputs(self) -> Tuple[str, ...]:
        """The inputs this thread's last `run` converted or copied."""
        return getattr(self._local, "copied", ())
