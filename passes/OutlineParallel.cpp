//===- OutlineParallel.cpp - run parallel loops on the thread pool --------===//
//
// Implements kiln-outline-parallel. Each outermost one-dimensional
// scf.parallel (from the tile loops' scf.forall) becomes
//
//   env = memref.alloca : memref<64xindex>     // captured pointers/indices
//   call @kiln_rt_parallel_for(n, @kiln_parallel_body_K, env)
//
// and its body moves into `kiln_parallel_body_K(env, begin, end)`, which
// rebuilds the captured memrefs from their aligned pointers and runs
// iterations [begin, end). With the bare-pointer calling convention the
// body's C signature is `void (void *env, int64_t begin, int64_t end)`, the
// one runtime/src/kiln_abi.h declares. Loops that capture something other
// than constants, indices and static identity-layout memrefs stay serial.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNOUTLINEPARALLEL
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

static constexpr int64_t kEnvSlots = 64;
static constexpr llvm::StringLiteral kParallelFor = "kiln_rt_parallel_for";

bool kiln::isPlainStaticMemRef(Type type) {
  auto m = dyn_cast<MemRefType>(type);
  return m && m.hasStaticShape() && m.getLayout().isIdentity() && !m.getMemorySpace();
}

namespace {
struct KilnOutlineParallelPass
    : kiln::impl::KilnOutlineParallelBase<KilnOutlineParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Single-threaded code was asked for (kiln-compile --no-parallel).
    if (OptionsAttr options = lookupOptions(module); options && !options.getParallel())
      return;
    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp op) {
      if (!op->getParentOfType<scf::ParallelOp>() && op.getNumLoops() == 1 &&
          op.getNumResults() == 0)
        loops.push_back(op);
    });
    int64_t counter = 0;
    // A loop that cannot be outlined stays serial (convert-scf-to-cf).
    for (scf::ParallelOp loop : loops)
      (void)outline(loop, counter);
  }


  LogicalResult outline(scf::ParallelOp loop, int64_t &counter) {
    MLIRContext *ctx = loop.getContext();
    ModuleOp module = getOperation();
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(loop.getRegion(), captured);
    // The body recomputes the induction variable from lb and step.
    captured.insert(loop.getLowerBound()[0]);
    captured.insert(loop.getStep()[0]);
    // Classify captured values: constants are cloned, identity memrefs and
    // indices travel in the env, and views of those (e.g. the interior of
    // a padded buffer) are recomputed in the body from their source.
    SmallVector<Value> slots, constants;
    llvm::SetVector<Operation *> views;
    SmallVector<Value> worklist(captured.begin(), captured.end());
    llvm::DenseSet<Value> seen;
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      if (!seen.insert(v).second)
        continue;
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>()) {
        constants.push_back(v);
      } else if (isPlainStaticMemRef(v.getType()) || v.getType().isIndex()) {
        slots.push_back(v);
      } else if (def && isa<memref::SubViewOp, memref::ExpandShapeOp,
                            memref::CollapseShapeOp, memref::CastOp>(def) &&
                 isMemoryEffectFree(def)) {
        views.insert(def);
        llvm::append_range(worklist, def->getOperands());
      } else {
        return failure();
      }
    }
    if ((int64_t)slots.size() > kEnvSlots)
      return failure();

    OpBuilder b(ctx);
    Location loc = loop.getLoc();
    auto envType = MemRefType::get({kEnvSlots}, b.getIndexType());
    auto i64 = b.getI64Type();
    auto bodyType = FunctionType::get(ctx, {envType, i64, i64}, {});

    // Declare the runtime entry point once.
    if (!module.lookupSymbol(kParallelFor)) {
      b.setInsertionPointToStart(module.getBody());
      auto decl = func::FuncOp::create(b, loc, kParallelFor,
                                       FunctionType::get(ctx, {i64, bodyType, envType}, {}));
      decl.setPrivate();
    }

    // The outlined body.
    std::string name = "kiln_parallel_body_" + std::to_string(counter++);
    b.setInsertionPoint(loop->getParentOfType<func::FuncOp>());
    auto body = func::FuncOp::create(b, loc, name, bodyType);
    body.setPrivate();
    Block *entry = body.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    for (Value c : constants)
      map.map(c, b.clone(*c.getDefiningOp())->getResult(0));
    Value env = entry->getArgument(0);
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    for (auto [i, v] : llvm::enumerate(slots)) {
      Value idx = arith::ConstantIndexOp::create(b, loc, i);
      Value raw = memref::LoadOp::create(b, loc, env, ValueRange{idx});
      if (v.getType().isIndex()) {
        map.map(v, raw);
        continue;
      }
      // Rebuild a static, identity-layout memref descriptor around the pointer.
      auto type = cast<MemRefType>(v.getType());
      int64_t rank = type.getRank();
      Value asInt = arith::IndexCastOp::create(b, loc, i64, raw);
      Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, asInt);
      SmallVector<Type> fields = {ptrType, ptrType, i64};
      if (rank > 0) {
        fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
        fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
      }
      auto descType = LLVM::LLVMStructType::getLiteral(ctx, fields);
      Value desc = LLVM::UndefOp::create(b, loc, descType);
      desc = LLVM::InsertValueOp::create(b, loc, desc, ptr, ArrayRef<int64_t>{0});
      desc = LLVM::InsertValueOp::create(b, loc, desc, ptr, ArrayRef<int64_t>{1});
      auto i64Const = [&](int64_t c) {
        return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(c)).getResult();
      };
      desc = LLVM::InsertValueOp::create(b, loc, desc, i64Const(0), ArrayRef<int64_t>{2});
      int64_t stride = 1;
      for (int64_t d = rank - 1; d >= 0; --d) {
        desc = LLVM::InsertValueOp::create(b, loc, desc, i64Const(type.getDimSize(d)),
                                           ArrayRef<int64_t>{3, d});
        desc = LLVM::InsertValueOp::create(b, loc, desc, i64Const(stride),
                                           ArrayRef<int64_t>{4, d});
        stride *= type.getDimSize(d);
      }
      map.map(v, UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0));
    }
    // Recompute views in program order.
    // Views only depend on values of enclosing blocks, so ordering by
    // (nesting depth, block, position in block) respects every def-use.
    auto depth = [](Operation *op) {
      int d = 0;
      while ((op = op->getParentOp()))
        ++d;
      return d;
    };
    SmallVector<Operation *> ordered(views.begin(), views.end());
    llvm::sort(ordered, [&](Operation *a, Operation *b) {
      int da = depth(a), db = depth(b);
      if (da != db)
        return da < db;
      if (a->getBlock() != b->getBlock())
        return a->getBlock() < b->getBlock();
      return a->isBeforeInBlock(b);
    });
    for (Operation *view : ordered)
      b.clone(*view, map);
    // for i in [begin, end): iv = lb + i * step
    Value begin = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry->getArgument(1));
    Value end = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry->getArgument(2));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto forOp = scf::ForOp::create(b, loc, begin, end, one);
    func::ReturnOp::create(b, loc);
    b.setInsertionPointToStart(forOp.getBody());
    Value lb = map.lookupOrDefault(loop.getLowerBound()[0]);
    Value step = map.lookupOrDefault(loop.getStep()[0]);
    Value iv = arith::AddIOp::create(
        b, loc, lb, arith::MulIOp::create(b, loc, forOp.getInductionVar(), step));
    map.map(loop.getInductionVars()[0], iv);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, map);

    // The call site.
    b.setInsertionPoint(loop);
    Value envBuf = memref::AllocaOp::create(b, loc, envType);
    for (auto [i, v] : llvm::enumerate(slots)) {
      Value idx = arith::ConstantIndexOp::create(b, loc, i);
      Value slot = v.getType().isIndex()
                       ? v
                       : memref::ExtractAlignedPointerAsIndexOp::create(b, loc, v).getResult();
      memref::StoreOp::create(b, loc, slot, envBuf, ValueRange{idx});
    }
    Value lbV = loop.getLowerBound()[0], ubV = loop.getUpperBound()[0];
    Value stepV = loop.getStep()[0];
    Value span = arith::SubIOp::create(b, loc, ubV, lbV);
    Value n = arith::CeilDivSIOp::create(b, loc, span, stepV);
    Value n64 = arith::IndexCastOp::create(b, loc, i64, n);
    Value fn = func::ConstantOp::create(b, loc, bodyType, SymbolRefAttr::get(ctx, name));
    func::CallOp::create(b, loc, kParallelFor, TypeRange{}, ValueRange{n64, fn, envBuf});
    loop.erase();
    return success();
  }
};
} // namespace
