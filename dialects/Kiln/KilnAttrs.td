//===- KilnAttrs.td - kiln target and kernel attributes ----*- tablegen -*-===//
//
// Two attributes carry the decisions of the compiler in the IR, so every
// dump says what was decided and kiln-opt can replay any phase exactly:
//
//  - `#kiln.target` (module attribute `kiln.target`) describes the machine
//    the module is compiled for: triple, CPU, features, vector width,
//    vector registers and cache sizes.
//  - `#kiln.kernel` (attribute `kiln.kernel` on every compute op) names the
//    kernel an op gets, its layout, filter-packing block, register tile,
//    cache tile and parallel dimensions. kiln-select-kernels writes it;
//    packing, lowering and tiling read it and nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_ATTRS_TD
#define KILN_ATTRS_TD

include "KilnDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Kiln_Layout : I32EnumAttr<"Layout", "data layout a kernel reads and writes", [
    I32EnumAttrCase<"any", 0>,
    I32EnumAttrCase<"nchw", 1>,
    I32EnumAttrCase<"nhwc", 2>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

def Kiln_KernelKind : I32EnumAttr<"KernelKind", "the kernel a compute op gets", [
    // Register-tiled NHWC convolution over blocks of output channels
    // (filters packed [F/B][KH][KW][C][B] when `block` > 0).
    I32EnumAttrCase<"direct_conv", 0>,
    // 1x1 stride-1 NHWC convolution as a GEMM over [N*H*W, C] x [C, B]
    // per block of output channels.
    I32EnumAttrCase<"conv1x1_gemm", 1>,
    // Register-tiled NHWC pooling (1-D windows over vectors of channels).
    I32EnumAttrCase<"pool", 2>,
    // Register-tiled matrix multiply (Gemm, MatMul).
    I32EnumAttrCase<"matmul", 3>,
    // One vector along the innermost parallel dimension (elementwise ops,
    // transposes, reductions such as Softmax and global pooling).
    I32EnumAttrCase<"vector", 4>,
    // Plain loops, not tiled (NCHW or grouped convolutions, --no-vectorize).
    I32EnumAttrCase<"loops", 5>,
    // Only moves or reinterprets data (Reshape, Flatten): no loops at all.
    I32EnumAttrCase<"view", 6>,
    // Winograd F(2x2, 3x3) resp. F(4x4, 3x3) for 3x3 stride-1 NHWC
    // convolutions: the filter transformed at compile time and packed
    // [F/B][A][A][C][B] (A = 4 resp. 6), input tiles transformed into
    // [A*A][tiles][C], one GEMM [tiles, C] x [C, B] per transform element
    // and block (register tile over its (m, n, k) loops), and the output
    // transform with bias, residual and ReLU before the store.
    I32EnumAttrCase<"winograd_f2", 7>,
    I32EnumAttrCase<"winograd_f4", 8>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

def Kiln_TargetAttr : AttrDef<Kiln_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "the machine a module is compiled for";
  let description = [{
    Attached to the module as `kiln.target` by the driver right after
    import, so every later pass (and kiln-opt replaying a dump) sees the
    same target. `features` lists the LLVM features (`+` enabled, `-` not).

    ```mlir
    module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu",
        cpu = "znver5", features = "+avx512f,+fma", vector_bits = 512,
        vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"LLVM target triple">:$triple,
    StringRefParameter<"LLVM CPU name">:$cpu,
    StringRefParameter<"LLVM target features">:$features,
    "int64_t":$vector_bits,
    "int64_t":$vector_registers,
    "int64_t":$l1_bytes,
    "int64_t":$l2_bytes);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Kiln_OptionsAttr : AttrDef<Kiln_Dialect, "Options"> {
  let mnemonic = "options";
  let summary = "code-generation options a module was compiled with";
  let description = [{
    Module attribute `kiln.options`: whether kernels are vectorized,
    parallel loops run on the runtime's thread pool, and the generated code
    checks its memory accesses (`runtime_checks`, default false;
    `kiln-compile --runtime-checks`). Set by the driver with `kiln.target`;
    read by kiln-select-kernels, kiln-outline-parallel and
    kiln-runtime-checks.

    ```mlir
    module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>} {}
    module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true, runtime_checks = true>} {}
    ```
  }];
  let parameters = (ins "bool":$vectorize, "bool":$parallel,
                        DefaultValuedParameter<"bool", "false">:$runtime_checks);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Kiln_KernelAttr : AttrDef<Kiln_Dialect, "Kernel"> {
  let mnemonic = "kernel";
  let summary = "the kernel chosen for one compute op";
  let description = [{
    Written on every compute op by `kiln-select-kernels` (from the target
    and the op's shape, or from `--kernel-config`) and copied by the
    lowering onto the linalg op that implements it. Tile sizes are given
    per loop of that linalg op (0 = not tiled at this level):

    - `direct_conv`, `conv1x1_gemm`: loops of `linalg.conv_2d_nhwc_hwcf`
      (n, oh, ow, f, kh, kw, c) resp. `linalg.matmul` (m, n, k) of one
      channel block;
    - `winograd_f2`, `winograd_f4`: loops of the `linalg.matmul` (m = tiles,
      n = block, k = C) of one transform element and channel block;
    - `pool`: loops of `linalg.pooling_nhwc_*` (n, oh, ow, c, kh, kw);
    - `matmul`: (m, n, k); `vector`: the op's own loops.

    `block` is the filter-packing block (output channels per block, 0 = no
    packing), `cache_tile` an outer tile level applied before the register
    tile, `parallel_dims` the loops split over the runtime's threads, and
    `lanes` the f32 lanes of the target's vectors. `config` is true when the
    choice came from `--kernel-config`.

    ```mlir
    %y = kiln.fused_conv %x, %w, %b {kiln.kernel = #kiln.kernel<kind = direct_conv,
        layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1],
        cache_tile = [], parallel_dims = [3], lanes = 16, config = false>, ...}
    ```
  }];
  let parameters = (ins
    EnumParameter<Kiln_KernelKind>:$kind,
    EnumParameter<Kiln_Layout>:$layout,
    "int64_t":$block,
    ArrayRefParameter<"int64_t">:$register_tile,
    ArrayRefParameter<"int64_t">:$cache_tile,
    ArrayRefParameter<"int64_t">:$parallel_dims,
    "int64_t":$lanes,
    "bool":$config);
  let assemblyFormat = [{
    `<` `kind` `=` $kind `,` `layout` `=` $layout `,` `block` `=` $block `,`
    `register_tile` `=` custom<I64List>($register_tile) `,`
    `cache_tile` `=` custom<I64List>($cache_tile) `,`
    `parallel_dims` `=` custom<I64List>($parallel_dims) `,`
    `lanes` `=` $lanes `,` `config` `=` $config `>`
  }];
  let genVerifyDecl = 1;
}

#endif // KILN_ATTRS_TD
