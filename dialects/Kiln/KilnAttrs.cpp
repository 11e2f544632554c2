//===- KilnAttrs.cpp - #kiln.target, #kiln.options, #kiln.kernel ----------===//
//
// Registration, the kernel attribute's verifier, the `[1, 2, 3]` integer
// list syntax the kernel attribute prints, and conversions between
// TargetInfo and #kiln.target.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/KilnDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

/// `[1, 2, 3]` (possibly empty): the tile lists of #kiln.kernel.
static ParseResult parseI64List(AsmParser &parser, SmallVector<int64_t> &values) {
  return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&]() -> ParseResult {
    int64_t v;
    if (parser.parseInteger(v))
      return failure();
    values.push_back(v);
    return success();
  });
}

static void printI64List(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << "[";
  llvm::interleaveComma(values, printer);
  printer << "]";
}

#include "dialects/Kiln/KilnEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/Kiln/KilnAttrs.cpp.inc"

void KilnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Kiln/KilnAttrs.cpp.inc"
      >();
}

LogicalResult KernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 KernelKind kind, Layout layout, int64_t block,
                                 ArrayRef<int64_t> registerTile,
                                 ArrayRef<int64_t> cacheTile,
                                 ArrayRef<int64_t> parallelDims, int64_t lanes,
                                 bool config) {
  if (block < 0)
    return emitError() << "kernel block must be >= 0, got " << block;
  if (lanes < 1)
    return emitError() << "kernel lanes must be >= 1, got " << lanes;
  for (int64_t t : llvm::concat<const int64_t>(registerTile, cacheTile))
    if (t < 0)
      return emitError() << "kernel tile sizes must be >= 0, got " << t;
  if (!cacheTile.empty() && cacheTile.size() != registerTile.size())
    return emitError() << "kernel cache_tile has " << cacheTile.size()
                       << " sizes but register_tile has " << registerTile.size();
  for (int64_t d : parallelDims)
    if (d < 0 || d >= (int64_t)registerTile.size())
      return emitError() << "kernel parallel dimension " << d
                         << " is not a loop of its register tile";
  return success();
}

TargetAttr kiln::getTargetAttr(MLIRContext *ctx, const TargetInfo &t) {
  return TargetAttr::get(ctx, t.triple, t.cpu, t.features, t.vectorBits,
                         t.vectorRegisters, t.l1Bytes, t.l2Bytes);
}

TargetInfo kiln::getTargetInfo(TargetAttr attr) {
  TargetInfo t;
  t.triple = attr.getTriple().str();
  t.cpu = attr.getCpu().str();
  t.features = attr.getFeatures().str();
  t.vectorBits = attr.getVectorBits();
  t.vectorRegisters = attr.getVectorRegisters();
  t.l1Bytes = attr.getL1Bytes();
  t.l2Bytes = attr.getL2Bytes();
  return t;
}

static ModuleOp enclosingModule(Operation *op) {
  if (auto m = dyn_cast<ModuleOp>(op))
    return m;
  return op->getParentOfType<ModuleOp>();
}

std::optional<TargetInfo> kiln::lookupTarget(Operation *op) {
  ModuleOp m = enclosingModule(op);
  if (!m)
    return std::nullopt;
  if (auto attr = m->getAttrOfType<TargetAttr>(kTargetAttrName))
    return getTargetInfo(attr);
  return std::nullopt;
}

OptionsAttr kiln::lookupOptions(Operation *op) {
  ModuleOp m = enclosingModule(op);
  return m ? m->getAttrOfType<OptionsAttr>(kOptionsAttrName) : OptionsAttr();
}

static void collectNames(Location loc, SmallVector<std::string> &out) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string n = name.getName().str();
    if (!llvm::is_contained(out, n))
      out.push_back(n);
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      collectNames(l, out);
}

SmallVector<std::string> kiln::nodeNames(Location loc) {
  SmallVector<std::string> out;
  collectNames(loc, out);
  return out;
}
