//===- Passes.td - kiln pass definitions -------------------*- tablegen -*-===//
//
// Every kiln pass, with its flag, summary, description and options. TableGen
// generates the create functions, option structs and registration.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph passes (kiln dialect)
//===----------------------------------------------------------------------===//

def KilnFoldBatchNorm : Pass<"kiln-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Fold BatchNormalization into the preceding convolution";
  let description = [{
    Rewrites `kiln.batch_norm(kiln.conv(x, W, b))` with constant W, b and
    BN parameters into `kiln.conv(x, W', b')` where
    `W'[f] = W[f] * s[f] / sqrt(var[f] + eps)` and
    `b'[f] = (b[f] - mean[f]) * s[f] / sqrt(var[f] + eps) + beta[f]`,
    computed at compile time. BatchNorms that do not follow a convolution
    with a single use are left for the lowering.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def KilnFuseConv : Pass<"kiln-fuse-conv", "mlir::func::FuncOp"> {
  let summary = "Fuse conv + bias + residual add + ReLU into kiln.fused_conv";
  let description = [{
    Turns every `kiln.conv` into `kiln.fused_conv` (with a zero bias where the
    conv has none), then absorbs a following `kiln.add` of a same-shaped
    tensor as the residual and a following `kiln.relu`, when the convolution
    has no other user. A `kiln.relu` of a single-use `kiln.batch_norm` (a
    standalone BN, as in pre-activation ResNets) becomes that batch norm's
    `relu`.

    ```mlir
    %c = kiln.conv %x, %w, %b ...
    %s = kiln.add %c, %r ...
    %y = kiln.relu %s ...
    // becomes
    %y = kiln.fused_conv %x, %w, %b, %r {relu} ...
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def KilnLayout : Pass<"kiln-layout", "mlir::func::FuncOp"> {
  let summary = "Move convolution chains from NCHW to NHWC";
  let description = [{
    Rewrites NCHW `kiln.fused_conv` (group 1, constant filter) and pooling
    ops to NHWC, wrapping them in `kiln.transpose`s; filters are transposed
    to [KH, KW, C, F] at compile time. Transposes are then pushed through
    ReLU and Add (every elementwise op) and cancelled, and a
    `kiln.batch_norm` of an NHWC tensor becomes an NHWC batch norm, so
    relayouts remain only at the edges of NHWC regions (the graph input and
    the classifier). README.md's design notes say why NHWC.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def KilnSelectKernels : Pass<"kiln-select-kernels", "mlir::ModuleOp"> {
  let summary = "Choose every compute op's kernel and write it as #kiln.kernel";
  let description = [{
    The one place that decides kernels. For every kiln compute op it writes
    `kiln.kernel = #kiln.kernel<...>`: the kernel kind (`direct_conv`,
    `conv1x1_gemm`, `pool`, `matmul`, `vector`, `loops`, `view`), layout,
    filter-packing block, register tile, cache tile and parallel loops,
    chosen from the module's `#kiln.target` (vector width, registers, L1/L2)
    and the op's shape. A kernel-config file (`config=FILE.json`) overrides
    choices per ONNX node name or per shape; its entries are checked
    against the op, and an entry that matches nothing is a warning.
    kiln-pack-filters, convert-kiln-to-linalg and kiln-tile-and-vectorize
    read the attribute and nothing else.

    ```mlir
    %y = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : ...
    // becomes
    %y = kiln.fused_conv %x, %w, %b {kiln.kernel = #kiln.kernel<kind = direct_conv,
        layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1],
        cache_tile = [], parallel_dims = [], lanes = 16, config = false>,
        layout = "NHWC"} : ...
    ```

    The options below apply only to a module without `kiln.target` and
    `kiln.options` (the driver always sets both); the pass then records them.
  }];
  let options = [
    Option<"targetTriple", "target", "std::string", /*default=*/"\"host\"",
           "Target triple when the module has no kiln.target">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "Target CPU when the module has no kiln.target">,
    Option<"vectorize", "vectorize", "bool", /*default=*/"true",
           "Tile and vectorize (when the module has no kiln.options)">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Split parallel loops over threads (when the module has no kiln.options)">,
    Option<"configFile", "config", "std::string", /*default=*/"\"\"",
           "Kernel-config JSON file with per-layer overrides">,
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnPackFilters : Pass<"kiln-pack-filters", "mlir::func::FuncOp"> {
  let summary = "Pack NHWC convolution filters into blocks of output channels";
  let description = [{
    Rewrites the constant [KH, KW, C, F] filter of an NHWC `kiln.fused_conv`
    into [F/B, KH, KW, C, B] at compile time, where B is the `block` of the
    op's `#kiln.kernel` (0 or no kernel: not packed), so the filter slice
    one block of B output channels needs is contiguous (streamed by the
    micro-kernel without L1 conflicts). With a `winograd_f2` / `winograd_f4`
    kernel the 3x3 filter is also Winograd-transformed (G g GT, in double):
    [F/B, A, A, C, B] with A = 4 resp. 6 (passes/Winograd.h).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def KilnFoldConstants : Pass<"kiln-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluate kiln ops on constants at compile time";
  let description = [{
    Folds `kiln.transpose`, `kiln.reshape` and `kiln.flatten` of constants,
    and turns `kiln.gemm` with a constant transposed B into a plain one.
    A `kiln.pad` of H and W folds into the padding of the op that reads it:
    a zero pad into a `kiln.conv`'s, a zero pad into a `kiln.avg_pool`'s
    that counts its pads (or has none; it then counts them), a -inf pad into
    a `kiln.max_pool`'s (not with `ceil_mode`). A pad that stays lowers to
    a `tensor.pad`.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower kiln ops to linalg, tensor and arith on tensors";
  let description = [{
    Convolutions become `linalg.conv_2d_nhwc_hwcf` (or `_nchw_fchw`,
    `_ngchw_gfchw` for groups) over a `tensor.pad`ded input, accumulating
    onto the broadcast bias, with the residual add and ReLU as an
    elementwise `linalg.generic` epilogue. Pools use `linalg.pooling_*`,
    shape ops `tensor.collapse_shape`/`expand_shape`, Gemm/MatMul
    `linalg.matmul`, Softmax the decomposition of `linalg.softmax`. A
    `winograd_f2`/`winograd_f4` convolution becomes its input transform and
    output transform (vector ops in `scf.forall` loops: the transforms are
    constant matrices, unrolled into adds and FMAs) around one
    `linalg.matmul` per transform element and channel block.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect", "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"];
}

def KilnTileAndVectorize : Pass<"kiln-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile convolutions and matmuls to register tiles and vectorize";
  let description = [{
    Tiles every linalg op by its `#kiln.kernel`: parallel loops
    (`parallel_dims`) to an `scf.forall`, then the cache tile, then the
    register tile; convolutions and pools are decomposed to 1-D; then
    vectorizes, lowers `vector.contract` to outer products (FMAs) and hoists
    the accumulators out of the reduction loops. Linalg ops without a kernel
    (fills, broadcasts and epilogues the lowering created) get the `vector`
    kernel for the module target's lanes. The tiling is built with the
    transform dialect's C++ builders and applied per function. After
    vectorization, tensor.pad and tensor.concat become inserts that let
    their producers write into the padded or concatenated buffer, and
    math.exp becomes a polynomial approximation on the vectors.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::transform::TransformDialect", "mlir::math::MathDialect",
                           "kiln::KilnDialect"];
}

def KilnEntryABI : Pass<"kiln-entry-abi", "mlir::ModuleOp"> {
  let summary = "Give the model function kiln's destination-passing ABI";
  let description = [{
    Rewrites `@main_graph(tensors) -> tensors` into
    `@main_graph(input memrefs..., output memrefs...)`: inputs enter through
    `bufferization.to_tensor`, results are stored with
    `bufferization.materialize_in_destination`, so one-shot bufferization
    writes them straight into the caller's buffers.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnMemoryPlan : Pass<"kiln-memory-plan", "mlir::func::FuncOp"> {
  let summary = "Place all activation buffers in one statically planned arena";
  let description = [{
    After bufferization and deallocation, every `memref.alloc` of static
    size in the entry function gets an offset in one arena so that buffers
    whose lifetimes do not overlap share memory (greedy placement, largest
    first, at the lowest free 64-byte aligned offset). The arena becomes the
    function's last argument (`kiln.arena`), which the runtime allocates once
    per model instance; its size is the `kiln.arena_bytes` attribute.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def KilnOutlineParallel : Pass<"kiln-outline-parallel", "mlir::ModuleOp"> {
  let summary = "Run outermost scf.parallel loops on the runtime's thread pool";
  let description = [{
    Outlines the body of each outermost `scf.parallel` into a function
    `body(env, begin, end)` and replaces the loop by a call to the runtime's
    `kiln_rt_parallel_for(n, body, env)`; captured values travel in a
    stack-allocated environment struct. Does nothing in a module with
    `kiln.options = #kiln.options<..., parallel = false>`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect"];
}

def KilnOutlineLayers : Pass<"kiln-outline-layers", "mlir::ModuleOp"> {
  let summary = "Move each layer's loop nest into a function of its own";
  let description = [{
    In the model's entry function (the one with `kiln.num_inputs`), each
    top-level loop nest, linalg op or memref.copy becomes a private
    `kiln_layer_K` function, called in its place with a `no_inline` call. The
    views, constants and globals it uses are recomputed inside; the entry
    function's arguments and other values are passed. Keeps LLVM's work per
    function small, so compile time grows linearly with the graph.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def KilnLayerTable : Pass<"kiln-layer-table", "mlir::ModuleOp"> {
  let summary = "Number the layers, record their table, call the profile hook after each";
  let description = [{
    Runs after kiln-outline-layers. Each piece of work of the entry function
    (a layer call, a thread-pool launch, an inline loop) belongs to the layer
    whose tag most of its ops carry (the kernel kiln-select-kernels chose,
    recorded in the op's location); untagged work to the layer before it.
    After each run of work of layer K the pass inserts
    `call @kiln_rt_layer_end(K)`, the runtime's profiling hook, and it
    records the module attribute `kiln.layers`: one dictionary
    `{nodes, op, kernel, flops}` per layer, which the back end writes into
    the model descriptor for `kiln_model_layer_info` and `kiln-run --profile`.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect"];
}

def KilnRuntimeChecks : Pass<"kiln-runtime-checks", "mlir::ModuleOp"> {
  let summary = "Bounds checks in the generated code (kiln-compile --runtime-checks)";
  let description = [{
    A no-op unless the module says `#kiln.options<..., runtime_checks = true>`.
    Then, on bufferized IR, every op with MLIR's runtime verification
    (`RuntimeVerifiableOpInterface`: memref.load/store/subview/copy/casts,
    linalg ops, ...) gets its checks, and every vector.transfer_read/write
    and vector.load/store on a memref gets a check that each in-bounds
    dimension of the access stays inside the memref. A failed check calls
    the runtime's `kiln_rt_check_failed`, which prints "kiln: runtime check
    failed: <what> (<op>) at node '<ONNX node>'" on stderr and aborts, so a
    kernel that would write outside its buffer stops in a test instead of
    corrupting memory.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
                           "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect"];
}

#endif // KILN_PASSES_TD
