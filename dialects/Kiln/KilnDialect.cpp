//===- KilnDialect.cpp - kiln dialect registration --------------*- C++ -*-===//
//
// Registers the kiln dialect's ops and attributes.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/KilnDialect.h"

using namespace mlir;
using namespace kiln;

#include "dialects/Kiln/KilnDialect.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Kiln/KilnOps.cpp.inc"
      >();
  registerAttributes();
}
