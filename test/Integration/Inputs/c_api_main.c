/*===- c_api_main.c - a C program calling a compiled kiln model -----------===*
 *
 * Links directly against a model .so built by kiln-compile and uses only the
 * public header written next to it: reads a raw float32 input file, runs the
 * model on two threads, writes the raw output, and checks that a wrong
 * shape and a NULL buffer are rejected with messages.
 *
 *   c_api_main IN.f32 OUT.f32
 *===----------------------------------------------------------------------===*/
#include "kiln.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  kiln_model_options opts;
  kiln_model_options_init(&opts);
  opts.num_threads = 2;
  kiln_model *model = NULL;
  if (kiln_model_create(&opts, &model) != KILN_OK) {
    fprintf(stderr, "create: %s\n", kiln_model_last_error(NULL));
    return 1;
  }
  kiln_tensor_info in_info, out_info;
  if (kiln_model_input_info(model, 0, &in_info) != KILN_OK ||
      kiln_model_output_info(model, 0, &out_info) != KILN_OK)
    return 1;
  size_t in_count = 1, out_count = 1;
  for (int i = 0; i < in_info.rank; ++i)
    in_count *= (size_t)in_info.shape[i];
  for (int i = 0; i < out_info.rank; ++i)
    out_count *= (size_t)out_info.shape[i];
  printf("inputs %zu outputs %zu threads %d input '%s' [%zu floats] output '%s' [%zu floats]\n",
         kiln_model_num_inputs(model), kiln_model_num_outputs(model),
         kiln_model_num_threads(model), in_info.name, in_count, out_info.name,
         out_count);

  float *in = malloc(in_count * sizeof(float));
  float *out = malloc(out_count * sizeof(float));
  FILE *f = fopen(argv[1], "rb");
  if (!in || !out || !f || fread(in, sizeof(float), in_count, f) != in_count)
    return 1;
  fclose(f);

  kiln_tensor input = {in, in_count * sizeof(float), KILN_FLOAT32, in_info.rank,
                       in_info.shape};
  kiln_tensor output = {out, out_count * sizeof(float), KILN_FLOAT32, out_info.rank,
                        out_info.shape};
  if (kiln_model_run(model, &input, 1, &output, 1) != KILN_OK) {
    fprintf(stderr, "run: %s\n", kiln_model_last_error(model));
    return 1;
  }
  f = fopen(argv[2], "wb");
  if (!f || fwrite(out, sizeof(float), out_count, f) != out_count)
    return 1;
  fclose(f);

  /* Bad calls return errors, never undefined behaviour. */
  int64_t wrong[8];
  for (int i = 0; i < in_info.rank; ++i)
    wrong[i] = in_info.shape[i];
  wrong[in_info.rank - 1] += 1;
  kiln_tensor bad = input;
  bad.shape = wrong;
  kiln_status st = kiln_model_run(model, &bad, 1, &output, 1);
  printf("wrong shape: %s: %s\n", kiln_status_string(st), kiln_model_last_error(model));
  bad = input;
  bad.data = NULL;
  st = kiln_model_run(model, &bad, 1, &output, 1);
  printf("null data: %s: %s\n", kiln_status_string(st), kiln_model_last_error(model));
  st = kiln_model_run(NULL, &input, 1, &output, 1);
  printf("null model: %s\n", kiln_status_string(st));

  kiln_model_destroy(model);
  free(in);
  free(out);
  return 0;
}
