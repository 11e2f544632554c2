//===- sanitizer-prefix.h - included first in kiln's ASan build ----------===//
//
// kiln's own code is built with AddressSanitizer, Debian's libLLVM/libMLIR
// without it. LLVM's headers poison and unpoison BumpPtrAllocator slabs by
// hand when they see an ASan build (llvm/Support/Compiler.h), so a slab
// started by an inline allocator instantiated in kiln's code is poisoned,
// the uninstrumented copy in libMLIR hands out pieces of it without
// unpoisoning, and kiln's code then reads MLIR's attribute storage as
// "use-after-poison". Only instrumented and uninstrumented code mixed
// this way sees it; the manual poisoning is turned off here (ASan's own
// checks of heap, stack and globals stay).
//
// CMakeLists.txt adds `-include tools/sanitizer-prefix.h` to C++ compiles
// when KILN_SANITIZE contains address.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TOOLS_SANITIZER_PREFIX_H
#define KILN_TOOLS_SANITIZER_PREFIX_H

#include <sanitizer/asan_interface.h>

#undef ASAN_POISON_MEMORY_REGION
#undef ASAN_UNPOISON_MEMORY_REGION
#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))

#endif // KILN_TOOLS_SANITIZER_PREFIX_H
