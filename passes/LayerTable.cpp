//===- LayerTable.cpp - numbered layers and the profile's hooks -----------===//
//
// Implements kiln-layer-table. After kiln-outline-layers the entry function
// is a sequence of work: calls of kiln_layer_K functions, thread-pool
// launches (kiln_rt_parallel_for) and a few loops left inline. Each piece
// of work carries, in the locations of the ops inside it, the layer tags
// kiln-select-kernels wrote (passes/KernelSelection.h): which kiln op, which
// kernel, how many flops. Each piece of work belongs to the layer whose tag
// most of its ops carry; layers are numbered in the order they finish.
// After a run of work of layer K the pass inserts
//
//   call @kiln_rt_layer_end(K)
//
// (the runtime reads a clock there when profiling is on and returns
// otherwise) and records the table in the module attribute `kiln.layers`,
// one dictionary per layer: {nodes = [...ONNX node names], op, kernel,
// flops}. The back end emits it into the model descriptor, so the profile
// of `kiln-run --profile` names every row without the compiler.
//
//===----------------------------------------------------------------------===//
#include "passes/KernelSelection.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/MapVector.h"

#include <numeric>

namespace kiln {
#define GEN_PASS_DEF_KILNLAYERTABLE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

static constexpr llvm::StringLiteral kLayerEnd = "kiln_rt_layer_end";

namespace {
/// How many ops of a piece of work carry each layer tag.
using TagCounts = llvm::MapVector<Location, int64_t>;

struct KilnLayerTablePass : kiln::impl::KilnLayerTableBase<KilnLayerTablePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && func->hasAttr(kNumInputsAttr)) {
        run(module, func);
        return;
      }
  }

  /// Counts the tags of the ops in `root`. Constants and globals are
  /// skipped: canonicalization fuses the locations of constants it merges
  /// across layers.
  static void countTags(Operation *root, TagCounts &counts) {
    root->walk([&](Operation *op) {
      if (op->hasTrait<OpTrait::ConstantLike>() || isa<memref::GetGlobalOp>(op))
        return;
      if (std::optional<LayerTag> t = findLayerTag(op->getLoc()))
        ++counts[t->loc];
    });
  }

  /// Whether top-level op `op` of the entry block is work (a layer call, a
  /// thread-pool launch, a loop, a write) and, if so, the tags in it; views,
  /// constants, allocas and the thread-pool environment are not work.
  static bool countWork(ModuleOp module, Operation *op, TagCounts &counts) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee || callee.getName() == kLayerEnd)
        return false;
      if (!callee.isExternal())
        countTags(callee, counts);
      // A thread-pool launch: the body function is an operand.
      for (Value v : call.getOperands())
        if (auto fn = v.getDefiningOp<func::ConstantOp>())
          if (auto body = module.lookupSymbol<func::FuncOp>(fn.getValue()))
            countTags(body, counts);
      return true;
    }
    if (op->getNumRegions() > 0 || isa<linalg::LinalgOp, memref::CopyOp>(op) ||
        (!isMemoryEffectFree(op) && !isa<memref::AllocaOp, memref::StoreOp>(op))) {
      countTags(op, counts);
      return true;
    }
    return false;
  }

  void run(ModuleOp module, func::FuncOp func) {
    MLIRContext *ctx = &getContext();
    // Each piece of work belongs to the layer of the tag most of its ops
    // carry (a transpose writing into a conv's padded input is the
    // transpose's); untagged work (a fill the lowering added) to the layer
    // before it. Work of
    // one layer split by another (a conv's padding fill, the relayout of
    // its input, the conv) adds to the same row.
    llvm::MapVector<Location, int64_t> rows;
    SmallVector<std::pair<Operation *, int64_t>> ends; // (last op of a run, row)
    for (Operation &op : func.front().without_terminator()) {
      TagCounts counts;
      if (!countWork(module, &op, counts))
        continue;
      int64_t row = ends.empty() ? -1 : ends.back().second;
      if (!counts.empty()) {
        auto best = counts.begin();
        for (auto it = counts.begin(); it != counts.end(); ++it)
          if (it->second > best->second)
            best = it;
        row = rows.insert({best->first, (int64_t)rows.size()}).first->second;
      }
      if (!ends.empty() && (ends.back().second == row || row < 0))
        ends.back().first = &op;
      else
        ends.push_back({&op, row});
    }
    if (ends.empty() || rows.empty())
      return;
    // Untagged work before the first tagged work joins the first layer.
    for (auto &e : ends)
      if (e.second < 0)
        e.second = 0;
    // Rows in the order the layers finish (a padding fill hoisted ahead of
    // the layer before must not put its conv first).
    SmallVector<int64_t> lastRun(rows.size(), -1);
    for (auto [i, e] : llvm::enumerate(ends))
      lastRun[e.second] = (int64_t)i;
    SmallVector<int64_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    llvm::sort(order, [&](int64_t a, int64_t b) { return lastRun[a] < lastRun[b]; });
    SmallVector<int64_t> renumber(rows.size());
    for (auto [newRow, oldRow] : llvm::enumerate(order))
      renumber[oldRow] = (int64_t)newRow;
    for (auto &e : ends)
      e.second = renumber[e.second];
    SmallVector<Location> rowTags(rows.size(), UnknownLoc::get(ctx));
    for (auto &[loc, row] : rows)
      rowTags[renumber[row]] = loc;
    OpBuilder b(ctx);
    if (!module.lookupSymbol(kLayerEnd)) {
      b.setInsertionPointToStart(module.getBody());
      auto decl = func::FuncOp::create(b, module.getLoc(), kLayerEnd,
                                       b.getFunctionType({b.getI64Type()}, {}));
      decl.setPrivate();
    }
    for (auto [last, row] : ends) {
      b.setInsertionPointAfter(last);
      Location loc = last->getLoc();
      Value index = arith::ConstantIntOp::create(b, loc, row, 64);
      func::CallOp::create(b, loc, kLayerEnd, TypeRange{}, ValueRange{index});
    }
    SmallVector<Attribute> table;
    for (Location loc : rowTags) {
      std::optional<LayerTag> t = findLayerTag(loc);
      SmallVector<Attribute> nodes;
      for (std::string &n : nodeNames(loc))
        nodes.push_back(b.getStringAttr(n));
      table.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("nodes", b.getArrayAttr(nodes)),
           b.getNamedAttr("op", b.getStringAttr(t->op)),
           b.getNamedAttr("kernel", b.getStringAttr(t->kernel)),
           b.getNamedAttr("flops", b.getI64IntegerAttr((int64_t)t->flops))}));
    }
    module->setAttr(kLayersAttrName, b.getArrayAttr(table));
  }
};
} // namespace
