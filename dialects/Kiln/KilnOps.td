//===- KilnOps.td - kiln graph ops -------------------------*- tablegen -*-===//
//
// Operation definitions of the kiln graph dialect. Each op documents the
// ONNX operator it models and what the importer normalises. Verifiers reject
// what the lowering cannot handle, with messages that name the problem.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "KilnDialect.td"
include "KilnInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_Tensor : RankedTensorOf<[AnyType]>;

// Attributes shared by convolutions and pools. Spatial attributes have one
// entry per spatial dimension; `pads` is ONNX's [begin..., end...].
defvar Kiln_ConvAttrs = (ins
  DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
  DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
  DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
  DefaultValuedAttr<I64Attr, "1">:$group);

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

def Kiln_ConvOp : Kiln_Op<"conv", [Pure]> {
  let summary = "2-D convolution (ONNX Conv), NCHW input, FCHW filter";
  let description = [{
    Models ONNX `Conv` on 4-D tensors. The importer resolves `auto_pad` into
    explicit `pads` ([top, left, bottom, right]). The filter has shape
    [F, C/group, KH, KW]; the optional bias has shape [F].

    ```mlir
    %y = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>)
        -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
                           Optional<Kiln_FloatTensor>:$bias), Kiln_ConvAttrs);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_FusedConvOp : Kiln_Op<"fused_conv", [Pure]> {
  let summary = "convolution + bias + optional residual add + optional ReLU/ReLU6";
  let description = [{
    Produced by `kiln-fuse-conv`: computes
    `relu?(conv(input, filter) + bias + residual?)` in one op so the lowering
    can apply the epilogue inside the convolution's tiles. With `relu` and
    `relu_max = M`, the ReLU is clamped at M too (ONNX Clip(0, M): ReLU6 for
    M = 6).

    `layout` is `"NCHW"` (filter [F, C/group, KH, KW]) or `"NHWC"` (input,
    residual and result in NHWC, filter [KH, KW, C, F], or packed
    [F/B, KH, KW, C, B] so that each block of B output channels has a
    contiguous filter); `kiln-layout` and `kiln-pack-filters` transform
    constant filters at compile time.

    ```mlir
    %y = kiln.fused_conv %x, %w, %b, %res {relu}
        : (tensor<1x64x56x56xf32>, tensor<256x64x1x1xf32>, tensor<256xf32>,
           tensor<1x256x56x56xf32>) -> tensor<1x256x56x56xf32>
    ```
  }];
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
                           Kiln_FloatTensor:$bias,
                           Optional<Kiln_FloatTensor>:$residual), Kiln_ConvAttrs,
                       (ins UnitAttr:$relu,
                            DefaultValuedStrAttr<StrAttr, "NCHW">:$layout,
                            OptionalAttr<F32Attr>:$relu_max));
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $filter `,` $bias (`,` $residual^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    bool isNHWC() { return getLayout() == "NHWC"; }
  }];
}

def Kiln_BatchNormOp : Kiln_Op<"batch_norm", [Pure]> {
  let summary = "inference-mode batch normalization (ONNX BatchNormalization)";
  let description = [{
    `y = scale * (x - mean) / sqrt(var + epsilon) + bias` per channel: dim 1
    with `layout = "NCHW"` (the default, ONNX's), the last dim with `"NHWC"`
    (rank 4; `kiln-layout` moves a batch norm whose input comes from an NHWC
    region there, as in pre-activation ResNets). Folded into a preceding
    NCHW convolution by `kiln-fold-batch-norm`; `relu` (set by
    `kiln-fuse-conv` for a standalone BN + ReLU) applies max(y, 0) in the
    same pass over memory.

    ```mlir
    %y = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean,
                       Kiln_FloatTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon,
                       DefaultValuedStrAttr<StrAttr, "NCHW">:$layout,
                       UnitAttr:$relu);
  let results = (outs Kiln_FloatTensor:$output);
  let extraClassDeclaration = [{
    /// The channel dimension: 1 (NCHW) or the last (NHWC).
    int64_t channelDim() {
      return getLayout() == "NHWC" ? getType().getRank() - 1 : 1;
    }
  }];
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// An elementwise op is its operands, its result and `scalar`: the C++ body
// of its static `buildScalar(b, loc, args)` (one element of each operand in
// `args`; return the result element). The importer, kiln-layout and
// convert-kiln-to-linalg handle every such op through the interface.
class Kiln_ElementwiseOp<string mnemonic, list<Trait> traits, code scalar>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, Kiln_ElementwiseOpInterface])> {
  let results = (outs Kiln_FloatTensor:$output);
  let extraClassDeclaration = [{
    /// The op on one element of each operand: the body of its lowering.
    static ::mlir::Value buildScalar(::mlir::OpBuilder &b, ::mlir::Location loc,
                                     ::mlir::ValueRange args);
  }];
  let extraClassDefinition = [{
    ::mlir::Value $cppClass::buildScalar(::mlir::OpBuilder &b, ::mlir::Location loc,
                                         ::mlir::ValueRange args) {
  }] # scalar # [{
    }
  }];
}

class Kiln_UnaryElementwiseOp<string mnemonic, code scalar>
    : Kiln_ElementwiseOp<mnemonic, [SameOperandsAndResultType], scalar> {
  let arguments = (ins Kiln_FloatTensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

// Operands broadcast (NumPy/ONNX rules) to the result shape.
class Kiln_BinaryElementwiseOp<string mnemonic, code scalar>
    : Kiln_ElementwiseOp<mnemonic, [], scalar> {
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

// maxnumf, not maximumf: relu(NaN) = 0, as ONNX Runtime's max(x, 0) gives,
// and one vmaxps on x86 (maximumf's NaN propagation costs a compare and, on
// an in-place epilogue, a masked store that is slow on AMD).
def Kiln_ReluOp : Kiln_UnaryElementwiseOp<"relu", [{
    ::mlir::Value zero = ::mlir::arith::ConstantOp::create(
        b, loc, b.getFloatAttr(args[0].getType(), 0.0));
    return ::mlir::arith::MaxNumFOp::create(b, loc, args[0], zero);
  }]> {
  let summary = "rectified linear unit (ONNX Relu)";
  let description = [{
    ```mlir
    %y = kiln.relu %x : tensor<1x64x56x56xf32>
    ```
  }];
}

def Kiln_SigmoidOp : Kiln_UnaryElementwiseOp<"sigmoid", [{
    ::mlir::Value one = ::mlir::arith::ConstantOp::create(
        b, loc, b.getFloatAttr(args[0].getType(), 1.0));
    ::mlir::Value e = ::mlir::math::ExpOp::create(
        b, loc, ::mlir::arith::NegFOp::create(b, loc, args[0]));
    return ::mlir::arith::DivFOp::create(
        b, loc, one, ::mlir::arith::AddFOp::create(b, loc, one, e));
  }]> {
  let summary = "logistic sigmoid 1 / (1 + exp(-x)) (ONNX Sigmoid)";
  let description = [{
    ```mlir
    %y = kiln.sigmoid %x : tensor<1x64x56x56xf32>
    ```
  }];
}

def Kiln_AddOp : Kiln_BinaryElementwiseOp<"add", [{
    return ::mlir::arith::AddFOp::create(b, loc, args[0], args[1]);
  }]> {
  let summary = "elementwise addition with NumPy broadcasting (ONNX Add)";
  let description = [{
    ```mlir
    %y = kiln.add %a, %b : (tensor<1x64x8x8xf32>, tensor<1x64x1x1xf32>)
        -> tensor<1x64x8x8xf32>
    ```
  }];
}

def Kiln_MulOp : Kiln_BinaryElementwiseOp<"mul", [{
    return ::mlir::arith::MulFOp::create(b, loc, args[0], args[1]);
  }]> {
  let summary = "elementwise multiplication with NumPy broadcasting (ONNX Mul)";
  let description = [{
    ```mlir
    %y = kiln.mul %a, %b : (tensor<1x64x8x8xf32>, tensor<1x64x1x1xf32>)
        -> tensor<1x64x8x8xf32>
    ```
  }];
}

def Kiln_MaxOp : Kiln_BinaryElementwiseOp<"max", [{
    return ::mlir::arith::MaximumFOp::create(b, loc, args[0], args[1]);
  }]> {
  let summary = "elementwise maximum with NumPy broadcasting (ONNX Clip's lower bound)";
  let description = [{
    NaN in either operand gives NaN. ONNX Clip(x, lo, hi) imports as
    `kiln.min(kiln.max(x, lo), hi)` with rank-0 bounds.
    ```mlir
    %y = kiln.max %x, %lo : (tensor<1x32x112x112xf32>, tensor<f32>) -> tensor<1x32x112x112xf32>
    ```
  }];
}

def Kiln_MinOp : Kiln_BinaryElementwiseOp<"min", [{
    return ::mlir::arith::MinimumFOp::create(b, loc, args[0], args[1]);
  }]> {
  let summary = "elementwise minimum with NumPy broadcasting (ONNX Clip's upper bound)";
  let description = [{
    NaN in either operand gives NaN.
    ```mlir
    %y = kiln.min %x, %hi : (tensor<1x32x112x112xf32>, tensor<f32>) -> tensor<1x32x112x112xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Kiln_PoolOp<string mnemonic, string onnxName, dag extraAttrs>
    : Kiln_Op<mnemonic, [Pure]> {
  let summary = "2-D " # onnxName # " pooling";
  let arguments = !con((ins Kiln_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      UnitAttr:$ceil_mode,
      DefaultValuedStrAttr<StrAttr, "NCHW">:$layout), extraAttrs);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Kiln_MaxPoolOp : Kiln_PoolOp<"max_pool", "MaxPool", (ins)> {
  let description = [{
    ONNX `MaxPool` (single output, no dilations) on NCHW or NHWC data; padded
    positions never win.

    ```mlir
    %y = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>,
        strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
        : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
    ```
  }];
}

def Kiln_AvgPoolOp : Kiln_PoolOp<"avg_pool", "AveragePool",
                                 (ins UnitAttr:$count_include_pad)> {
  let description = [{
    ONNX `AveragePool`. Without `count_include_pad`, each output divides by
    the number of non-padded input positions in its window.

    ```mlir
    %y = kiln.avg_pool %x {kernel_shape = array<i64: 2, 2>,
        strides = array<i64: 2, 2>} : tensor<1x8x8x8xf32> -> tensor<1x8x4x4xf32>
    ```
  }];
}

def Kiln_GlobalAvgPoolOp : Kiln_Op<"global_avg_pool", [Pure]> {
  let summary = "mean over the spatial dimensions (ONNX GlobalAveragePool)";
  let description = [{
    ```mlir
    %y = kiln.global_avg_pool %x : tensor<1x2048x7x7xf32> -> tensor<1x2048x1x1xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedStrAttr<StrAttr, "NCHW">:$layout);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def Kiln_FlattenOp : Kiln_Op<"flatten", [Pure]> {
  let summary = "flatten to 2-D around `axis` (ONNX Flatten)";
  let description = [{
    ```mlir
    %y = kiln.flatten %x {axis = 1 : i64} : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure]> {
  let summary = "reshape to a static shape (ONNX Reshape)";
  let description = [{
    The importer resolves ONNX's shape operand (with its `0` and `-1`
    entries) into the static result type.

    ```mlir
    %y = kiln.reshape %x : tensor<1x64x1x1xf32> -> tensor<1x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat", [Pure]> {
  let summary = "join tensors along one axis (ONNX Concat)";
  let description = [{
    The inputs in order along `axis` (negative: from the end); every other
    dimension agrees. It lowers to a `tensor.concat`, which
    `kiln-tile-and-vectorize` turns into inserts of each input into its
    slice of the result; empty-tensor elimination then lets an input's
    producer write straight into that slice (no copy). `kiln-layout` moves
    a concat of NHWC tensors into the NHWC region (channels: axis 1 -> 3).

    ```mlir
    %y = kiln.concat %a, %b {axis = 1 : i64}
        : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// `axis` in [0, rank).
    int64_t normalizedAxis() {
      int64_t a = getAxis();
      return a < 0 ? a + getType().getRank() : a;
    }
  }];
}

def Kiln_PadOp : Kiln_Op<"pad", [Pure]> {
  let summary = "pad with a constant (ONNX Pad, mode constant)";
  let description = [{
    `pads` holds every dimension's leading pad, then every dimension's
    trailing pad (ONNX's order), all non-negative. `kiln-fold-constants`
    folds a zero pad of the spatial dimensions into the padding of the
    convolution or average pool (count_include_pad) that reads it, and a
    -inf pad into a max pool's; a pad that stays lowers to a `tensor.pad`,
    whose producer writes straight into the padded buffer.

    ```mlir
    %y = kiln.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.0 : f32}
        : tensor<1x8x8x8xf32> -> tensor<1x8x10x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure]> {
  let summary = "permute dimensions (ONNX Transpose)";
  let description = [{
    `output.shape[i] = input.shape[perm[i]]`. The layout pass inserts these
    at the edges of NHWC regions; adjacent pairs cancel and transposes of
    constants fold at compile time.

    ```mlir
    %y = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>}
        : tensor<1x3x8x8xf32> -> tensor<1x8x8x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

def Kiln_GemmOp : Kiln_Op<"gemm", [Pure]> {
  let summary = "general matrix multiply (ONNX Gemm)";
  let description = [{
    `Y = alpha * op(A) * op(B) + beta * C`, with `op` transposing when
    `trans_a` / `trans_b` is set; C broadcasts to [M, N].

    ```mlir
    %y = kiln.gemm %a, %b, %c {trans_b} : (tensor<1x2048xf32>,
        tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$a, Kiln_FloatTensor:$b,
                       Optional<Kiln_FloatTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       UnitAttr:$trans_a, UnitAttr:$trans_b);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_MatMulOp : Kiln_Op<"matmul", [Pure]> {
  let summary = "2-D matrix product (ONNX MatMul on matrices)";
  let description = [{
    ```mlir
    %y = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis (ONNX Softmax, opset 13 semantics)";
  let description = [{
    The importer rewrites opset < 13 Softmax (which flattens at `axis`) to
    this op when the axis is the last one.

    ```mlir
    %y = kiln.softmax %x {axis = 1 : i64} : tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

#endif // KILN_OPS_TD
