//===- Profile.cpp - incept-run's per-layer profile ------------------------===//

#include "Profile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <numeric>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace incept {
namespace {

constexpr int kChains = 12; // independent accumulators: covers the latency
constexpr long kIterations = 20000000;

#if defined(__x86_64__)
__attribute__((target("avx512f"))) double fmaLoopAvx512() {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps(0.001f * i);
  __m512 a = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(0.0001f);
  auto start = std::chrono::steady_clock::now();
  for (long it = 0; it < kIterations; ++it) {
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    asm volatile("" : "+v"(acc[0]), "+v"(acc[5]), "+v"(acc[11]));
  }
  std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  float sink = 0;
  for (int i = 0; i < kChains; ++i)
    sink += _mm512_reduce_add_ps(acc[i]);
  asm volatile("" : : "x"(sink));
  return 2.0 * 16 * kChains * kIterations / seconds.count() * 1e-9;
}

__attribute__((target("avx2,fma"))) double fmaLoopAvx2() {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm256_set1_ps(0.001f * i);
  __m256 a = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(0.0001f);
  auto start = std::chrono::steady_clock::now();
  for (long it = 0; it < kIterations; ++it) {
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    asm volatile("" : "+x"(acc[0]), "+x"(acc[5]), "+x"(acc[11]));
  }
  std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  float lanes[8], sink = 0;
  for (int i = 0; i < kChains; ++i) {
    _mm256_storeu_ps(lanes, acc[i]);
    sink += lanes[0];
  }
  asm volatile("" : : "x"(sink));
  return 2.0 * 8 * kChains * kIterations / seconds.count() * 1e-9;
}
#endif

std::string formatMs(double ms) { return llvm::formatv("{0:f3}", ms).str(); }

} // namespace

double measureFmaPeakGflops() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    if (__builtin_cpu_supports("avx512f"))
      best = std::max(best, fmaLoopAvx512());
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      best = std::max(best, fmaLoopAvx2());
  }
  return best;
#else
  return 0;
#endif
}

void printProfile(const incept_model &model, const incept_profile &profile,
                  llvm::StringRef heading, double peakGflops, llvm::raw_ostream &os) {
  std::vector<double> layerMs(model.num_layers, 0.0);
  double runs = std::max<double>(1.0, double(profile.runs));
  for (int32_t k = 0; k < profile.num_kernels; ++k) {
    int32_t layer = profile.kernel_layers[k];
    assert(layer >= 0 && layer < model.num_layers && "checkProfile's guarantee");
    layerMs[layer] += double(profile.kernel_total_ns[k]) / runs * 1e-6;
  }
  double totalMs = 0, totalFlops = 0;
  for (int32_t i = 0; i < model.num_layers; ++i) {
    totalMs += layerMs[i];
    totalFlops += model.layers[i].flops;
  }
  os << "profile: " << profile.runs << " runs, " << heading << "\n";
  os << llvm::formatv("{0,-44} {1,-16} {2,-14} {3,-16} {4,9} {5,6} {6,8} {7,6}\n",
                      "layer", "op", "shape", "strategy", "ms", "%", "GFLOP/s",
                      "%peak");
  auto row = [&](llvm::StringRef name, llvm::StringRef op, llvm::StringRef shape,
                 llvm::StringRef strategy, double ms, double flops) {
    std::string gflops = "-", ofPeak = "-";
    if (flops > 0 && ms > 0) {
      double rate = flops / (ms * 1e-3) * 1e-9;
      gflops = llvm::formatv("{0:f1}", rate).str();
      if (peakGflops > 0)
        ofPeak = llvm::formatv("{0:f0}", 100 * rate / peakGflops).str();
    }
    os << llvm::formatv("{0,-44} {1,-16} {2,-14} {3,-16} {4,9} {5,6:f1} {6,8} {7,6}\n",
                        name, op, shape, strategy, formatMs(ms),
                        totalMs > 0 ? 100 * ms / totalMs : 0.0, gflops, ofPeak);
  };
  for (int32_t i = 0; i < model.num_layers; ++i) {
    const incept_layer_info &layer = model.layers[i];
    row(layer.name, layer.op, layer.shape, layer.strategy, layerMs[i], layer.flops);
  }
  row("(all layers)", "", "", "", totalMs, totalFlops);
}

llvm::Error writeChromeTrace(const incept_model &model,
                             const incept_profile &profile, llvm::StringRef path) {
  llvm::json::Array events;
  uint64_t origin = UINT64_MAX;
  for (int32_t k = 0; k < profile.num_kernels; ++k)
    origin = std::min(origin, profile.kernel_last_begin_ns[k]);
  // Kernels that ran at the same time (a GPU library's branches) on lanes
  // of their own, each kernel on the first lane free by its start: a
  // viewer nests overlapping events of one lane.
  std::vector<int32_t> byStart(profile.num_kernels);
  std::iota(byStart.begin(), byStart.end(), 0);
  llvm::sort(byStart, [&](int32_t a, int32_t b) {
    return std::pair(profile.kernel_last_begin_ns[a], a) <
           std::pair(profile.kernel_last_begin_ns[b], b);
  });
  std::vector<int> laneOf(profile.num_kernels);
  std::vector<uint64_t> laneEnd;
  for (int32_t k : byStart) {
    auto free = llvm::find_if(
        laneEnd, [&](uint64_t end) { return end <= profile.kernel_last_begin_ns[k]; });
    laneOf[k] = free - laneEnd.begin();
    if (free == laneEnd.end())
      laneEnd.push_back(0);
    laneEnd[laneOf[k]] = profile.kernel_last_end_ns[k];
  }
  for (int32_t k = 0; k < profile.num_kernels; ++k) {
    int32_t layer = profile.kernel_layers[k];
    assert(layer >= 0 && layer < model.num_layers && "checkProfile's guarantee");
    const incept_layer_info &info = model.layers[layer];
    uint64_t begin = profile.kernel_last_begin_ns[k];
    uint64_t end = profile.kernel_last_end_ns[k];
    events.push_back(llvm::json::Object{
        {"name", info.name},
        {"cat", info.op},
        {"ph", "X"},
        {"ts", double(begin - origin) * 1e-3},
        {"dur", double(end - begin) * 1e-3},
        {"pid", 1},
        {"tid", laneOf[k] + 1},
        {"args", llvm::json::Object{{"kernel", k},
                                    {"shape", info.shape},
                                    {"strategy", info.strategy},
                                    {"flops", info.flops}}}});
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                                   ec.message().c_str());
  os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                   {"traceEvents", std::move(events)},
                                   {"displayTimeUnit", "ms"},
                                   {"otherData", llvm::json::Object{{"model", model.name}}}}))
     << "\n";
  return llvm::Error::success();
}

} // namespace incept
