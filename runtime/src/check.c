/*===- check.c - failed runtime checks of generated code -----------------===*
 *
 * Code compiled with kiln-compile --runtime-checks calls
 * kiln_rt_check_failed when a bounds check fails (see kiln_abi.h).
 * Self-contained (libc only), so a test can build it on its own.
 *
 *===----------------------------------------------------------------------===*/
#include "kiln_abi.h"

#include <stdio.h>
#include <stdlib.h>

void kiln_rt_check_failed(const char *message) {
  fputs(message ? message : "kiln: runtime check failed", stderr);
  fputc('\n', stderr);
  abort();
}
