//===- OutlineLayers.cpp - one function per layer ---------------------------===//
//
// Implements kiln-outline-layers. Each top-level loop nest or linalg op of
// the model's entry function (after bufferization, the memory plan and
// kiln-outline-parallel) moves into its own function
//
//   func.func private @kiln_layer_K(%input, %arena, ...)
//
// called in its place (a `no_inline` call). The entry function keeps only the calls and the
// thread-pool launches, so LLVM optimizes and compiles many small
// functions instead of one function with a loop nest per layer: its time
// then grows linearly with the graph (one 2,000-layer function took minutes
// in LLVM's optimizer). The views, constants and globals a layer uses are
// recomputed inside its function; only the entry function's arguments and
// other non-pure values become arguments, so every argument is a plain
// static memref or a scalar (what the bare-pointer calling convention takes).
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/KilnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNOUTLINELAYERS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {
/// A value a layer function can take: a scalar or a plain static memref.
static bool isPassable(Type t) { return t.isIntOrIndexOrFloat() || isPlainStaticMemRef(t); }

/// Top-level ops worth a function of their own: loop nests and structured
/// ops (which become loop nests). Views, constants, allocas and calls stay.
static bool isLayer(Operation *op) {
  return op->getNumResults() == 0 &&
         (op->getNumRegions() > 0 || isa<linalg::LinalgOp, memref::CopyOp>(op));
}

struct KilnOutlineLayersPass : kiln::impl::KilnOutlineLayersBase<KilnOutlineLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t counter = 0;
    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal() || !func->hasAttr(kNumInputsAttr))
        continue;
      SmallVector<Operation *> layers;
      position.clear();
      lastLayer = nullptr;
      for (Operation &op : func.front()) {
        position[&op] = (int64_t)position.size();
        if (isLayer(&op))
          layers.push_back(&op);
      }
      for (Operation *op : layers)
        (void)outline(func, op, counter);
    }
  }

  /// Position of each op of the entry block, computed once: the block
  /// changes as layers move out, and only ops that stay are looked up.
  DenseMap<Operation *, int64_t> position;
  Operation *lastLayer = nullptr;

  /// Orders values by definition: block arguments first, then ops.
  bool before(Value a, Value b) const {
    auto aa = dyn_cast<BlockArgument>(a), ba = dyn_cast<BlockArgument>(b);
    if (aa || ba)
      return aa && (!ba || aa.getArgNumber() < ba.getArgNumber());
    int64_t pa = position.lookup(a.getDefiningOp()), pb = position.lookup(b.getDefiningOp());
    if (pa != pb)
      return pa < pb;
    return cast<OpResult>(a).getResultNumber() < cast<OpResult>(b).getResultNumber();
  }

  /// The values `op` uses that it does not define, split into the pure ops
  /// to clone (in block order) and the values to pass (in definition
  /// order, for stable signatures); false if some value can be neither.
  bool collect(Operation *op, Block &entry, SmallVectorImpl<Operation *> &clones,
               SmallVectorImpl<Value> &args) const {
    llvm::SetVector<Value> used;
    for (Value v : op->getOperands())
      used.insert(v);
    getUsedValuesDefinedAbove(op->getRegions(), used);
    llvm::SetVector<Operation *> pure;
    llvm::SetVector<Value> passed;
    SmallVector<Value> worklist(used.begin(), used.end());
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (def && def->getBlock() == &entry && def->getNumRegions() == 0 &&
          isMemoryEffectFree(def)) {
        if (pure.insert(def))
          llvm::append_range(worklist, def->getOperands());
        continue;
      }
      if (!isPassable(v.getType()))
        return false;
      passed.insert(v);
    }
    clones.assign(pure.begin(), pure.end());
    llvm::sort(clones, [&](Operation *a, Operation *b) {
      return position.lookup(a) < position.lookup(b);
    });
    args.assign(passed.begin(), passed.end());
    llvm::sort(args, [&](Value a, Value b) { return before(a, b); });
    return true;
  }

  LogicalResult outline(func::FuncOp func, Operation *op, int64_t &counter) {
    Block &entry = func.front();
    SmallVector<Operation *> clones;
    SmallVector<Value> args;
    if (!collect(op, entry, clones, args))
      return failure();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Location loc = op->getLoc();
    SmallVector<Type> argTypes;
    for (Value v : args)
      argTypes.push_back(v.getType());
    // After the previous layer, so the functions read in program order.
    b.setInsertionPointAfter(lastLayer ? lastLayer : func.getOperation());
    auto layer = func::FuncOp::create(b, loc, "kiln_layer_" + std::to_string(counter++),
                                      FunctionType::get(ctx, argTypes, {}));
    layer.setPrivate();
    lastLayer = layer;
    Block *body = layer.addEntryBlock();
    IRMapping map;
    for (auto [v, arg] : llvm::zip(args, body->getArguments()))
      map.map(v, arg);
    b.setInsertionPointToStart(body);
    for (Operation *c : clones)
      b.clone(*c, map);
    b.clone(*op, map);
    func::ReturnOp::create(b, loc);
    b.setInsertionPoint(op);
    // Kept out of line by LLVM, or it would inline the one call back.
    auto call = func::CallOp::create(b, loc, layer, args);
    call.setNoInline(true);
    op->erase();
    return success();
  }
};
} // namespace
