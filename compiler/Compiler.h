//===- Compiler.h - kiln as a library ---------------------------*- C++ -*-===//
//
// The compiler driver as a library: one options object, one call. It
// imports an ONNX model (from a file or serialized bytes), runs the pipeline
// phase by phase (optionally dumping each phase's IR), hands the result to
// the target's back end and returns the artifact, the model signature, the
// activation memory plan, per-phase timings, the compile report and the
// diagnostics as records. The library never prints: kiln-compile, the
// Python bindings and the tests are all thin callers of kiln::compile.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_COMPILER_H
#define KILN_COMPILER_COMPILER_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

/// What kiln::compile produces.
enum class OutputKind {
  Kiln,      ///< optimized kiln graph IR (after kernel selection)
  Linalg,    ///< linalg/tensor IR
  LLVMIR,    ///< optimized LLVM IR (text)
  Assembly,  ///< target assembly
  Object,    ///< relocatable object file
  SharedLib, ///< shared library with the kiln runtime (the default)
};

/// Parses "kiln", "linalg", "llvm-ir", "asm", "obj", "so".
llvm::Expected<OutputKind> parseOutputKind(llvm::StringRef name);

/// Everything kiln::compile needs. Exactly one of `modelPath` and
/// `modelBytes` is set.
struct CompileOptions {
  /// ONNX file to compile. External data is resolved next to it.
  std::string modelPath;
  /// A serialized onnx.ModelProto (used when `modelPath` is empty). External
  /// data is then resolved against `modelDir` (default: the current folder).
  std::string modelBytes;
  std::string modelDir;

  OutputKind output = OutputKind::SharedLib;
  /// Where to write the artifact. Required for SharedLib (the library is
  /// linked there; kiln.h is copied next to it); for the other kinds, empty
  /// means "return it in CompileResult::artifact only".
  std::string outputPath;

  /// Target triple ("host", "x86_64-linux-gnu", "aarch64-linux-gnu") and
  /// CPU ("" = the target's default, "native" = the host's).
  std::string target = "host";
  std::string cpu;

  /// Write the IR after every phase to DIR/NN-<phase>.mlir (empty: no dumps).
  std::string dumpDir;
  /// Print weights in IR output and dumps (elided by default).
  bool dumpWeights = false;
  /// Print locations (ONNX node names, layer tags) in dumps; kiln-compile's
  /// `--mlir-print-debuginfo` does the same.
  bool dumpLocations = false;

  /// Per-layer kernel overrides (JSON file, see README "Kernel choices").
  std::string kernelConfigPath;

  /// Tile and vectorize (off: plain loops, for debugging).
  bool vectorize = true;
  /// Run parallel loops on the runtime's thread pool.
  bool parallel = true;
  /// Bounds checks in the generated code (kiln-runtime-checks): a kernel
  /// that would access memory outside a buffer prints the ONNX node and
  /// aborts. For testing; the checks cost speed.
  bool runtimeChecks = false;
  /// Run ONNX's checker where Debian's ONNX understands the model.
  bool onnxChecker = true;

  /// Shape bindings "NAME:1x3x224x224" for graph inputs (static shapes must
  /// match; the importer rejects symbolic dims that stay unbound).
  std::vector<std::string> shapeBindings;
  /// Batch size for graph inputs whose first dimension is symbolic (0: none;
  /// `--batch=N`); an input the shape bindings name keeps its binding.
  int64_t batch = 0;
  /// Debugging aid: scale the weights of the ONNX node of this name by 1.05
  /// (`--debug-perturb-node`; ImportOptions::perturbNode). Empty: none.
  std::string debugPerturbNode;

  /// Folder holding <arch>/libkiln_runtime.a and kiln/kiln.h (empty: found
  /// from the build tree, the install prefix or $KILN_RUNTIME_DIR).
  std::string runtimeDir;

  /// Apply MLIR's pass-manager command-line options (--mlir-print-ir-*,
  /// --mlir-timing, ...) to every phase; only for a tool that registered
  /// them (kiln-compile).
  bool useMlirCommandLineOptions = false;
};

/// One diagnostic, as the compiler reported it.
struct Diagnostic {
  enum class Severity { Error, Warning, Note, Remark };
  Severity severity = Severity::Error;
  /// ONNX node (or tensor) the diagnostic is about; empty when none.
  std::string node;
  /// Source file name (the model path) where known, with line and column
  /// (0:0 for model-level locations).
  std::string file;
  std::string message;
  unsigned line = 0, column = 0;
  /// "<file>:<line>:<col>: error: <message>" on one line, as a command-line
  /// tool prints it, with " (node 'NAME')" where the message does not name
  /// the node; `tool` stands in for a missing file.
  std::string str(llvm::StringRef tool = "kiln") const;
};

/// One graph input or output.
struct TensorInfo {
  std::string name;
  /// ONNX TensorProto.DataType (== kiln_elem_type): 1 = float32, ...
  int32_t elemType = 0;
  std::vector<int64_t> shape;
};

struct Signature {
  std::string modelName;
  std::vector<TensorInfo> inputs, outputs;
};

/// Wall time of one pipeline phase.
struct PhaseTime {
  std::string phase; ///< "import", "bn-folded", ..., "codegen", "link"
  double ms = 0;
};

/// The activation memory plan (kiln-memory-plan).
struct MemoryPlan {
  uint64_t arenaBytes = 0;     ///< the one arena the runtime allocates
  uint64_t livePeakBytes = 0;  ///< most bytes live at once (lower bound)
  uint64_t unplannedBytes = 0; ///< sum of all activation buffers, unshared
  uint64_t weightBytes = 0;    ///< constants in the library
};

/// One row of the compile report: an ONNX node and what became of it.
struct ReportLayer {
  std::vector<std::string> nodes; ///< ONNX node names fused into this op
  std::string op;                 ///< kiln op after fusion, e.g. "kiln.fused_conv"
  std::string kernel;             ///< kernel kind, e.g. "direct_conv"
  std::string layout;             ///< "nhwc", "nchw", "any"
  int64_t block = 0;              ///< filter packing block (0: none)
  std::vector<int64_t> registerTile, cacheTile, parallelDims;
  std::vector<int64_t> outputShape;
  std::string source; ///< "heuristic" or "config" (--kernel-config)
  uint64_t flops = 0;
  uint64_t weightBytes = 0;
};

struct CompileReport {
  std::string target; ///< TargetInfo::describe()
  std::vector<ReportLayer> layers;
  MemoryPlan memory;
  std::vector<PhaseTime> phases;
  uint64_t totalFlops = 0;

  /// The report as JSON (schema in README.md, "Compile report").
  std::string toJSON() const;
  /// A readable table for `kiln-compile --report`.
  std::string toTable() const;
};

struct CompileResult {
  /// The artifact: IR text, assembly or object bytes. For SharedLib it is
  /// empty and the library is at `outputPath`.
  std::string artifact;
  std::string outputPath;
  Signature signature;
  CompileReport report;
  /// Warnings and remarks of a successful compile.
  std::vector<Diagnostic> diagnostics;
};

/// The error kiln::compile returns: all diagnostics, the errors among them.
class CompileError : public llvm::ErrorInfo<CompileError> {
public:
  static char ID;
  explicit CompileError(std::vector<Diagnostic> diagnostics)
      : diagnostics(std::move(diagnostics)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
  std::vector<Diagnostic> diagnostics;
};

/// Compiles a model. Thread-safe: each call has its own MLIR context.
llvm::Expected<CompileResult> compile(const CompileOptions &options);

/// Diagnostics of a failed compile (the error is consumed). Other errors
/// become one record.
std::vector<Diagnostic> takeDiagnostics(llvm::Error error);

} // namespace kiln

#endif // KILN_COMPILER_COMPILER_H
