//===- incept-run.cpp - run a compiled Incept model on tensor files -------===//
//
// Loads any library Incept compiled (through its generic entry point, as any
// host would), feeds it inputs from .npy or .pb files, and can write its
// outputs, compare them with reference outputs, and time it:
//
//   incept-run model.so --input x.npy --output y.npy
//   incept-run model.so --input x.pb --compare ref.npy --tolerance-mode=max-rel
//   incept-run model.so --input x.npy --repeat 100 --warmup 10
//   incept-run model.so --input x.npy --repeat 100 --against other-build.so
//   incept-run model.so --info
//
// Every file is read and checked against the model's description before the
// model runs, so a wrong shape or dtype is an error naming both, never a
// buffer overrun inside the model. Exit status: 0 on success, 1 on any error
// or failed comparison.
//
//===----------------------------------------------------------------------===//

#include "Comparison.h"
#include "compiler/tools/common/ToolOptions.h"
#include "ModelLibrary.h"
#include "Profile.h"

#include "incept/runtime.h"
#include "TensorFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace incept;
using namespace llvm;

namespace {

cl::OptionCategory category("incept-run options");

cl::opt<std::string> libraryPath(cl::Positional, cl::Required,
                                 cl::desc("<model.so>"), cl::cat(category));
cl::list<std::string>
    inputFiles("input",
               cl::desc("An input tensor, .npy or .pb; one per model input, "
                        "in the model's order"),
               cl::value_desc("file"), cl::cat(category));
cl::list<std::string>
    outputFiles("output",
                cl::desc("Where to write an output, .npy or .pb; in the "
                         "model's output order, the first ones only if fewer"),
                cl::value_desc("file"), cl::cat(category));
cl::list<std::string> compareFiles(
    "compare",
    cl::desc("A reference output, .npy or .pb, of the output's dtype (or "
             "float64 for a float32 output); in the model's output order, the "
             "first ones only if fewer. Integer outputs must match exactly"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<ToleranceMode, false, incept::NamedValueParser<ToleranceMode>> toleranceMode(
    "tolerance-mode", cl::desc("When an output matches its reference (default allclose)"),
    cl::init(ToleranceMode::AllClose),
    cl::values(clEnumValN(ToleranceMode::AllClose, "allclose",
                          "every element: |y-ref| <= atol + rtol*|ref| "
                          "(numpy.allclose)"),
               clEnumValN(ToleranceMode::MaxRel, "max-rel",
                          "max|y-ref| <= rtol*max|ref| (atol unused)")),
    cl::cat(category));
cl::opt<double> relativeTolerance("rtol", cl::desc("Relative tolerance (default 1e-4)"),
                                  cl::init(1e-4), cl::cat(category));
cl::opt<double>
    absoluteTolerance("atol", cl::desc("Absolute tolerance, allclose mode (default 1e-5)"),
                      cl::init(1e-5), cl::cat(category));
cl::opt<unsigned>
    showErrors("show-errors",
               cl::desc("How many of the largest errors to print per output (default 5)"),
               cl::value_desc("N"), cl::init(5), cl::cat(category));
cl::opt<unsigned> repeat("repeat",
                         cl::desc("Time N runs and print their latency (default 0: one untimed run)"),
                         cl::value_desc("N"), cl::init(0), cl::cat(category));
cl::opt<unsigned> warmup("warmup",
                         cl::desc("Untimed runs before the timed ones (default 1)"),
                         cl::value_desc("W"), cl::init(1), cl::cat(category));
/// --threads, registered in main: libLLVM has a hidden option of that name,
/// which has to be unregistered first.
cl::opt<unsigned> *threads = nullptr;

void registerThreadsOption() {
  incept::removeOption("threads");
  static cl::opt<unsigned> option(
      "threads",
      cl::desc("Threads of the context: 0 = the machine's physical cores, "
               "1 = this thread alone (default 0)"),
      cl::value_desc("N"), cl::init(0), cl::cat(category));
  threads = &option;
}
cl::opt<bool> profileLayers(
    "profile",
    cl::desc("Print the time, GFLOP/s and % of the FMA peak of every layer "
             "(a model compiled with incept-compile --profile)"),
    cl::cat(category));
cl::opt<std::string> traceFile(
    "trace", cl::desc("With --profile, write the last run as a Chrome trace"),
    cl::value_desc("file.json"), cl::cat(category));
cl::opt<bool> info("info", cl::desc("Print the model's description"),
                   cl::cat(category));
cl::opt<std::string> weightsPath(
    "weights",
    cl::desc("The weights file of a library compiled with --weights=external "
             "(default: the one beside it)"),
    cl::value_desc("file.weights"), cl::cat(category));
cl::opt<int> device("device",
                    cl::desc("The GPU a library compiled with --target=cuda runs "
                             "on: the driver's ordinal (default 0)"),
                    cl::value_desc("N"), cl::init(0), cl::cat(category));
cl::opt<bool> directLaunches(
    "direct-launches",
    cl::desc("A library compiled with --target=cuda launches every kernel on "
             "every run, instead of replaying the CUDA graph that its second "
             "run records: what the graph saves, timed"),
    cl::cat(category));
cl::opt<std::string> againstPath(
    "against",
    cl::desc("With --repeat, another build of the same model (same inputs and "
             "outputs): its runs alternate with this library's, and both "
             "latencies and the median ratio of paired runs are printed"),
    cl::value_desc("other.so"), cl::cat(category));

int fail(Error error) {
  errs() << "error: " << toString(std::move(error)) << "\n";
  return 1;
}

Error checkOptions() {
  for (auto [name, value] : {std::pair("--rtol", relativeTolerance.getValue()),
                             std::pair("--atol", absoluteTolerance.getValue())})
    if (!std::isfinite(value) || value < 0)
      return createStringError(
          formatv("{0} must be a non-negative number, got {1}", name, value)
              .str());
  if (repeat.getNumOccurrences() && repeat == 0)
    return createStringError("--repeat must be positive");
  if (!againstPath.empty() && !repeat)
    return createStringError("--against times two libraries: it needs --repeat");
  for (const std::string &path : outputFiles)
    if (Error error = checkTensorFileName(path))
      return error;
  return Error::success();
}

std::string listTensors(ArrayRef<incept_tensor_info> tensors) {
  std::string text;
  for (const incept_tensor_info &tensor : tensors)
    text += (text.empty() ? "" : ", ") + describeTensor(tensor);
  return text.empty() ? "none" : text;
}

/// The element type of a tensor of the model (checked by ModelLibrary).
ElementType elementTypeOf(const incept_tensor_info &tensor) {
  return *elementTypeOfDtype(tensor.dtype);
}

/// A buffer for one tensor of the model, in its dtype, aligned like the
/// runtime's arenas, since compiled code may use aligned vector loads and
/// stores on its inputs and outputs.
class AlignedBuffer {
public:
  explicit AlignedBuffer(const incept_tensor_info &tensor)
      : type(elementTypeOf(tensor)), shape(shapeOf(tensor)) {
    size_t bytes = alignTo(
        std::max<uint64_t>(tensor.num_elements * elementSize(type), 1),
        kAlignment);
    data.reset(static_cast<char *>(std::aligned_alloc(kAlignment, bytes)));
    if (!data)
      report_bad_alloc_error("cannot allocate a tensor buffer");
    size = bytes;
  }
  void *get() const { return data.get(); }
  /// Fills the buffer so that an element the model never writes fails every
  /// comparison: NaN for float32, 0xA5 bytes for integers.
  void poison() const {
    if (type == ElementType::Float32)
      std::fill_n(reinterpret_cast<float *>(data.get()),
                  size / sizeof(float), std::numeric_limits<float>::quiet_NaN());
    else
      std::memset(data.get(), 0xA5, size);
  }
  /// The buffer's elements as a tensor of the model's shape and dtype.
  Tensor tensor() const {
    Tensor result;
    result.elementType = type;
    result.shape.assign(shape.begin(), shape.end());
    result.fromBuffer(data.get());
    return result;
  }

private:
  static constexpr size_t kAlignment = INCEPT_ARENA_ALIGNMENT;
  struct Free {
    void operator()(char *pointer) const { std::free(pointer); }
  };
  std::unique_ptr<char, Free> data;
  ElementType type;
  SmallVector<int64_t> shape;
  size_t size = 0;
};

/// Checks a tensor file against the model's description of the tensor.
Error checkAgainst(StringRef path, const Tensor &tensor,
                   const incept_tensor_info &expected, StringRef kind,
                   bool allowFloat64) {
  ElementType type = elementTypeOf(expected);
  if (tensor.elementType != type &&
      !(allowFloat64 && type == ElementType::Float32 &&
        tensor.elementType == ElementType::Float64))
    return createStringError(
        formatv("{0}: dtype {1} does not match {2} '{3}' of the model: {4}",
                path, elementTypeName(tensor.elementType), kind, expected.name,
                elementTypeName(type))
            .str());
  if (ArrayRef<int64_t>(tensor.shape) != shapeOf(expected))
    return createStringError(
        formatv("{0}: shape {1} does not match {2} '{3}' of the model: {4}",
                path, formatShape(tensor.shape), kind, expected.name,
                formatShape(shapeOf(expected)))
            .str());
  return Error::success();
}

/// The model's tensors as a run on `batch` images sees them: for a library
/// with a dynamic batch, shape[0] and num_elements scaled from the compiled
/// batch's; the model's own otherwise.
class TensorsAtBatch {
public:
  TensorsAtBatch(ArrayRef<incept_tensor_info> tensors, bool dynamic, int64_t batch)
      : shapes(tensors.size()) {
    for (auto [tensor, shape] : llvm::zip_equal(tensors, shapes)) {
      shape.assign(tensor.shape, tensor.shape + tensor.rank);
      incept_tensor_info info = tensor;
      if (dynamic && tensor.rank > 0 && tensor.shape[0] > 0 && batch != tensor.shape[0]) {
        info.num_elements = tensor.num_elements / tensor.shape[0] * batch;
        shape[0] = batch;
      }
      info.shape = shape.data();
      infos.push_back(info);
    }
  }
  TensorsAtBatch(const TensorsAtBatch &) = delete;
  ArrayRef<incept_tensor_info> get() const { return infos; }

private:
  std::vector<SmallVector<int64_t, 4>> shapes; // sized once: infos point into it
  std::vector<incept_tensor_info> infos;
};

/// Reads the --input files, one per model input.
Expected<std::vector<Tensor>> readInputFiles(const ModelLibrary &library) {
  ArrayRef<incept_tensor_info> expected = library.inputs();
  if (inputFiles.size() != expected.size())
    return createStringError(
        formatv("{0}: the model takes {1} input{2} ({3}), but {4} --input "
                "file{5} given",
                library.path(), expected.size(),
                expected.size() == 1 ? "" : "s", listTensors(expected),
                inputFiles.size(), inputFiles.size() == 1 ? " was" : "s were")
            .str());
  std::vector<Tensor> tensors;
  for (const std::string &path : inputFiles) {
    Expected<Tensor> tensor = readTensorFile(path);
    if (!tensor)
      return tensor.takeError();
    tensors.push_back(std::move(*tensor));
  }
  return tensors;
}

/// The batch of the run: with a dynamic batch, the first dimension of the
/// input files (which must agree); else the compiled one.
Expected<int64_t> batchOfInputs(const ModelLibrary &library,
                                ArrayRef<Tensor> tensors) {
  if (!library.dynamicBatch() || tensors.empty())
    return library.compiledBatch();
  int64_t batch = 0;
  for (auto [path, tensor] : llvm::zip_equal(inputFiles, tensors)) {
    if (tensor.shape.empty() || tensor.shape[0] < 1)
      return createStringError(
          formatv("{0}: the model takes any batch as the first dimension, but "
                  "the tensor has shape {1}",
                  path, formatShape(tensor.shape))
              .str());
    if (batch && tensor.shape[0] != batch)
      return createStringError(
          formatv("{0}: a batch of {1}, but {2} has {3}", path, tensor.shape[0],
                  inputFiles.front(), batch)
              .str());
    batch = tensor.shape[0];
  }
  return batch;
}

/// The input files checked against the model's inputs at the run's batch,
/// in aligned buffers.
Expected<std::vector<AlignedBuffer>> readInputs(ArrayRef<incept_tensor_info> expected,
                                                ArrayRef<Tensor> tensors) {
  std::vector<AlignedBuffer> inputs;
  for (auto [path, tensor, info] : llvm::zip_equal(inputFiles, tensors, expected)) {
    if (Error error = checkAgainst(path, tensor, info, "input",
                                   /*allowFloat64=*/false))
      return std::move(error);
    inputs.emplace_back(info);
    tensor.toBuffer(inputs.back().get());
  }
  return inputs;
}

Error checkOutputCount(const ModelLibrary &library, StringRef option,
                       size_t count) {
  if (count <= library.outputs().size())
    return Error::success();
  return createStringError(
      formatv("{0}: {1} {2} files given, but the model has {3} output{4} ({5})",
              library.path(), count, option, library.outputs().size(),
              library.outputs().size() == 1 ? "" : "s",
              listTensors(library.outputs()))
          .str());
}

Expected<std::vector<Tensor>> readReferences(const ModelLibrary &library,
                                             ArrayRef<incept_tensor_info> outputs) {
  if (Error error = checkOutputCount(library, "--compare", compareFiles.size()))
    return std::move(error);
  std::vector<Tensor> references;
  for (auto [path, info] : llvm::zip_first(compareFiles, outputs)) {
    Expected<Tensor> tensor = readTensorFile(path);
    if (!tensor)
      return tensor.takeError();
    if (Error error = checkAgainst(path, *tensor, info, "output",
                                   /*allowFloat64=*/true))
      return std::move(error);
    references.push_back(std::move(*tensor));
  }
  return references;
}

Error statusError(const ModelLibrary &library, StringRef function,
                  incept_status status) {
  std::string detail = library.lastError();
  return createStringError(formatv("{0}: {1}() failed with status {2}: {3}{4}",
                                   library.path(), function, static_cast<int>(status),
                                   incept_status_string(status),
                                   detail.empty() ? "" : " (" + detail + ")")
                               .str());
}

/// The layer table (and trace) of a profiled context.
Error reportProfile(const ModelLibrary &library, const incept_context *context) {
  const incept_model &model = library.model();
  bool hasProfile = model.struct_size >= offsetof(incept_model, profile) +
                                             sizeof(model.profile) &&
                    model.profile;
  incept_profile profile;
  if (!hasProfile || model.profile(context, &profile) != INCEPT_OK)
    return createStringError(library.path() +
                             ": the model was compiled without profiling; "
                             "compile it with incept-compile --profile");
  if (Error error = checkProfile(library.path(), model, profile))
    return error;
  if (library.runsOnGpu()) {
    // CUDA events' times; no peak to compare with (the GPU's is not known).
    printProfile(model, profile,
                 "on the GPU (the first run, which loads the kernels, not counted; "
                 "kernels of branches that run together overlap)",
                 0, outs());
  } else {
    // % of peak is of all the threads' FMA units.
    int count = *threads ? static_cast<int>(*threads) : incept_default_threads();
    double perCore = measureFmaPeakGflops();
    printProfile(model, profile,
                 formatv("{0} threads, FMA peak {1:f1} GFLOP/s a core (measured now)",
                         count, perCore)
                     .str(),
                 perCore * count, outs());
  }
  if (!traceFile.empty())
    return writeChromeTrace(model, profile, traceFile);
  return Error::success();
}

/// One context of a loaded library, made with the --threads option (and a
/// GPU library's --device and --direct-launches).
class Session {
public:
  /// `weights`: the weights file for a library of external weights, or
  /// empty for the one beside it.
  static Expected<std::unique_ptr<Session>> create(const ModelLibrary &library,
                                                   int64_t batch,
                                                   const std::string &weights) {
    const incept_model &model = library.model();
    for (const cl::Option *gpuOption : {static_cast<const cl::Option *>(&device),
                                        static_cast<const cl::Option *>(&directLaunches)})
      if (gpuOption->getNumOccurrences() && !library.runsOnGpu())
        return createStringError(formatv("--{0} is for a library compiled with "
                                         "--target=cuda; {1} runs on the CPU",
                                         gpuOption->ArgStr, library.path())
                                     .str());
    incept_create_options options = INCEPT_CREATE_OPTIONS_INIT;
    options.threads = static_cast<int32_t>(*threads);
    options.device = device;
    options.direct_launches = directLaunches ? 1 : 0;
    options.weights_path = weights.empty() ? nullptr : weights.c_str();
    bool hasOptions = model.struct_size >= offsetof(incept_model, create_with_options) +
                                               sizeof(model.create_with_options) &&
                      model.create_with_options;
    if (!hasOptions && threads->getNumOccurrences())
      return createStringError(library.path() +
                               ": the library predates --threads (no "
                               "create_with_options); use --threads 1");
    incept_context *context = nullptr;
    if (incept_status status = hasOptions
                                   ? model.create_with_options(&context, &options)
                                   : model.create(&context))
      return statusError(library, "create", status);
    return std::unique_ptr<Session>(new Session(library, batch, context));
  }
  ~Session() { library.model().destroy(context); }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  Error run(ArrayRef<const void *> inputs, ArrayRef<void *> outputs) {
    const incept_model &model = library.model();
    bool dynamic = library.dynamicBatch();
    if (incept_status status =
            dynamic ? model.run_batch(context, batch, inputs.data(), outputs.data())
                    : model.run(context, inputs.data(), outputs.data()))
      return statusError(library, dynamic ? "run_batch" : "run", status);
    return Error::success();
  }
  /// One run's wall time in milliseconds.
  Expected<double> timedRun(ArrayRef<const void *> inputs, ArrayRef<void *> outputs) {
    auto start = std::chrono::steady_clock::now();
    if (Error error = run(inputs, outputs))
      return std::move(error);
    std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    return elapsed.count();
  }
  const ModelLibrary &library;
  const incept_context *get() const { return context; }

private:
  Session(const ModelLibrary &library, int64_t batch, incept_context *context)
      : library(library), context(context), batch(batch) {}
  incept_context *context;
  int64_t batch;
};

/// Where a run of one session reads and writes.
struct RunBuffers {
  ArrayRef<const void *> inputs;
  ArrayRef<void *> outputs;
};

/// Runs each session once, or `warmup` times and then `repeat` timed times,
/// the sessions taking turns run by run (in the order A B, then B A, so that
/// neither always runs right after the other); returns each one's
/// latencies in milliseconds, in the order of the runs.
Expected<std::vector<std::vector<double>>>
runSessions(ArrayRef<Session *> sessions, ArrayRef<RunBuffers> buffers) {
  std::vector<std::vector<double>> latencies(sessions.size());
  if (!repeat) {
    for (auto [session, io] : llvm::zip_equal(sessions, buffers))
      if (Error error = session->run(io.inputs, io.outputs))
        return std::move(error);
    return latencies;
  }
  for (unsigned i = 0; i < warmup; ++i)
    for (auto [session, io] : llvm::zip_equal(sessions, buffers))
      if (Error error = session->run(io.inputs, io.outputs))
        return std::move(error);
  for (unsigned i = 0; i < repeat; ++i)
    for (size_t k = 0; k < sessions.size(); ++k) {
      size_t which = i % 2 ? sessions.size() - 1 - k : k;
      Expected<double> ms =
          sessions[which]->timedRun(buffers[which].inputs, buffers[which].outputs);
      if (!ms)
        return ms.takeError();
      latencies[which].push_back(*ms);
    }
  if (profileLayers)
    for (Session *session : sessions) {
      if (sessions.size() > 1)
        outs() << session->library.path() << ":\n";
      if (Error error = reportProfile(session->library, session->get()))
        return std::move(error);
    }
  return latencies;
}

double median(std::vector<double> values) {
  llvm::sort(values);
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void printLatency(std::vector<double> latencies, raw_ostream &os) {
  llvm::sort(latencies);
  size_t n = latencies.size();
  os << format("latency: median %.3f ms, min %.3f ms, max %.3f ms over %zu "
               "run%s\n",
               median(latencies), latencies.front(), latencies.back(), n,
               n == 1 ? "" : "s");
}

/// The --against library's latency and its ratio to this one's, run by run:
/// the median of other[i] / this[i] over runs that ran next to each other,
/// which a machine's drift over seconds moves far less than the ratio of
/// the two medians.
void printAgainst(StringRef path, ArrayRef<double> mine, ArrayRef<double> other,
                  raw_ostream &os) {
  os << path << ": ";
  printLatency(other.vec(), os);
  std::vector<double> ratios;
  for (auto [a, b] : llvm::zip_equal(mine, other))
    ratios.push_back(b / a);
  llvm::sort(ratios);
  size_t n = ratios.size();
  os << format("paired ratio %s / this: median %.3f (middle half %.3f to %.3f)\n",
               path.str().c_str(), median(ratios), ratios[n / 4], ratios[3 * n / 4]);
}

/// A library to time against this one must read and write the same tensors.
Error checkSameTensors(const ModelLibrary &mine, const ModelLibrary &other) {
  auto same = [](ArrayRef<incept_tensor_info> a, ArrayRef<incept_tensor_info> b) {
    return a.size() == b.size() &&
           llvm::all_of(llvm::zip_equal(a, b), [](auto pair) {
             auto [x, y] = pair;
             return StringRef(x.name) == y.name && x.dtype == y.dtype &&
                    shapeOf(x) == shapeOf(y);
           });
  };
  if (same(mine.inputs(), other.inputs()) && same(mine.outputs(), other.outputs()) &&
      mine.dynamicBatch() == other.dynamicBatch())
    return Error::success();
  return createStringError(
      formatv("--against {0}: not a build of the same model as {1}: it takes "
              "{2} and gives {3}, where {1} takes {4} and gives {5}",
              other.path(), mine.path(), listTensors(other.inputs()),
              listTensors(other.outputs()), listTensors(mine.inputs()),
              listTensors(mine.outputs()))
          .str());
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  // Not the General category: libLLVM registers hundreds of codegen options
  // there, none of which mean anything to this tool.
  incept::showOnlyCategories({&category});
  registerThreadsOption();
  incept::setVersionPrinter("incept-run");
  cl::ParseCommandLineOptions(
      argc, argv, "Incept: run a compiled model on .npy/.pb tensor files\n");
  if (Error error = checkOptions())
    return fail(std::move(error));

  Expected<std::unique_ptr<ModelLibrary>> library =
      ModelLibrary::open(libraryPath);
  if (!library)
    return fail(library.takeError());
  const ModelLibrary &model = **library;
  if (info) {
    printModelInfo(model, outs());
    bool onlyInfo = inputFiles.empty() && outputFiles.empty() &&
                    compareFiles.empty() && !repeat.getNumOccurrences();
    if (onlyInfo)
      return 0;
  }

  // Everything is read and checked before the model runs: a bad reference
  // found after a long run would waste it.
  Expected<std::vector<Tensor>> inputTensors = readInputFiles(model);
  if (!inputTensors)
    return fail(inputTensors.takeError());
  Expected<int64_t> batch = batchOfInputs(model, *inputTensors);
  if (!batch)
    return fail(batch.takeError());
  bool dynamic = model.dynamicBatch();
  TensorsAtBatch inputInfos(model.inputs(), dynamic, *batch),
      outputInfos(model.outputs(), dynamic, *batch);
  Expected<std::vector<AlignedBuffer>> inputs = readInputs(inputInfos.get(), *inputTensors);
  if (!inputs)
    return fail(inputs.takeError());
  inputTensors->clear();
  if (Error error = checkOutputCount(model, "--output", outputFiles.size()))
    return fail(std::move(error));
  Expected<std::vector<Tensor>> references = readReferences(model, outputInfos.get());
  if (!references)
    return fail(references.takeError());

  std::vector<AlignedBuffer> outputs;
  for (const incept_tensor_info &output : outputInfos.get()) {
    outputs.emplace_back(output);
    outputs.back().poison();
  }
  SmallVector<const void *> inputPointers;
  for (const AlignedBuffer &input : *inputs)
    inputPointers.push_back(input.get());
  SmallVector<void *> outputPointers;
  for (const AlignedBuffer &output : outputs)
    outputPointers.push_back(output.get());

  // With --against, the other library writes into buffers of its own, so
  // that the outputs checked below are this library's alone.
  std::unique_ptr<ModelLibrary> against;
  std::vector<AlignedBuffer> againstOutputs;
  SmallVector<void *> againstPointers;
  if (!againstPath.empty()) {
    Expected<std::unique_ptr<ModelLibrary>> other = ModelLibrary::open(againstPath);
    if (!other)
      return fail(other.takeError());
    against = std::move(*other);
    if (Error error = checkSameTensors(model, *against))
      return fail(std::move(error));
    for (const incept_tensor_info &output : outputInfos.get())
      againstPointers.push_back(againstOutputs.emplace_back(output).get());
  }
  Expected<std::unique_ptr<Session>> session = Session::create(model, *batch, weightsPath);
  if (!session)
    return fail(session.takeError());
  SmallVector<Session *> sessions = {session->get()};
  SmallVector<RunBuffers> buffers = {{inputPointers, outputPointers}};
  std::unique_ptr<Session> againstSession;
  if (against) {
    Expected<std::unique_ptr<Session>> other = Session::create(*against, *batch, "");
    if (!other)
      return fail(other.takeError());
    againstSession = std::move(*other);
    sessions.push_back(againstSession.get());
    buffers.push_back({inputPointers, againstPointers});
  }
  Expected<std::vector<std::vector<double>>> latencies = runSessions(sessions, buffers);
  if (!latencies)
    return fail(latencies.takeError());
  if (!latencies->front().empty())
    printLatency(latencies->front(), outs());
  if (against)
    printAgainst(against->path(), latencies->front(), latencies->back(), outs());

  for (auto [path, info, output] :
       llvm::zip_first(outputFiles, outputInfos.get(), outputs)) {
    if (Error error = writeTensorFile(path, info.name, output.tensor()))
      return fail(std::move(error));
  }

  Tolerance tolerance{toleranceMode, relativeTolerance, absoluteTolerance};
  bool allPass = true;
  for (auto [reference, info, output] :
       llvm::zip_first(*references, outputInfos.get(), outputs)) {
    Comparison comparison = compareWithReference(output.tensor(), reference,
                                                 tolerance, showErrors);
    printComparison(outs(), info.name, shapeOf(info), comparison, tolerance);
    allPass &= comparison.pass;
  }
  return allPass ? 0 : 1;
}
