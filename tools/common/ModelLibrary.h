//===- ModelLibrary.h - Load a kiln model library with dlopen ---*- C++ -*-===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// The one loader of compiled models, shared by kiln-run and the Python
// module (compiler/python): it opens a model shared library with
// dlopen(RTLD_NOW | RTLD_LOCAL), resolves the kiln_* C API of
// runtime/include/kiln/kiln.h with dlsym and creates one model instance.
// Callers never link the runtime: the runtime inside the model library is
// the one that runs. Header-only and free of exceptions, so that both a tool
// built with exceptions and a Python extension can use it; every fallible
// call returns its error as a string.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_COMMON_MODELLIBRARY_H
#define KILN_TOOLS_COMMON_MODELLIBRARY_H

#include "kiln/kiln.h"

#include <dlfcn.h>

#include <cstring>
#include <memory>
#include <string>

namespace kiln {

/// Every function of kiln.h that kiln-run and the Python module call, as
/// X(member, symbol): the ModelApi fields and the dlsym calls both come
/// from this one list.
#define KILN_MODEL_API_FUNCTIONS(X)                                            \
  X(optionsInit, kiln_model_options_init)                                      \
  X(create, kiln_model_create)                                                 \
  X(destroy, kiln_model_destroy)                                               \
  X(name, kiln_model_name)                                                     \
  X(numInputs, kiln_model_num_inputs)                                          \
  X(numOutputs, kiln_model_num_outputs)                                        \
  X(inputInfo, kiln_model_input_info)                                          \
  X(outputInfo, kiln_model_output_info)                                        \
  X(run, kiln_model_run)                                                       \
  X(lastError, kiln_model_last_error)                                          \
  X(statusString, kiln_status_string)                                          \
  X(numThreads, kiln_model_num_threads)                                        \
  X(elemTypeSize, kiln_elem_type_size)                                         \
  X(elemTypeName, kiln_elem_type_name)                                         \
  X(numLayers, kiln_model_num_layers)                                          \
  X(layerInfo, kiln_model_layer_info)                                          \
  X(setProfiling, kiln_model_set_profiling)

/// The kiln C API as resolved from one model library.
struct ModelApi {
#define KILN_DECLARE_FUNCTION(member, symbol) decltype(&symbol) member = nullptr;
  KILN_MODEL_API_FUNCTIONS(KILN_DECLARE_FUNCTION)
#undef KILN_DECLARE_FUNCTION
};

/// A loaded model library and one instance of its model. Owns both: the
/// destructor destroys the instance, then closes the library. Not copyable.
/// Like the instance itself, not safe to run from two threads at once.
class ModelLibrary {
public:
  /// Loads the library at `path` and creates an instance running on
  /// `numThreads` threads (<= 0: KILN_NUM_THREADS, else 1). On failure
  /// returns null and sets `error` to "cannot load '<path>': ...",
  /// "'<path>' is not a kiln model library: missing <symbol>" or
  /// "cannot create model: <message> (<status>)".
  static std::unique_ptr<ModelLibrary> open(const std::string &path,
                                            int numThreads,
                                            std::string &error) {
    std::unique_ptr<ModelLibrary> library(new ModelLibrary());
    if (!library->load(path, error) || !library->createModel(numThreads, error))
      return nullptr;
    return library;
  }

  ~ModelLibrary() {
    if (instance)
      fns.destroy(instance);
    if (handle)
      dlclose(handle);
  }
  ModelLibrary(const ModelLibrary &) = delete;
  ModelLibrary &operator=(const ModelLibrary &) = delete;

  const ModelApi &api() const { return fns; }
  kiln_model *model() const { return instance; }

  /// The model's name, its input and output counts and thread count.
  std::string name() const { return fns.name(instance); }
  size_t numInputs() const { return fns.numInputs(instance); }
  size_t numOutputs() const { return fns.numOutputs(instance); }
  int numThreads() const { return int(fns.numThreads(instance)); }

  /// Describes input / output `index` (pointers owned by the library). On
  /// failure returns false and sets `error` to the runtime's message.
  bool inputInfo(size_t index, kiln_tensor_info &info,
                 std::string &error) const {
    return check(fns.inputInfo(instance, index, &info), error);
  }
  bool outputInfo(size_t index, kiln_tensor_info &info,
                  std::string &error) const {
    return check(fns.outputInfo(instance, index, &info), error);
  }

  /// Runs the model once (see kiln_model_run). On failure returns the status
  /// and sets `error` to the runtime's message.
  kiln_status run(const kiln_tensor *inputs, size_t numInputs,
                  kiln_tensor *outputs, size_t numOutputs,
                  std::string &error) {
    kiln_status status =
        fns.run(instance, inputs, numInputs, outputs, numOutputs);
    if (status != KILN_OK)
      error = fns.lastError(instance);
    return status;
  }

private:
  ModelLibrary() = default;

  bool load(const std::string &path, std::string &error) {
    // Without a slash dlopen searches the library path, not the cwd.
    std::string dlPath =
        path.find('/') == std::string::npos ? "./" + path : path;
    handle = dlopen(dlPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      error = "cannot load '" + path + "': " + (why ? why : "unknown");
      return false;
    }
#define KILN_RESOLVE_FUNCTION(member, symbol)                                  \
  if (!resolve(fns.member, #symbol, path, error))                              \
    return false;
    KILN_MODEL_API_FUNCTIONS(KILN_RESOLVE_FUNCTION)
#undef KILN_RESOLVE_FUNCTION
    return true;
  }

  bool createModel(int numThreads, std::string &error) {
    kiln_model_options options;
    fns.optionsInit(&options);
    options.num_threads = numThreads;
    kiln_status status = fns.create(&options, &instance);
    if (status == KILN_OK)
      return true;
    instance = nullptr;
    error = "cannot create model: " + std::string(fns.lastError(nullptr)) +
            " (" + fns.statusString(status) + ")";
    return false;
  }

  template <typename Fn>
  bool resolve(Fn &fn, const char *name, const std::string &path,
               std::string &error) {
    void *symbol = dlsym(handle, name);
    if (!symbol) {
      error = "'" + path + "' is not a kiln model library: missing " + name;
      return false;
    }
    static_assert(sizeof(Fn) == sizeof(void *), "function pointer size");
    std::memcpy(&fn, &symbol, sizeof(fn));
    return true;
  }

  bool check(kiln_status status, std::string &error) const {
    if (status != KILN_OK)
      error = fns.lastError(instance);
    return status == KILN_OK;
  }

  void *handle = nullptr;
  ModelApi fns;
  kiln_model *instance = nullptr;
};

} // namespace kiln

#undef KILN_MODEL_API_FUNCTIONS

#endif // KILN_TOOLS_COMMON_MODELLIBRARY_H
