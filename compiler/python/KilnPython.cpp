//===- KilnPython.cpp - The kiln._kiln extension module ---------*- C++ -*-===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// The C++ half of the `kiln` Python package, built with pybind11. It is a
// thin layer over two things that already exist:
//
//   _compile  calls kiln::compile (compiler/Compiler.h) with the GIL
//             released and returns the result as plain Python values;
//   _Model    opens a model library through tools/common/ModelLibrary.h (the
//             loader kiln-run uses) and runs it on NumPy buffers with the
//             GIL released, one run at a time per instance.
//
// Everything a user sees (argument handling, dtypes, names, CompileResult,
// CompileError) is in kiln/__init__.py; the conventions between the two
// halves are documented on each function below.
//
//===----------------------------------------------------------------------===//

#include "compiler/Compiler.h"
#include "tools/common/ModelLibrary.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

//===----------------------------------------------------------------------===//
// Compiling
//===----------------------------------------------------------------------===//

const char *severityName(kiln::Diagnostic::Severity severity) {
  switch (severity) {
  case kiln::Diagnostic::Severity::Error:
    return "error";
  case kiln::Diagnostic::Severity::Warning:
    return "warning";
  case kiln::Diagnostic::Severity::Note:
    return "note";
  case kiln::Diagnostic::Severity::Remark:
    return "remark";
  }
  return "error";
}

py::list diagnosticsToPython(const std::vector<kiln::Diagnostic> &diagnostics) {
  py::list list;
  for (const kiln::Diagnostic &d : diagnostics) {
    py::dict record;
    record["severity"] = severityName(d.severity);
    record["node"] = d.node;
    record["file"] = d.file;
    record["message"] = d.message;
    record["text"] = d.str();
    list.append(std::move(record));
  }
  return list;
}

py::list tensorsToPython(const std::vector<kiln::TensorInfo> &tensors) {
  py::list list;
  for (const kiln::TensorInfo &t : tensors)
    list.append(py::make_tuple(t.name, t.elemType, py::tuple(py::cast(t.shape))));
  return list;
}

py::dict resultToPython(const kiln::CompileResult &result) {
  py::dict out;
  out["output"] = result.outputPath;
  out["artifact"] = py::bytes(result.artifact);
  out["model_name"] = result.signature.modelName;
  out["inputs"] = tensorsToPython(result.signature.inputs);
  out["outputs"] = tensorsToPython(result.signature.outputs);
  out["report_json"] = result.report.toJSON();
  py::list phases;
  for (const kiln::PhaseTime &phase : result.report.phases)
    phases.append(py::make_tuple(phase.phase, phase.ms));
  out["phases"] = phases;
  return out;
}

/// Compiles one model. `model_path` or (when it is empty) `model_bytes` is
/// the model; `emit` is a kiln-compile --emit name. Returns
/// (result, diagnostics): result is a dict (output, artifact as bytes,
/// model_name, inputs/outputs as (name, elem_type, shape) tuples,
/// report_json, phases as (phase, ms) tuples) or None when the compile
/// failed; diagnostics is a list of dicts (severity, node, file, message,
/// text). Raises ValueError for an unknown `emit`.
py::tuple compileModel(const std::string &modelPath, py::bytes modelBytes,
                       const std::string &modelDir, const std::string &emit,
                       const std::string &outputPath, const std::string &target,
                       const std::string &cpu, const std::string &dumpDir,
                       bool dumpWeights, bool dumpLocations,
                       const std::string &kernelConfig,
                       bool vectorize, bool parallel, bool runtimeChecks, bool onnxChecker,
                       const std::vector<std::string> &shapeBindings, int64_t batch,
                       const std::string &runtimeDir) {
  llvm::Expected<kiln::OutputKind> kind = kiln::parseOutputKind(emit);
  if (!kind)
    throw py::value_error(llvm::toString(kind.takeError()));

  kiln::CompileOptions options;
  options.modelPath = modelPath;
  if (modelPath.empty())
    options.modelBytes = std::string(modelBytes);
  options.modelDir = modelDir;
  options.output = *kind;
  options.outputPath = outputPath;
  options.target = target;
  options.cpu = cpu;
  options.dumpDir = dumpDir;
  options.dumpWeights = dumpWeights;
  options.dumpLocations = dumpLocations;
  options.kernelConfigPath = kernelConfig;
  options.vectorize = vectorize;
  options.parallel = parallel;
  options.runtimeChecks = runtimeChecks;
  options.onnxChecker = onnxChecker;
  options.shapeBindings = shapeBindings;
  options.batch = batch;
  options.runtimeDir = runtimeDir;

  // Each compile has its own MLIR context: other Python threads may run,
  // and compile, meanwhile.
  std::unique_ptr<kiln::CompileResult> result;
  std::vector<kiln::Diagnostic> diagnostics;
  {
    py::gil_scoped_release release;
    llvm::Expected<kiln::CompileResult> compiled = kiln::compile(options);
    if (compiled) {
      result = std::make_unique<kiln::CompileResult>(std::move(*compiled));
      diagnostics = std::move(result->diagnostics);
    } else {
      diagnostics = kiln::takeDiagnostics(compiled.takeError());
    }
  }
  py::object resultObject = py::none();
  if (result)
    resultObject = resultToPython(*result);
  return py::make_tuple(resultObject, diagnosticsToPython(diagnostics));
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

/// A model library and its instance. Python threads may share one: runs
/// (and close) are serialized by a mutex that is taken with the GIL
/// released, so other Python threads keep running meanwhile.
class Model {
public:
  Model(const std::string &path, int threads) {
    std::string error;
    library = kiln::ModelLibrary::open(path, threads, error);
    if (!library) {
      // dlopen failures are OSErrors, as with ctypes.CDLL.
      if (error.rfind("cannot create model", 0) == 0)
        throw std::runtime_error(error);
      PyErr_SetString(PyExc_OSError, error.c_str());
      throw py::error_already_set();
    }
  }

  std::string name() const { return get().name(); }
  int numThreads() const { return get().numThreads(); }
  bool closed() const { return !library; }

  /// The inputs or outputs as (name, elem_type, shape) tuples.
  py::list inputs() const { return describe(true); }
  py::list outputs() const { return describe(false); }

  /// Runs the model. `inputs` and `outputs` are lists of (array, elem_type)
  /// pairs, one per model input / output in order; every array must be
  /// C-contiguous and hold elements of `elem_type`'s size (outputs also
  /// writeable). The buffers are passed to kiln_model_run as they are.
  /// Errors of the runtime (counts, types, shapes) raise TypeError when an
  /// element type differs from the model's, else ValueError, with the
  /// runtime's message.
  void run(const py::list &inputs, const py::list &outputs) {
    // Hold the arrays (and so their buffers) for the whole call.
    std::vector<py::array> arrays;
    std::vector<kiln_tensor> inTensors = tensors(inputs, false, arrays);
    std::vector<kiln_tensor> outTensors = tensors(outputs, true, arrays);

    std::string error;
    kiln_status status = KILN_OK;
    bool wasClosed = false;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex);
      if (!library)
        wasClosed = true;
      else
        status = library->run(inTensors.data(), inTensors.size(),
                              outTensors.data(), outTensors.size(), error);
    }
    if (wasClosed)
      throw py::value_error("run on a closed model");
    if (status == KILN_OK)
      return;
    if (elemTypeMismatch(inTensors, true) || elemTypeMismatch(outTensors, false))
      throw py::type_error(error);
    throw py::value_error(error);
  }

  /// Destroys the instance and closes the library, after a run in progress.
  /// `library` changes only under both the GIL and the mutex, so readers
  /// holding either one see it whole.
  void close() {
    std::unique_lock<std::mutex> lock(mutex, std::defer_lock);
    {
      py::gil_scoped_release release;
      lock.lock();
    }
    std::unique_ptr<kiln::ModelLibrary> closing = std::move(library);
    lock.unlock();
    py::gil_scoped_release release;
    closing.reset();
  }

private:
  const kiln::ModelLibrary &get() const {
    if (!library)
      throw py::value_error("operation on a closed model");
    return *library;
  }

  py::list describe(bool ofInputs) const {
    const kiln::ModelLibrary &lib = get();
    py::list list;
    size_t count = ofInputs ? lib.numInputs() : lib.numOutputs();
    for (size_t i = 0; i < count; ++i) {
      kiln_tensor_info info;
      std::string error;
      if (!(ofInputs ? lib.inputInfo(i, info, error)
                     : lib.outputInfo(i, info, error)))
        throw std::runtime_error(error);
      py::tuple shape(info.rank);
      for (int32_t d = 0; d < info.rank; ++d)
        shape[d] = info.shape[d];
      list.append(py::make_tuple(info.name ? info.name : "",
                                 int(info.elem_type), shape));
    }
    return list;
  }

  std::vector<kiln_tensor> tensors(const py::list &pairs, bool writeable,
                                   std::vector<py::array> &keep) {
    const kiln::ModelLibrary &lib = get();
    std::vector<kiln_tensor> result;
    for (py::handle item : pairs) {
      auto pair = item.cast<std::pair<py::array, int>>();
      py::array &array = pair.first;
      auto type = kiln_elem_type(pair.second);
      if (!(array.flags() & py::array::c_style))
        throw py::value_error("kiln._kiln: array is not C-contiguous");
      if (writeable && !array.writeable())
        throw py::value_error("kiln._kiln: output array is read-only");
      if (size_t(array.itemsize()) != lib.api().elemTypeSize(type))
        throw py::type_error(
            "kiln._kiln: array items are " + std::to_string(array.itemsize()) +
            " bytes, element type " + lib.api().elemTypeName(type) + " has " +
            std::to_string(lib.api().elemTypeSize(type)));
      // The runtime never writes inputs; kiln_tensor is not const-correct.
      void *data = const_cast<void *>(array.data());
      result.push_back({data, size_t(array.nbytes()), type,
                        int32_t(array.ndim()),
                        reinterpret_cast<const int64_t *>(array.shape())});
      keep.push_back(std::move(array));
    }
    static_assert(sizeof(py::ssize_t) == sizeof(int64_t), "shape type");
    return result;
  }

  /// True when a tensor's element type differs from the model's.
  bool elemTypeMismatch(const std::vector<kiln_tensor> &tensors,
                        bool ofInputs) const {
    const kiln::ModelLibrary &lib = get();
    for (size_t i = 0; i < tensors.size(); ++i) {
      kiln_tensor_info info;
      std::string ignored;
      bool known = ofInputs ? lib.inputInfo(i, info, ignored)
                            : lib.outputInfo(i, info, ignored);
      if (known && info.elem_type != tensors[i].elem_type)
        return true;
    }
    return false;
  }

  std::unique_ptr<kiln::ModelLibrary> library;
  std::mutex mutex;
};

} // namespace

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "kiln's compiler and model loader (use the `kiln` package)";

  m.def("_compile", &compileModel, py::arg("model_path"),
        py::arg("model_bytes"), py::arg("model_dir"), py::arg("emit"),
        py::arg("output_path"), py::arg("target"), py::arg("cpu"),
        py::arg("dump_dir"), py::arg("dump_weights"), py::arg("dump_locations"),
        py::arg("kernel_config"), py::arg("vectorize"), py::arg("parallel"),
        py::arg("runtime_checks"),
        py::arg("onnx_checker"), py::arg("shape_bindings"), py::arg("batch"),
        py::arg("runtime_dir"),
        "Compiles a model; returns (result dict or None, diagnostics).");

  py::class_<Model>(m, "_Model")
      .def(py::init<const std::string &, int>(), py::arg("path"),
           py::arg("threads"))
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("num_threads", &Model::numThreads)
      .def_property_readonly("closed", &Model::closed)
      .def_property_readonly("inputs", &Model::inputs)
      .def_property_readonly("outputs", &Model::outputs)
      .def("run", &Model::run, py::arg("inputs"), py::arg("outputs"))
      .def("close", &Model::close);
}
