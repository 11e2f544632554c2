/*===- huge_arena_model.c - Fake model whose arena cannot be allocated ---===*
 *
 * The fake a + b model of fake_model.c with a 1 PiB activation arena (more
 * than any x86-64 or AArch64 process can map), for the out-of-memory test
 * (OutOfMemoryTest.cpp, its own executable: one kiln_generated_model per
 * program).
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_abi.h"

#define FAKE_MODEL_SCRATCH_BYTES (1ull << 50)
#include "fake_model.c"
