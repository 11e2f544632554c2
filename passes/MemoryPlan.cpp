//===- MemoryPlan.cpp - static activation-memory plan ---------------------===//
//
// Implements kiln-memory-plan. After bufferization every activation buffer
// of the model function is a statically shaped memref.alloc in the entry
// block with a matching memref.dealloc. This pass computes each buffer's
// live range (first to last top-level op that touches it or any view of
// it), packs the buffers into one arena with a greedy best-fit by size
// (largest first, lowest non-conflicting 64-byte-aligned offset), replaces
// the allocs by memref.view into the arena and drops their deallocs. The
// arena is a new last argument of the function, which the runtime allocates
// once per model instance. Buffers that escape (returned, stored, passed to
// a call) are left alone.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/CallInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMEMORYPLAN
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

static constexpr int64_t kArenaAlignment = 64;

namespace {
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t begin = 0, end = 0; ///< live range in top-level op indices
  int64_t offset = -1;
  SmallVector<memref::DeallocOp> deallocs;
};

struct KilnMemoryPlanPass : kiln::impl::KilnMemoryPlanBase<KilnMemoryPlanPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func->hasAttr(kNumInputsAttr))
      return; // Only the model entry function is planned.
    Block &block = func.front();
    DenseMap<Operation *, int64_t> index;
    int64_t i = 0;
    for (Operation &op : block)
      index[&op] = i++;

    SmallVector<Buffer> buffers;
    for (Operation &op : block) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        continue;
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat() || type.getMemorySpace())
        continue;
      Buffer buf;
      buf.alloc = alloc;
      buf.bytes = llvm::alignTo(type.getNumElements() *
                                    type.getElementType().getIntOrFloatBitWidth() / 8,
                                kArenaAlignment);
      buf.begin = buf.end = index[alloc];
      if (!computeLiveRange(buf, block, index))
        continue;
      buffers.push_back(buf);
    }
    if (buffers.empty())
      return;

    // Greedy placement, largest first.
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    llvm::sort(order, [](Buffer *a, Buffer *b) {
      return a->bytes != b->bytes ? a->bytes > b->bytes : a->begin < b->begin;
    });
    SmallVector<Buffer *> placed;
    int64_t arenaBytes = 0, totalBytes = 0;
    for (Buffer *b : order) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *p : placed)
        if (p->begin <= b->end && b->begin <= p->end)
          busy.push_back({p->offset, p->offset + p->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + b->bytes <= lo)
          break;
        offset = std::max(offset, hi);
      }
      b->offset = offset;
      arenaBytes = std::max(arenaBytes, offset + b->bytes);
      totalBytes += b->bytes;
      placed.push_back(b);
    }

    // The arena is the entry function's last argument: the runtime
    // allocates it once per model instance (kiln_abi_model.scratch_bytes).
    OpBuilder builder(func.getContext());
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, builder.getI8Type());
    unsigned argIndex = func.getNumArguments();
    if (failed(func.insertArgument(argIndex, arenaType, {}, loc)))
      return signalPassFailure();
    func.setArgAttr(argIndex, kArenaArgAttr, builder.getUnitAttr());
    Value arena = func.getArgument(argIndex);
    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Value shift = arith::ConstantIndexOp::create(builder, b.alloc.getLoc(), b.offset);
      Value view = memref::ViewOp::create(builder, b.alloc.getLoc(), b.alloc.getType(),
                                          arena, shift, ValueRange{});
      b.alloc.getResult().replaceAllUsesWith(view);
      for (memref::DeallocOp d : b.deallocs)
        d.erase();
      b.alloc.erase();
    }
    // The largest sum of simultaneously live buffers: no plan can use an
    // arena smaller than this; the report shows how close this one gets.
    SmallVector<std::pair<int64_t, int64_t>> events; // (time, +-bytes)
    for (Buffer &b : buffers) {
      events.push_back({b.begin, b.bytes});
      events.push_back({b.end + 1, -b.bytes});
    }
    llvm::sort(events); // frees (negative) before allocations at one time
    int64_t livePeak = 0, live = 0;
    for (auto [time, delta] : events)
      livePeak = std::max(livePeak, live += delta);
    func->setAttr(kArenaBytesAttr, builder.getI64IntegerAttr(arenaBytes));
    func->setAttr(kUnplannedBytesAttr, builder.getI64IntegerAttr(totalBytes));
    func->setAttr(kLivePeakBytesAttr, builder.getI64IntegerAttr(livePeak));
  }

  /// Extends `buf`'s live range over every use of the alloc and of values
  /// derived from it. Returns false if the buffer escapes.
  bool computeLiveRange(Buffer &buf, Block &block,
                        DenseMap<Operation *, int64_t> &index) {
    SmallVector<Value> worklist = {buf.alloc.getResult()};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
          if (v != buf.alloc.getResult() || dealloc->getBlock() != &block)
            return false;
          buf.deallocs.push_back(dealloc);
          continue;
        }
        if (isa<func::ReturnOp, memref::StoreOp, CallOpInterface>(user) ||
            user->hasTrait<OpTrait::IsTerminator>())
          return false;
        Operation *top = block.findAncestorOpInBlock(*user);
        if (!top)
          return false;
        buf.end = std::max(buf.end, index[top]);
        // Views and casts alias the buffer.
        for (Value r : user->getResults())
          if (isa<MemRefType>(r.getType()))
            worklist.push_back(r);
      }
    }
    return true;
  }
};
} // namespace
