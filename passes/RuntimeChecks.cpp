//===- RuntimeChecks.cpp - bounds checks in the generated code ------------===//
//
// Implements kiln-runtime-checks (kiln-compile --runtime-checks). On
// bufferized IR of a module compiled with #kiln.options<runtime_checks =
// true>:
//  - every op implementing MLIR's RuntimeVerifiableOpInterface (memref
//    load/store/subview/copy/casts, linalg ops, ...) gets the checks MLIR
//    generates for it;
//  - every vector.transfer_read/write and vector.load/store on a memref,
//    which MLIR does not check, gets one cf.assert that each of its
//    in-bounds dimensions (and each scalar index) stays inside the memref.
// The checks go in front of the op. Each cf.assert (MLIR's and kiln's) then
// becomes a call of the runtime's kiln_rt_check_failed(message) under
// scf.if, which prints the message (the op and its ONNX node) on stderr and
// aborts: cf.assert's own lowering writes to stdout with puts, whose buffer
// abort() never flushes.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/KilnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/Transforms/RuntimeOpVerification.h"
#include "mlir/Dialect/MemRef/Transforms/RuntimeOpVerification.h"
#include "mlir/Dialect/Tensor/Transforms/RuntimeOpVerification.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/RuntimeVerifiableOpInterface.h"

namespace kiln {
#define GEN_PASS_DEF_KILNRUNTIMECHECKS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// "<what> at <the op's ONNX nodes>", the message of a failed check.
std::string checkMessage(Operation *op, StringRef what) {
  std::string message = "kiln: runtime check failed: " + what.str() + " (" +
                        op->getName().getStringRef().str() + ")";
  SmallVector<std::string> nodes = nodeNames(op->getLoc());
  if (!nodes.empty())
    message += " at node '" + llvm::join(nodes, "', '") + "'";
  return message;
}

/// Asserts, in front of `op`, that the access of `vectorShape` at `indices`
/// into `memref` stays inside it: for memref dim d read by vector dim k
/// (`vectorDimOf[d] = k`, in bounds) index + size <= dim; for the others
/// index < dim; and every index >= 0.
void checkAccess(OpBuilder &b, Operation *op, Value memref, ValueRange indices,
                 ArrayRef<int64_t> vectorDimOf, ArrayRef<int64_t> vectorShape) {
  if (llvm::all_of(vectorDimOf, [](int64_t k) { return k == -2; }))
    return; // every dim masked by the access itself
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value ok = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (auto [d, index] : llvm::enumerate(indices)) {
    int64_t k = vectorDimOf[d];
    if (k == -2) // an out-of-bounds dim: the transfer masks it
      continue;
    int64_t extent = k >= 0 ? vectorShape[k] : 1;
    Value dim = memref::DimOp::create(b, loc, memref, d);
    Value end = arith::AddIOp::create(b, loc, index, arith::ConstantIndexOp::create(b, loc, extent));
    Value low = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, index, zero);
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, end, dim);
    ok = arith::AndIOp::create(b, loc, ok, arith::AndIOp::create(b, loc, low, high));
  }
  cf::AssertOp::create(b, loc, ok,
                       checkMessage(op, "out-of-bounds vector access of " +
                                            std::to_string(vectorShape.empty() ? 1 : vectorShape.back()) +
                                            "-lane vectors"));
}

/// vectorDimOf for a transfer op: the vector dim reading each memref dim,
/// -1 (a scalar index) or -2 (masked: not checked).
template <typename TransferOp>
void checkTransfer(OpBuilder &b, TransferOp op) {
  auto memrefType = dyn_cast<MemRefType>(op.getBase().getType());
  if (!memrefType || op.getMask())
    return;
  SmallVector<int64_t> vectorDimOf(memrefType.getRank(), -1);
  AffineMap map = op.getPermutationMap();
  for (auto [k, expr] : llvm::enumerate(map.getResults())) {
    auto dimExpr = dyn_cast<AffineDimExpr>(expr);
    if (!dimExpr)
      continue; // a broadcast dim reads one element per index
    vectorDimOf[dimExpr.getPosition()] = op.isDimInBounds(k) ? int64_t(k) : -2;
  }
  b.setInsertionPoint(op);
  checkAccess(b, op, op.getBase(), op.getIndices(), vectorDimOf, op.getVectorType().getShape());
}

/// vector.load/store: the vector covers the trailing memref dims.
template <typename LoadStoreOp>
void checkLoadStore(OpBuilder &b, LoadStoreOp op) {
  MemRefType memrefType = op.getMemRefType();
  VectorType vectorType = op.getVectorType();
  SmallVector<int64_t> vectorDimOf(memrefType.getRank(), -1);
  int64_t lead = memrefType.getRank() - vectorType.getRank();
  for (int64_t k = 0; k < vectorType.getRank(); ++k)
    if (lead + k >= 0)
      vectorDimOf[lead + k] = k;
  b.setInsertionPoint(op);
  checkAccess(b, op, op.getBase(), op.getIndices(), vectorDimOf, vectorType.getShape());
}

constexpr llvm::StringLiteral kCheckFailed = "kiln_rt_check_failed";

/// Replaces every cf.assert of `module` by `scf.if !cond { call
/// @kiln_rt_check_failed(message) }`, one constant global per message.
void callRuntimeOnFailure(ModuleOp module) {
  SmallVector<cf::AssertOp> asserts;
  module->walk([&](cf::AssertOp op) { asserts.push_back(op); });
  if (asserts.empty())
    return;
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToStart(module.getBody());
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  if (!module.lookupSymbol(kCheckFailed)) {
    auto decl = func::FuncOp::create(b, module.getLoc(), kCheckFailed,
                                     b.getFunctionType({ptrType}, {}));
    decl.setPrivate();
  }
  llvm::StringMap<LLVM::GlobalOp> globals;
  for (cf::AssertOp op : asserts) {
    std::string message = op.getMsg().str();
    LLVM::GlobalOp &global = globals[message];
    if (!global) {
      b.setInsertionPointToStart(module.getBody());
      std::string text = message + '\0';
      auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size());
      global = LLVM::GlobalOp::create(b, op.getLoc(), type, /*isConstant=*/true,
                                      LLVM::Linkage::Internal,
                                      "kiln_check_message_" + std::to_string(globals.size() - 1),
                                      b.getStringAttr(text));
    }
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value failed = arith::XOrIOp::create(b, loc, op.getArg(),
                                         arith::ConstantIntOp::create(b, loc, 1, 1));
    auto ifOp = scf::IfOp::create(b, loc, failed, /*withElseRegion=*/false);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value text = LLVM::AddressOfOp::create(b, loc, global);
    func::CallOp::create(b, loc, kCheckFailed, TypeRange{}, ValueRange{text});
    op.erase();
  }
}

struct RuntimeChecksPass : kiln::impl::KilnRuntimeChecksBase<RuntimeChecksPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    KilnRuntimeChecksBase::getDependentDialects(registry);
    memref::registerRuntimeVerifiableOpInterfaceExternalModels(registry);
    linalg::registerRuntimeVerifiableOpInterfaceExternalModels(registry);
    tensor::registerRuntimeVerifiableOpInterfaceExternalModels(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    OptionsAttr options = lookupOptions(module);
    if (!options || !options.getRuntimeChecks())
      return;
    // Collect first: the checks themselves are memref.dim and arith ops.
    SmallVector<Operation *> ops;
    module->walk([&](Operation *op) {
      if (isa<RuntimeVerifiableOpInterface, vector::TransferReadOp, vector::TransferWriteOp,
              vector::LoadOp, vector::StoreOp>(op))
        ops.push_back(op);
    });
    OpBuilder b(module.getContext());
    for (Operation *op : ops) {
      if (auto read = dyn_cast<vector::TransferReadOp>(op))
        checkTransfer(b, read);
      else if (auto write = dyn_cast<vector::TransferWriteOp>(op))
        checkTransfer(b, write);
      else if (auto load = dyn_cast<vector::LoadOp>(op))
        checkLoadStore(b, load);
      else if (auto store = dyn_cast<vector::StoreOp>(op))
        checkLoadStore(b, store);
      else {
        b.setInsertionPoint(op);
        cast<RuntimeVerifiableOpInterface>(op).generateRuntimeVerification(
            b, op->getLoc(), [](Operation *op, StringRef what) { return checkMessage(op, what); });
      }
    }
    callRuntimeOnFailure(module);
  }
};

} // namespace
