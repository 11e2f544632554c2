/*===- bad_abi_model.c - Fake model with a future ABI version ------------===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * The fake a + b model of fake_model.c, but claiming KILN_ABI_VERSION + 1,
 * to check that kiln_model_create rejects generated code it does not
 * understand. Linked into the separate kiln-runtime-abi-tests executable
 * because a program can only contain one kiln_generated_model.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_abi.h"

#define FAKE_MODEL_ABI_VERSION (KILN_ABI_VERSION + 1)
#include "fake_model.c"
