//===- kiln-run.cpp - Run a kiln-compiled model on .npy files -------------===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// kiln-run loads a model shared library produced by kiln-compile with dlopen,
// resolves the kiln_* C API (kiln/kiln.h) with dlsym (both through
// tools/common/ModelLibrary.h, the loader it shares with the Python module),
// feeds it NumPy .npy inputs and writes the outputs back as .npy files. It
// can also benchmark the model (--warmup/--iterations) and print the top-K
// entries of float outputs. It deliberately does not link the runtime: the
// runtime inside the model library is the one under test. Exit status: 0 on
// success, 1 for usage errors, 2 for any failure while loading or running
// the model.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "Peak.h"
#include "kiln/kiln.h"
#include "tools/common/ModelLibrary.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

namespace npy = kiln::npy;

constexpr int kExitUsage = 1;
constexpr int kExitRuntime = 2;

/// An error carrying the process exit status.
struct Failure {
  int exitCode;
  std::string message;
};

[[noreturn]] void usageError(const std::string &message) {
  throw Failure{kExitUsage, message + " (see --help)"};
}
[[noreturn]] void runtimeError(const std::string &message) {
  throw Failure{kExitRuntime, message};
}

const char *const kUsage =
    "usage: kiln-run MODEL.so --input X.npy [--input ...] [--output Y.npy "
    "...]\n"
    "                [--threads N] [--iterations K] [--warmup W] "
    "[--print-topk K]\n"
    "                [--profile[=FILE.json]]\n"
    "\n"
    "Runs a model compiled by kiln-compile on NumPy .npy inputs.\n"
    "\n"
    "  --input FILE      .npy file for the next model input (in order)\n"
    "  --output FILE     .npy file receiving the next model output (in "
    "order);\n"
    "                    outputs without a file are computed but not saved\n"
    "  --threads N       threads to run with (default: KILN_NUM_THREADS or "
    "1)\n"
    "  --iterations K    time K runs and print median/min latency\n"
    "  --warmup W        untimed runs before the measured ones (default 0)\n"
    "  --print-topk K    print the K largest entries of each float output\n"
    "  --profile         time every layer over the timed runs (default 10\n"
    "                    iterations after 1 warmup) and print one row per layer:\n"
    "                    time, share, GFLOP/s and % of the FMA peak that a\n"
    "                    built-in register-only FMA loop measures on as many\n"
    "                    threads; --profile=FILE.json writes the same as JSON\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 model load/run error.\n";

/// Parsed command line.
struct Options {
  std::string modelPath;
  std::vector<std::string> inputs, outputs;
  int threads = 0;
  int iterations = 0; // 0: not timed.
  int warmup = 0;
  int topK = 0;
  bool help = false;
  bool profile = false;
  std::string profileJson;
  bool warmupGiven = false;
};

int parseInt(const std::string &flag, const std::string &text, int min,
             int max) {
  errno = 0;
  char *end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < min ||
      value > max)
    usageError(flag + " expects an integer in [" + std::to_string(min) + ", " +
               std::to_string(max) + "], got '" + text + "'");
  return int(value);
}

Options parseArgs(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool hasValue = false;
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      return options;
    }
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg.resize(eq);
        hasValue = true;
      } else if (arg == "--input" || arg == "--output" ||
                 arg == "--threads" || arg == "--iterations" ||
                 arg == "--warmup" || arg == "--print-topk") {
        if (i + 1 >= argc)
          usageError(arg + " requires a value");
        value = argv[++i];
      }
      if (arg == "--input")
        options.inputs.push_back(value);
      else if (arg == "--output")
        options.outputs.push_back(value);
      else if (arg == "--threads")
        options.threads = parseInt(arg, value, 0, KILN_MAX_THREADS);
      else if (arg == "--iterations")
        options.iterations = parseInt(arg, value, 1, 100000000);
      else if (arg == "--warmup") {
        options.warmup = parseInt(arg, value, 0, 100000000);
        options.warmupGiven = true;
      } else if (arg == "--profile") {
        options.profile = true;
        options.profileJson = value;
        if (hasValue && value.empty())
          usageError("--profile= requires a file name");
      }
      else if (arg == "--print-topk")
        options.topK = parseInt(arg, value, 1, 1000000);
      else
        usageError("unknown option '" + arg + "'");
      if ((arg == "--input" || arg == "--output") && value.empty())
        usageError(arg + " requires a non-empty path");
    } else if (arg.size() > 1 && arg[0] == '-') {
      usageError("unknown option '" + arg + "'");
    } else if (options.modelPath.empty()) {
      options.modelPath = arg;
    } else {
      usageError("unexpected argument '" + arg + "' (model already given)");
    }
  }
  if (options.modelPath.empty())
    usageError("no model library given");
  if (options.profile) {
    if (options.iterations == 0)
      options.iterations = 10;
    if (!options.warmupGiven)
      options.warmup = 1;
  }
  return options;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

/// Prints the K largest values of a float32/float64 output; NaNs rank last,
/// ties keep the lower index first.
template <typename T>
void printTopK(const std::string &name, const npy::Array &array, int k) {
  size_t count = array.data.size() / sizeof(T);
  std::vector<std::pair<T, size_t>> items(count);
  for (size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, array.data.data() + i * sizeof(T), sizeof(T));
    items[i] = {value, i};
  }
  size_t shown = std::min(count, size_t(k));
  std::partial_sort(items.begin(), items.begin() + shown, items.end(),
                    [](const auto &a, const auto &b) {
                      bool aNan = std::isnan(a.first);
                      bool bNan = std::isnan(b.first);
                      if (aNan != bNan)
                        return bNan;
                      if (!aNan && a.first != b.first)
                        return a.first > b.first;
                      return a.second < b.second;
                    });
  std::printf("output '%s' top-%d:", name.c_str(), k);
  for (size_t i = 0; i < shown; ++i)
    std::printf(" %zu (%g)", items[i].second, double(items[i].first));
  std::printf("\n");
}

/// JSON string literal of `text`.
std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

/// Prints (and with `jsonPath` writes) the per-layer profile of `runs`
/// profiled runs that took `measuredMs` milliseconds on average.
void reportProfile(const kiln::ModelLibrary &loaded, double measuredMs,
                   const std::string &jsonPath) {
  const kiln::ModelApi &api = loaded.api();
  size_t numLayers = api.numLayers(loaded.model());
  if (numLayers == 0)
    runtimeError("the model has no layer table (compiled by an older kiln-compile?)");
  kiln::FmaPeak peak = kiln::measureFmaPeak(loaded.numThreads());
  struct Row {
    kiln_layer_info info;
    double ms, gflops, peakPercent;
  };
  std::vector<Row> rows(numLayers);
  double sumMs = 0;
  uint64_t totalFlops = 0;
  for (size_t i = 0; i < numLayers; ++i) {
    if (api.layerInfo(loaded.model(), i, &rows[i].info) != KILN_OK)
      runtimeError(api.lastError(loaded.model()));
    const kiln_layer_info &info = rows[i].info;
    rows[i].ms = info.runs ? info.seconds * 1e3 / double(info.runs) : 0;
    rows[i].gflops = rows[i].ms > 0 ? double(info.flops) / (rows[i].ms * 1e6) : 0;
    rows[i].peakPercent = peak.gflops > 0 ? 100 * rows[i].gflops / peak.gflops : 0;
    sumMs += rows[i].ms;
    totalFlops += info.flops;
  }
  uint64_t runs = rows[0].info.runs;
  std::printf("profile: %zu layers, mean of %" PRIu64 " runs on %d thread(s); "
              "FMA peak %.1f GFLOP/s (%s, measured on %d thread(s))\n",
              numLayers, runs, loaded.numThreads(), peak.gflops, peak.isa.c_str(),
              peak.threads);
  std::printf("%5s %9s %6s %8s %6s  %-12s %-22s %s\n", "layer", "ms", "time%", "GFLOP/s",
              "peak%", "kernel", "op", "ONNX nodes");
  for (size_t i = 0; i < numLayers; ++i) {
    const Row &r = rows[i];
    std::printf("%5zu %9.3f %6.1f %8.1f %6.1f  %-12s %-22s %s\n", i, r.ms,
                sumMs > 0 ? 100 * r.ms / sumMs : 0.0, r.gflops, r.peakPercent,
                r.info.kernel, r.info.op, r.info.nodes);
  }
  double totalGflops = sumMs > 0 ? double(totalFlops) / (sumMs * 1e6) : 0;
  std::printf("total: layers %.3f ms, measured run %.3f ms (layers %.1f%% of it); "
              "%.3f GFLOP, %.1f GFLOP/s, %.1f%% of peak\n",
              sumMs, measuredMs, measuredMs > 0 ? 100 * sumMs / measuredMs : 0.0,
              double(totalFlops) * 1e-9, totalGflops,
              peak.gflops > 0 ? 100 * totalGflops / peak.gflops : 0.0);
  if (jsonPath.empty())
    return;
  std::string json = "{\n";
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "  \"threads\": %d,\n  \"runs\": %" PRIu64
                ",\n  \"fma_peak_gflops\": %.3f,\n  \"fma_peak_isa\": %s,\n"
                "  \"measured_ms\": %.6f,\n  \"layers_ms\": %.6f,\n"
                "  \"total_flops\": %" PRIu64 ",\n",
                loaded.numThreads(), runs, peak.gflops, jsonString(peak.isa).c_str(),
                measuredMs, sumMs, totalFlops);
  json += "  \"model\": " + jsonString(loaded.name()) + ",\n" + buf + "  \"layers\": [\n";
  for (size_t i = 0; i < numLayers; ++i) {
    const Row &r = rows[i];
    std::string nodes = "[";
    std::string all = r.info.nodes;
    size_t start = 0;
    while (true) {
      size_t plus = all.find('+', start);
      nodes += (start ? ", " : "") +
               jsonString(all.substr(start, plus == std::string::npos ? plus : plus - start));
      if (plus == std::string::npos)
        break;
      start = plus + 1;
    }
    nodes += "]";
    std::snprintf(buf, sizeof(buf),
                  ", \"flops\": %" PRIu64
                  ", \"ms\": %.6f, \"gflops\": %.3f, \"peak_percent\": %.3f}",
                  r.info.flops, r.ms, r.gflops, r.peakPercent);
    json += "    {\"index\": " + std::to_string(i) + ", \"nodes\": " + nodes +
            ", \"op\": " + jsonString(r.info.op) + ", \"kernel\": " +
            jsonString(r.info.kernel) + buf + (i + 1 < numLayers ? ",\n" : "\n");
  }
  json += "  ]\n}\n";
  FILE *f = std::fopen(jsonPath.c_str(), "w");
  if (!f || std::fwrite(json.data(), 1, json.size(), f) != json.size() ||
      std::fclose(f) != 0)
    runtimeError("cannot write the profile to '" + jsonPath + "': " + std::strerror(errno));
}

int runTool(int argc, char **argv) {
  Options options = parseArgs(argc, argv);
  if (options.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }

  // Read inputs first so file errors surface before loading the model.
  std::vector<npy::Array> inputs(options.inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string error;
    if (!npy::readFile(options.inputs[i], inputs[i], error))
      runtimeError(error);
  }

  std::string loadError;
  std::unique_ptr<kiln::ModelLibrary> loaded =
      kiln::ModelLibrary::open(options.modelPath, options.threads, loadError);
  if (!loaded)
    runtimeError(loadError);
  const kiln::ModelApi &api = loaded->api();
  size_t numOutputs = loaded->numOutputs();
  if (options.outputs.size() > numOutputs)
    runtimeError(std::to_string(options.outputs.size()) +
                 " --output files given but the model has " +
                 std::to_string(numOutputs) + " output(s)");

  std::vector<kiln_tensor> inTensors(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].shape.size() > size_t(INT32_MAX))
      runtimeError(options.inputs[i] + ": rank too large");
    inTensors[i] = {inputs[i].data.data(), inputs[i].data.size(),
                    kiln_elem_type(inputs[i].elemType),
                    int32_t(inputs[i].shape.size()), inputs[i].shape.data()};
  }

  std::vector<npy::Array> outputs(numOutputs);
  std::vector<kiln_tensor> outTensors(numOutputs);
  std::vector<std::string> outNames(numOutputs);
  for (size_t o = 0; o < numOutputs; ++o) {
    kiln_tensor_info info;
    std::string error;
    if (!loaded->outputInfo(o, info, error))
      runtimeError(error);
    outNames[o] = info.name ? info.name : "";
    size_t bytes = api.elemTypeSize(info.elem_type);
    outputs[o].elemType = info.elem_type;
    outputs[o].shape.assign(info.shape, info.shape + info.rank);
    for (int64_t dim : outputs[o].shape)
      bytes *= size_t(dim);
    outputs[o].data.assign(bytes, 0);
    outTensors[o] = {outputs[o].data.data(), bytes, info.elem_type, info.rank,
                     info.shape};
  }

  auto runOnce = [&]() {
    std::string error;
    kiln_status status =
        loaded->run(inTensors.data(), inTensors.size(), outTensors.data(),
                    outTensors.size(), error);
    if (status != KILN_OK)
      runtimeError(error + " (" + api.statusString(status) + ")");
  };
  for (int w = 0; w < options.warmup; ++w)
    runOnce();
  if (options.profile &&
      api.setProfiling(loaded->model(), 1) != KILN_OK)
    runtimeError(api.lastError(loaded->model()));
  if (options.iterations > 0) {
    std::vector<double> millis;
    millis.reserve(size_t(options.iterations));
    for (int it = 0; it < options.iterations; ++it) {
      auto start = std::chrono::steady_clock::now();
      runOnce();
      auto stop = std::chrono::steady_clock::now();
      millis.push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(millis.begin(), millis.end());
    size_t n = millis.size();
    double median =
        n % 2 ? millis[n / 2] : 0.5 * (millis[n / 2 - 1] + millis[n / 2]);
    std::printf("latency: median %.3f ms, min %.3f ms over %zu runs (%d "
                "threads)\n",
                median, millis.front(), n,
                loaded->numThreads());
    if (options.profile) {
      api.setProfiling(loaded->model(), 0);
      double mean = 0;
      for (double m : millis)
        mean += m / double(n);
      reportProfile(*loaded, mean, options.profileJson);
    }
  } else {
    runOnce();
  }

  for (size_t o = 0; o < options.outputs.size(); ++o) {
    std::string error;
    if (!npy::writeFile(options.outputs[o], outputs[o], error))
      runtimeError("output " + std::to_string(o) + " ('" + outNames[o] +
                   "') " + shapeString(outputs[o].shape) + ": " + error);
  }
  if (options.topK > 0) {
    for (size_t o = 0; o < numOutputs; ++o) {
      if (outputs[o].elemType == KILN_FLOAT32)
        printTopK<float>(outNames[o], outputs[o], options.topK);
      else if (outputs[o].elemType == KILN_FLOAT64)
        printTopK<double>(outNames[o], outputs[o], options.topK);
    }
  }
  std::fflush(stdout);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return runTool(argc, argv);
  } catch (const Failure &failure) {
    std::fflush(stdout);
    std::fprintf(stderr, "kiln-run: error: %s\n", failure.message.c_str());
    return failure.exitCode;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "kiln-run: error: out of memory\n");
    return kExitRuntime;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "kiln-run: error: %s\n", e.what());
    return kExitRuntime;
  }
}
