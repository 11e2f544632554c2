//===- EntryABI.cpp - destination-passing ABI for the model function ------===//
//
// Implements kiln-entry-abi: @main_graph(tensors) -> tensors becomes
// @main_graph(input memrefs, output memrefs) -> (), the form the runtime
// calls with caller-owned buffers (bare pointers after LLVM lowering).
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/Kiln/KilnDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_KILNENTRYABI
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {
struct KilnEntryABIPass : kiln::impl::KilnEntryABIBase<KilnEntryABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(kMainFunctionName);
    if (!func) {
      module.emitError() << "no @" << kMainFunctionName << " function to export";
      return signalPassFailure();
    }
    if (func->hasAttr(kNumInputsAttr))
      return; // Already converted.
    FunctionType oldType = func.getFunctionType();
    SmallVector<Type> argTypes;
    auto toMemRef = [](Type t) -> Type {
      auto tt = dyn_cast<RankedTensorType>(t);
      return tt ? MemRefType::get(tt.getShape(), tt.getElementType()) : Type();
    };
    for (Type t : llvm::concat<const Type>(oldType.getInputs(), oldType.getResults())) {
      Type m = toMemRef(t);
      if (!m) {
        func.emitError() << "model inputs and outputs must be ranked tensors, got " << t;
        return signalPassFailure();
      }
      argTypes.push_back(m);
    }
    unsigned numInputs = oldType.getNumInputs();
    Block &entry = func.front();
    OpBuilder b(&getContext());
    b.setInsertionPointToStart(&entry);
    // Inputs: new memref arguments viewed as tensors.
    for (unsigned i = 0; i < numInputs; ++i) {
      BlockArgument oldArg = entry.getArgument(i);
      BlockArgument newArg = entry.addArgument(argTypes[i], oldArg.getLoc());
      Value t = bufferization::ToTensorOp::create(b, oldArg.getLoc(), oldArg.getType(),
                                                  newArg, /*restrict=*/true);
      oldArg.replaceAllUsesWith(t);
    }
    // Outputs: written in place into the caller's buffers.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    b.setInsertionPoint(ret);
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      BlockArgument out = entry.addArgument(argTypes[numInputs + i], ret.getLoc());
      bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), TypeRange{}, v, out, /*restrict=*/true, /*writable=*/true);
    }
    ret->setOperands({});
    entry.eraseArguments(0, numInputs);

    // Carry the ONNX names over to the new arguments.
    SmallVector<Attribute> names;
    for (unsigned i = 0; i < numInputs; ++i)
      names.push_back(func.getArgAttr(i, kNameAttr));
    for (unsigned i = 0; i < oldType.getNumResults(); ++i)
      names.push_back(func.getResultAttr(i, kNameAttr));
    func.setType(FunctionType::get(&getContext(), argTypes, {}));
    func.removeArgAttrsAttr();
    func.removeResAttrsAttr();
    for (auto [i, name] : llvm::enumerate(names))
      if (name)
        func.setArgAttr(i, kNameAttr, name);
    func->setAttr(kNumInputsAttr, b.getI64IntegerAttr(numInputs));
  }
};
} // namespace
