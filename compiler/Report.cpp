//===- Report.cpp - the compile report as JSON and as a table -------------===//
//
// CompileReport::toJSON writes the schema documented in README.md
// ("Compile report"); toTable the readable form `kiln-compile --report`
// prints.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace kiln;

/// Version of the report's JSON schema.
static constexpr int kReportVersion = 1;

static llvm::json::Array ints(const std::vector<int64_t> &v) {
  llvm::json::Array a;
  for (int64_t x : v)
    a.push_back(x);
  return a;
}

std::string CompileReport::toJSON() const {
  llvm::json::Array jsonLayers;
  for (const ReportLayer &l : layers) {
    llvm::json::Array nodes;
    for (const std::string &n : l.nodes)
      nodes.push_back(n);
    jsonLayers.push_back(llvm::json::Object{
        {"nodes", std::move(nodes)},
        {"op", l.op},
        {"kernel", l.kernel},
        {"layout", l.layout},
        {"block", l.block},
        {"register_tile", ints(l.registerTile)},
        {"cache_tile", ints(l.cacheTile)},
        {"parallel_dims", ints(l.parallelDims)},
        {"output_shape", ints(l.outputShape)},
        {"source", l.source},
        {"flops", (int64_t)l.flops},
        {"weight_bytes", (int64_t)l.weightBytes},
    });
  }
  llvm::json::Array jsonPhases;
  for (const PhaseTime &p : phases)
    jsonPhases.push_back(llvm::json::Object{{"phase", p.phase}, {"ms", p.ms}});
  llvm::json::Object root{
      {"version", kReportVersion},
      {"target", target},
      {"total_flops", (int64_t)totalFlops},
      {"layers", std::move(jsonLayers)},
      {"memory",
       llvm::json::Object{{"arena_bytes", (int64_t)memory.arenaBytes},
                          {"live_peak_bytes", (int64_t)memory.livePeakBytes},
                          {"unplanned_bytes", (int64_t)memory.unplannedBytes},
                          {"weight_bytes", (int64_t)memory.weightBytes}}},
      {"phases", std::move(jsonPhases)},
  };
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return out;
}

static std::string list(const std::vector<int64_t> &v, const char *sep = ",") {
  if (v.empty())
    return "-";
  std::string s;
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

static std::string joined(const std::vector<std::string> &names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i ? "+" : "") + names[i];
  return s.empty() ? "-" : s;
}

std::string CompileReport::toTable() const {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "target: " << target << "\n\n";
  size_t nodeWidth = 12;
  for (const ReportLayer &l : layers)
    nodeWidth = std::max(nodeWidth, std::min<size_t>(joined(l.nodes).size(), 48));
  os << llvm::format("%-*s  %-20s %-12s %-6s %5s  %-16s %-14s %-4s %-14s %10s %10s\n",
                     (int)nodeWidth, "ONNX node", "kiln op", "kernel", "layout", "block",
                     "register tile", "cache tile", "par", "output", "MFLOP", "weight KB");
  for (const ReportLayer &l : layers) {
    std::string nodes = joined(l.nodes);
    if (nodes.size() > 48)
      nodes = nodes.substr(0, 45) + "...";
    std::string kernel = l.kernel + (l.source == "config" ? "*" : "");
    os << llvm::format("%-*s  %-20s %-12s %-6s %5lld  %-16s %-14s %-4s %-14s %10.2f %10.1f\n",
                       (int)nodeWidth, nodes.c_str(), l.op.c_str(), kernel.c_str(),
                       l.layout.c_str(), (long long)l.block, list(l.registerTile).c_str(),
                       list(l.cacheTile).c_str(), list(l.parallelDims).c_str(),
                       list(l.outputShape, "x").c_str(), l.flops / 1e6,
                       l.weightBytes / 1024.0);
  }
  os << "(* = from --kernel-config)\n\n";
  os << llvm::format("total: %.3f GFLOP, weights %.1f MB\n", totalFlops / 1e9,
                     memory.weightBytes / 1e6);
  os << llvm::format("activation arena: %.2f MB (live peak %.2f MB, %.2f MB unplanned)\n",
                     memory.arenaBytes / 1e6, memory.livePeakBytes / 1e6,
                     memory.unplannedBytes / 1e6);
  os << "phases:";
  for (const PhaseTime &p : phases)
    os << llvm::format(" %s %.1f ms;", p.phase.c_str(), p.ms);
  os << "\n";
  return out;
}
