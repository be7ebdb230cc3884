//===- ModelInterface.cpp - the interface of a compiled model --------------===//

#include "compiler/Codegen/ModelInterface.h"
#include "compiler/Codegen/PreparedWeights.h"

#include "dialects/Incept/ElementTypes.h"
#include "dialects/Incept/InceptOps.h"

#include "incept/runtime.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace incept {

std::string cStringLiteral(llvm::StringRef text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c < 0x20 || c >= 0x7f)
      out += llvm::formatv("\\{0:o3}", unsigned(c)).str();
    else
      out += c;
  }
  return out + "\"";
}

int64_t TensorInterface::numElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

int64_t TensorInterface::imageElements() const {
  return shape.empty() || shape[0] == 0 ? numElements() : numElements() / shape[0];
}

int64_t ModelInterface::compiledBatch() const {
  return inputs.empty() || inputs[0].shape.empty() ? 1 : inputs[0].shape[0];
}

namespace {

constexpr uint64_t kArenaAlignment = INCEPT_ARENA_ALIGNMENT;

uint64_t alignToArena(uint64_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

const DtypeInfo &dtypeInfo(int32_t dtype) {
  if (const DtypeInfo *info = findDtype(dtype))
    return *info;
  llvm_unreachable("a dtype the importer does not produce");
}

/// The incept_dtype of an element type of the incept dialect.
int32_t dtypeOfElement(Type type) {
  if (const DtypeInfo *info = dtypeOf(type))
    return info->number;
  llvm_unreachable("an element type the importer does not produce");
}

} // namespace

std::string TensorInterface::dtypeEnumerator() const {
  return dtypeInfo(dtype).enumerator.str();
}

std::string TensorInterface::cType() const { return dtypeInfo(dtype).cType.str(); }

uint64_t ModelInterface::stagingBytes() const {
  // On a CPU every whole chunk uses the caller's buffers in place; a GPU
  // stages every run on host buffers in its own memory.
  if (!cuda && (!dynamicBatch || compiledBatch() == 1))
    return 0;
  uint64_t bytes = 0;
  for (const auto *tensors : {&inputs, &outputs})
    for (const TensorInterface &tensor : *tensors)
      bytes += alignToArena(uint64_t(tensor.numElements()) * dtypeInfo(tensor.dtype).bytes);
  return bytes;
}

/// Names a tensor's identifier must not take: C and C++ keywords (the header
/// is included from both), and the parameters and locals of the generated
/// functions whose parameters the tensors' identifiers are.
bool isReservedIdentifier(llvm::StringRef identifier) {
  static const llvm::StringSet<> reserved = {
      // C11
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
      "int", "long", "register", "restrict", "return", "short", "signed", "sizeof",
      "static", "struct", "switch", "typedef", "union", "unsigned", "void",
      "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex",
      "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
      // C++20, less C's
      "alignas", "alignof", "and", "and_eq", "asm", "bitand", "bitor", "bool",
      "catch", "char8_t", "char16_t", "char32_t", "class", "co_await", "co_return",
      "co_yield", "compl", "concept", "const_cast", "consteval", "constexpr",
      "constinit", "decltype", "delete", "dynamic_cast", "explicit", "export",
      "false", "friend", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
      "reinterpret_cast", "requires", "static_assert", "static_cast", "template",
      "this", "thread_local", "throw", "true", "try", "typeid", "typename", "using",
      "virtual", "wchar_t", "xor", "xor_eq",
      // The wrapper's own names beside the tensors'
      "context", "batch", "stream", "arena", "state", "status", "start", "images",
      "description", "inputs", "outputs"};
  return reserved.contains(identifier);
}

std::string toCIdentifier(llvm::StringRef text, llvm::StringRef fallback) {
  std::string identifier;
  for (char c : text)
    identifier += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (identifier.empty())
    return fallback.str();
  if (llvm::isDigit(identifier[0]))
    identifier.insert(0, "_");
  if (isReservedIdentifier(identifier))
    identifier += "_";
  return identifier;
}

namespace {

TensorInterface readTensor(Type type, DictionaryAttr attrs, llvm::StringRef fallback,
                           llvm::StringSet<> &taken) {
  TensorInterface tensor;
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>(kTensorNameAttr))
      tensor.name = name.str();
  if (tensor.name.empty())
    tensor.name = fallback.str();
  auto shaped = cast<ShapedType>(type);
  tensor.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
  tensor.dtype = dtypeOfElement(shaped.getElementType());
  // Parameter names in the typed API: unique, and never a C keyword clash
  // with the context parameter.
  std::string base = toCIdentifier(tensor.name, fallback);
  if (base == "context")
    base += "_";
  std::string identifier = base;
  for (int i = 2; !taken.insert(identifier).second; ++i)
    identifier = base + "_" + std::to_string(i);
  tensor.identifier = identifier;
  return tensor;
}

std::string shapeList(const TensorInterface &tensor) {
  std::vector<std::string> sizes;
  for (int64_t size : tensor.shape)
    sizes.push_back(std::to_string(size));
  return "{" + llvm::join(sizes, ", ") + "}";
}

std::string upper(llvm::StringRef text) { return llvm::StringRef(text).upper(); }

/// The typed run's parameter list; with `batch`, run_batch's.
std::string runParameters(const ModelInterface &model, bool batch = false) {
  std::string params = model.name + "_context *context";
  if (batch)
    params += ", int64_t batch";
  for (const TensorInterface &input : model.inputs)
    params += ", const " + input.cType() + " *" + input.identifier;
  for (const TensorInterface &output : model.outputs)
    params += ", " + output.cType() + " *" + output.identifier;
  return params;
}

} // namespace

ModelInterface readModelInterface(func::FuncOp func, llvm::StringRef name,
                                  llvm::StringRef source) {
  ModelInterface model;
  model.name = name.str();
  model.source = source.str();
  llvm::StringSet<> taken;
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    model.inputs.push_back(readTensor(type.getInput(i), func.getArgAttrDict(i),
                                      "input" + std::to_string(i), taken));
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    model.outputs.push_back(readTensor(type.getResult(i), func.getResultAttrDict(i),
                                       "output" + std::to_string(i), taken));
  return model;
}

std::string generateHeader(const ModelInterface &model) {
  std::string guard = upper(model.name) + "_H";
  std::string macro = upper(model.name);
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "/* " << model.name << ".h - generated by incept-compile "
     << model.compilerVersion << " from " << model.source << ".\n"
     << " * Target: " << model.target << ". See docs/c-api.md. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"incept/incept.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "typedef incept_context " << model.name << "_context;\n\n"
     << "enum {\n  " << macro << "_NUM_INPUTS = " << model.inputs.size()
     << ",\n  " << macro << "_NUM_OUTPUTS = " << model.outputs.size()
     << ",\n};\n\n";
  auto describe = [&](const char *kind, const std::vector<TensorInterface> &tensors) {
    for (auto [index, tensor] : llvm::enumerate(tensors)) {
      std::string prefix = macro + "_" + kind + std::to_string(index);
      os << "/* " << tensor.identifier << " */\n"
         << "#define " << prefix << "_NAME " << cStringLiteral(tensor.name) << "\n"
         << "#define " << prefix << "_DTYPE " << tensor.dtypeEnumerator() << "\n"
         << "#define " << prefix << "_RANK " << tensor.shape.size() << "\n"
         << "#define " << prefix << "_SHAPE " << shapeList(tensor) << "\n"
         << "#define " << prefix << "_NUM_ELEMENTS " << tensor.numElements()
         << "\n"
         << "#define " << prefix << "_IMAGE_ELEMENTS " << tensor.imageElements()
         << "\n";
    }
  };
  describe("INPUT", model.inputs);
  describe("OUTPUT", model.outputs);
  os << "#define " << macro << "_SCRATCH_BYTES " << model.scratchBytes << "\n"
     << "/* 1: _run_batch takes any batch >= 1 (--batch dynamic), in chunks of\n"
     << " * " << macro << "_COMPILED_BATCH images; 0: only that batch. */\n"
     << "#define " << macro << "_DYNAMIC_BATCH " << (model.dynamicBatch ? 1 : 0) << "\n"
     << "#define " << macro << "_COMPILED_BATCH " << model.compiledBatch() << "\n\n";
  if (model.externalWeights)
    os << "/* --weights=external: create reads this weights file (in the library's\n"
       << " * directory, or incept_create_options.weights_path). */\n"
       << "#define " << macro << "_WEIGHTS_FILE "
       << cStringLiteral(model.externalWeights->fileName) << "\n"
       << "#define " << macro << "_NUM_WEIGHTS " << model.externalWeights->manifest.size()
       << "\n\n";
  os << "/* A context owns the scratch memory of one inference at a time: use\n"
     << " * one per thread. */\n"
     << "incept_status " << model.name << "_create(" << model.name
     << "_context **context);\n"
     << "/* With options (threads, ...); `options` may be null for the\n"
     << " * defaults: incept_create_options o = INCEPT_CREATE_OPTIONS_INIT;\n"
     << " * o.threads = 2; */\n"
     << "incept_status " << model.name << "_create_with_options(" << model.name
     << "_context **context, const incept_create_options *options);\n"
     << "/* Inputs and outputs are caller-owned, dense, row-major buffers of\n"
     << " * their dtype (<NAME>_INPUTi_DTYPE; a bool is one byte, 0 or 1). */\n"
     << "incept_status " << model.name << "_run(" << runParameters(model) << ");\n"
     << "/* The same on `batch` images: every buffer holds `batch` times\n"
     << " * <NAME>_..._IMAGE_ELEMENTS elements (see <NAME>_DYNAMIC_BATCH). */\n"
     << "incept_status " << model.name << "_run_batch("
     << runParameters(model, /*batch=*/true) << ");\n"
     << "void " << model.name << "_destroy(" << model.name << "_context *context);\n";
  if (model.cuda)
    os << "/* A GPU library's run on buffers in the GPU's memory, enqueued on\n"
       << " * `stream` (a CUstream; null: the context's own) and not waited for.\n"
       << " * incept_last_error() (or _last_error) says what a failed call knows. */\n"
       << "incept_status " << model.name << "_run_device(" << runParameters(model)
       << ", void *stream);\n"
       << "/* The same on `batch` images (see <NAME>_DYNAMIC_BATCH), all enqueued\n"
       << " * on `stream`. */\n"
       << "incept_status " << model.name << "_run_batch_device("
       << runParameters(model, /*batch=*/true) << ", void *stream);\n";
  os << "/* The description the generic entry point returns. */\n"
     << "const incept_model *" << model.name << "_model(void);\n"
     << "/* incept_status_string of the runtime inside the library (a shared\n"
     << " * library exports no runtime symbol). */\n"
     << "const char *" << model.name << "_status_string(incept_status status);\n"
     << "/* incept_last_error of the runtime inside the library. */\n"
     << "const char *" << model.name << "_last_error(void);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return out;
}

std::vector<LayerInterface> readLayers(func::FuncOp func) {
  std::vector<LayerInterface> layers;
  func.walk([&](mlir::Operation *op) {
    // External weights and their preparation run at create, not in a layer.
    if (!isa<InceptDialect>(op->getDialect()) ||
        isa<YieldOp, ExternalWeightOp, PrepareOp>(op) || op->getNumResults() == 0 ||
        op->getParentOfType<ConvChainOp>())
      return;
    auto node = op->getLoc()->findInstanceOf<mlir::NameLoc>();
    if (!node)
      return;
    LayerInterface layer;
    layer.name = node.getName().str();
    layer.op = op->getName().stripDialect().str();
    auto type = mlir::dyn_cast<mlir::RankedTensorType>(op->getResult(0).getType());
    if (type)
      for (auto [i, size] : llvm::enumerate(type.getShape()))
        layer.shape += (i ? "x" : "") + std::to_string(size);
    if (auto conv = dyn_cast<ConvOp>(op)) {
      auto weight = mlir::cast<mlir::RankedTensorType>(conv.getWeight().getType());
      layer.flops = 2.0 * double(type.getNumElements()) *
                    double(weight.getNumElements() / weight.getDimSize(0));
      if (ConvStrategyAttr strategy = conv.getStrategyAttr()) {
        layer.strategy = stringifyConvStrategyKind(strategy.getKind()).str();
        if (strategy.isBlocked())
          layer.strategy += " " + std::to_string(strategy.getBlock()) + " " +
                            std::to_string(strategy.getTileF()) + "x" +
                            std::to_string(strategy.getTileW());
      }
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      auto a = mlir::cast<mlir::RankedTensorType>(gemm->getOperand(0).getType());
      layer.flops = 2.0 * double(type.getNumElements()) *
                    double(gemm.getTransA() ? a.getDimSize(0) : a.getDimSize(1));
    }
    layers.push_back(std::move(layer));
  });
  return layers;
}

namespace {

/// <name>_run_batch: the compiled batch alone for a fixed batch; for a
/// dynamic one, the forward function on each chunk of the caller's buffers
/// in place, a partial last chunk copied to the staging area after the
/// activations (zeros past its images), run there and its images copied out.
/// On a GPU every chunk is staged, whole or not.
void generateRunBatch(const ModelInterface &model, uint64_t stagingOffset,
                      llvm::raw_ostream &os) {
  const std::string &n = model.name;
  int64_t chunk = model.compiledBatch();
  os << "incept_status " << n << "_run_batch(" << runParameters(model, true)
     << ") {\n"
     << "  if (incept_context_model(context) != &description || batch < 1)\n"
     << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  std::vector<std::string> whole = {"context"};
  for (const auto *tensors : {&model.inputs, &model.outputs})
    for (const TensorInterface &tensor : *tensors)
      whole.push_back(tensor.identifier);
  if (!model.dynamicBatch) {
    os << "  if (batch != " << chunk << ")\n"
       << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
       << "  return " << n << "_run(" << llvm::join(whole, ", ") << ");\n}\n\n";
    return;
  }
  for (const auto *tensors : {&model.inputs, &model.outputs})
    for (const TensorInterface &tensor : *tensors)
      os << "  if (!" << tensor.identifier << ")\n"
         << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  if (model.cuda) {
    // Each chunk staged on the GPU, in order on the context's stream, the
    // inference replaying one CUDA graph (generateCudaEntryPoints).
    os << "  device_state *state = incept_context_attachment(context);\n"
       << "  incept_status status = INCEPT_OK;\n"
       << "  for (int64_t start = 0; start < batch && status == INCEPT_OK; start += "
       << chunk << ") {\n"
       << "    int64_t images = batch - start < " << chunk << " ? batch - start : " << chunk
       << ";\n"
       << "    status = run_images(state, start, images, "
       << llvm::join(llvm::ArrayRef(whole).drop_front(), ", ") << ");\n  }\n"
       << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_synchronize(state->gpu, 0);\n"
       << "  return status;\n}\n\n";
    return;
  }
  os << "  char *arena = incept_context_scratch(context);\n"
     << "  incept_run_begin(context);\n"
     << "  for (int64_t start = 0; start < batch; start += " << chunk << ") {\n"
     << "    int64_t images = batch - start < " << chunk << " ? batch - start : "
     << chunk << ";\n";
  // Pointers to this chunk's images, in place.
  std::vector<std::string> arguments = {"arena"};
  if (model.externalWeights)
    arguments.push_back("incept_context_attachment(context)");
  for (const auto *tensors : {&model.inputs, &model.outputs}) {
    bool isInput = tensors == &model.inputs;
    for (const TensorInterface &tensor : *tensors) {
      os << "    " << (isInput ? "const " : "") << tensor.cType() << " *chunk_"
         << tensor.identifier << " = " << tensor.identifier << " + start * "
         << tensor.imageElements() << ";\n";
      arguments.push_back("(void *)chunk_" + tensor.identifier);
    }
  }
  if (chunk > 1) {
    os << "    if (images < " << chunk << ") {\n";
    uint64_t offset = stagingOffset;
    for (const auto *tensors : {&model.inputs, &model.outputs}) {
      bool isInput = tensors == &model.inputs;
      for (const TensorInterface &tensor : *tensors) {
        std::string staged = "staged_" + tensor.identifier;
        std::string image = std::to_string(tensor.imageElements()) + " * sizeof(" +
                            tensor.cType() + ")";
        os << "      " << tensor.cType() << " *" << staged << " = (" << tensor.cType()
           << " *)(arena + " << offset << "u);\n";
        if (isInput)
          os << "      memcpy(" << staged << ", chunk_" << tensor.identifier
             << ", images * " << image << ");\n"
             << "      memset(" << staged << " + images * " << tensor.imageElements()
             << ", 0, (" << chunk << " - images) * " << image << ");\n";
        os << "      chunk_" << tensor.identifier << " = " << staged << ";\n";
        offset += alignToArena(uint64_t(tensor.numElements()) *
                               dtypeInfo(tensor.dtype).bytes);
      }
    }
    os << "    }\n";
  }
  os << "    " << model.forwardSymbol() << "(" << llvm::join(arguments, ", ")
     << ");\n";
  if (chunk > 1) {
    os << "    if (images < " << chunk << ") {\n";
    for (const TensorInterface &tensor : model.outputs)
      os << "      memcpy(" << tensor.identifier << " + start * "
         << tensor.imageElements() << ", chunk_" << tensor.identifier
         << ", images * " << tensor.imageElements() << " * sizeof(" << tensor.cType()
         << "));\n";
    os << "    }\n";
  }
  os << "  }\n  incept_run_end();\n  return INCEPT_OK;\n}\n\n";
}

/// A GPU library's create, destroy, run, run_device and run_batch_device (and
/// what run_batch calls for a dynamic batch): the context holds a
/// device context (its arena, with the inputs and outputs of a run on host
/// buffers staged after the activations) and the uploaded weights.
void generateCudaEntryPoints(const ModelInterface &model, uint64_t stagingOffset,
                             llvm::raw_ostream &os) {
  const std::string &n = model.name;
  uint64_t arenaBytes = stagingOffset + model.stagingBytes();
  os << "typedef struct device_state {\n"
     << "  incept_cuda_context *gpu;\n  void *weights;\n"
     << "  void *prepared; /* --weights=external: the prepared weights */\n"
     << "  int direct_launches;\n"
     << "  int warmed; /* a run has loaded the kernels: the next may capture */\n"
     << "} device_state;\n\n"
     << "static void destroy_device_state(void *attachment) {\n"
     << "  device_state *state = attachment;\n"
     << "  incept_cuda_context_destroy(state->gpu);\n  free(state);\n}\n\n"
     << "incept_status " << n << "_create_with_options(" << n
     << "_context **context, const incept_create_options *options) {\n"
     << "  if (!context)\n    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
     << "  *context = 0;\n"
     << "  int32_t device = 0, direct_launches = 0;\n"
     << "  if (options) {\n"
     << "    if (options->struct_size < sizeof(uint32_t))\n"
     << "      return INCEPT_ERROR_INVALID_ARGUMENT;\n"
     << "    if (options->struct_size >= offsetof(incept_create_options, device) + "
        "sizeof(int32_t))\n"
     << "      device = options->device;\n"
     << "    if (options->struct_size >= offsetof(incept_create_options, "
        "direct_launches) + sizeof(int32_t))\n"
     << "      direct_launches = options->direct_launches;\n  }\n"
     // The host side runs in the calling thread: no workers.
     << "  incept_create_options host = INCEPT_CREATE_OPTIONS_INIT;\n"
     << "  host.threads = 1;\n"
     << "  incept_status status = incept_context_create(&description, 0, &host, "
        "context);\n"
     << "  if (status != INCEPT_OK)\n    return status;\n";
  // External weights are read, checked and prepared on the host before
  // the GPU is touched: a file that does not match uploads nothing.
  if (model.externalWeights)
    os << "  float *prepared = 0;\n"
       << "  status = load_weights(options, &prepared);\n"
       << "  if (status != INCEPT_OK) {\n"
       << "    incept_context_destroy(*context);\n    *context = 0;\n"
       << "    return status;\n  }\n";
  os << "  device_state *state = calloc(1, sizeof *state);\n"
     << "  status = state ? incept_cuda_context_create(device, "
     << model.computeCapability << ", " << arenaBytes
     << "u, &state->gpu) : INCEPT_ERROR_OUT_OF_MEMORY;\n"
     << "  if (status == INCEPT_OK)\n"
     << "    status = incept_cuda_alloc(state->gpu, " << model.weightsBytes
     << "u, &state->weights);\n"
     << "  if (status == INCEPT_OK)\n"
     << "    status = incept_cuda_copy_to_device(state->gpu, state->weights, "
     << model.forwardSymbol() << "_weights, " << model.weightsBytes << "u, 0);\n";
  if (model.externalWeights) {
    // Uploaded once; the host's copy is freed after the synchronisation.
    uint64_t bytes = std::max<uint64_t>(model.externalWeights->preparedFloats, 1) * 4;
    os << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_alloc(state->gpu, " << bytes << "u, &state->prepared);\n"
       << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_copy_to_device(state->gpu, state->prepared, "
          "prepared, " << bytes << "u, 0);\n";
  }
  os << "  if (status == INCEPT_OK)\n"
     << "    status = incept_cuda_synchronize(state->gpu, 0);\n";
  if (model.externalWeights)
    os << "  free(prepared);\n";
  // Profiled: the host context keeps the times, the device context's
  // events measure them.
  if (!model.kernelLayers.empty())
    os << "  if (status == INCEPT_OK)\n"
       << "    status = incept_context_enable_profile(*context, "
       << model.kernelLayers.size() << ", kernel_layers);\n"
       << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_enable_profile(state->gpu, *context, "
       << model.kernelLayers.size() << ");\n";
  os << "  if (status != INCEPT_OK) {\n"
     << "    if (state)\n      destroy_device_state(state);\n"
     << "    incept_context_destroy(*context);\n    *context = 0;\n"
     << "    return status;\n  }\n"
     << "  state->direct_launches = direct_launches != 0;\n"
     << "  incept_context_attach(*context, state, destroy_device_state);\n"
     << "  return INCEPT_OK;\n}\n\n"
     << "incept_status " << n << "_create(" << n << "_context **context) {\n"
     << "  return " << n << "_create_with_options(context, 0);\n}\n\n"
     << "void " << n << "_destroy(" << n << "_context *context) {\n"
     << "  incept_context_destroy(context);\n}\n\n"
     << "static incept_status profile(const incept_context *context,\n"
     << "                             incept_profile *out) {\n"
     << "  device_state *state = incept_context_attachment(context);\n"
     << "  incept_status status = state ? incept_cuda_read_profile(state->gpu)\n"
     << "                               : INCEPT_ERROR_INVALID_ARGUMENT;\n"
     << "  return status != INCEPT_OK ? status : incept_context_profile(context, out);\n"
     << "}\n\n";

  // One inference on the buffers staged after the activations. The first
  // launches kernel by kernel, loading the module and finding the functions
  // (driver calls a stream capture must not see); the second is captured as
  // the CUDA graph that run_end launches; later ones replay it.
  std::vector<std::string> arguments = {"arena", "state->weights"};
  if (model.externalWeights)
    arguments.push_back("state->prepared");
  std::vector<uint64_t> stagedOffsets;
  uint64_t offset = stagingOffset;
  for (const auto *tensors : {&model.inputs, &model.outputs})
    for (const TensorInterface &tensor : *tensors) {
      stagedOffsets.push_back(offset);
      arguments.push_back("arena + " + std::to_string(offset) + "u");
      offset += alignToArena(uint64_t(tensor.numElements()) * dtypeInfo(tensor.dtype).bytes);
    }
  os << "static incept_status run_staged(device_state *state) {\n"
     << "  if (!state->direct_launches && incept_cuda_has_graph(state->gpu))\n"
     << "    return incept_cuda_replay(state->gpu, 0);\n"
     << "  char *arena = incept_cuda_context_arena(state->gpu);\n"
     << "  int capture = !state->direct_launches && state->warmed;\n"
     << "  incept_status status = incept_cuda_run_begin(state->gpu, 0, capture ? "
        "INCEPT_CUDA_CAPTURE : INCEPT_CUDA_LAUNCH);\n"
     << "  if (status != INCEPT_OK)\n    return status;\n"
     << "  " << model.forwardSymbol() << "(" << llvm::join(arguments, ", ") << ");\n"
     << "  status = incept_cuda_run_end();\n"
     << "  state->warmed = status == INCEPT_OK;\n"
     << "  return status;\n}\n\n";

  // On host buffers: images [start, start + images) of every tensor (with a
  // fixed batch, the whole tensors) copied into the staging area, the
  // inference, its images copied back; a partial chunk's surplus images are
  // zeros. Not waited for.
  std::vector<std::string> parameters;
  for (const auto *tensors : {&model.inputs, &model.outputs}) {
    bool isInput = tensors == &model.inputs;
    for (const TensorInterface &tensor : *tensors)
      parameters.push_back(std::string(isInput ? "const " : "") + tensor.cType() + " *" +
                           tensor.identifier);
  }
  int64_t chunk = model.compiledBatch();
  os << "static incept_status run_images(device_state *state, int64_t start, "
        "int64_t images, "
     << llvm::join(parameters, ", ") << ") {\n"
     << "  char *arena = incept_cuda_context_arena(state->gpu);\n"
     << "  incept_status status = INCEPT_OK;\n";
  if (!model.dynamicBatch)
    os << "  (void)start;\n  (void)images;\n";
  // The bytes and the first element of the images a copy moves.
  auto images = [&](const TensorInterface &tensor) {
    uint64_t bytes = dtypeInfo(tensor.dtype).bytes;
    if (!model.dynamicBatch)
      return std::make_pair(std::to_string(uint64_t(tensor.numElements()) * bytes) + "u",
                            tensor.identifier);
    return std::make_pair("(uint64_t)images * " +
                              std::to_string(uint64_t(tensor.imageElements()) * bytes) + "u",
                          tensor.identifier + " + start * " +
                              std::to_string(tensor.imageElements()));
  };
  for (auto [index, tensor] : llvm::enumerate(model.inputs)) {
    auto [bytes, first] = images(tensor);
    std::string staged = "arena + " + std::to_string(stagedOffsets[index]) + "u";
    os << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_copy_to_device(state->gpu, " << staged << ", " << first
       << ", " << bytes << ", 0);\n";
    if (model.dynamicBatch && chunk > 1) {
      uint64_t imageBytes = uint64_t(tensor.imageElements()) * dtypeInfo(tensor.dtype).bytes;
      os << "  if (status == INCEPT_OK && images < " << chunk << ")\n"
         << "    status = incept_cuda_zero(state->gpu, " << staged << " + images * "
         << imageBytes << "u, (uint64_t)(" << chunk << " - images) * " << imageBytes
         << "u, 0);\n";
    }
  }
  os << "  if (status == INCEPT_OK)\n    status = run_staged(state);\n";
  for (auto [index, tensor] : llvm::enumerate(model.outputs)) {
    auto [bytes, first] = images(tensor);
    os << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_copy_to_host(state->gpu, " << first << ", arena + "
       << stagedOffsets[model.inputs.size() + index] << "u, " << bytes << ", 0);\n";
  }
  os << "  return status;\n}\n\n";

  std::vector<std::string> tensorNames;
  for (const auto *tensors : {&model.inputs, &model.outputs})
    for (const TensorInterface &tensor : *tensors)
      tensorNames.push_back(tensor.identifier);
  os << "incept_status " << n << "_run(" << runParameters(model) << ") {\n"
     << "  if (incept_context_model(context) != &description)\n"
     << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  for (const std::string &tensor : tensorNames)
    os << "  if (!" << tensor << ")\n"
       << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  os << "  device_state *state = incept_context_attachment(context);\n"
     << "  incept_status status = run_images(state, 0, " << chunk << ", "
     << llvm::join(tensorNames, ", ") << ");\n"
     << "  if (status == INCEPT_OK)\n"
     << "    status = incept_cuda_synchronize(state->gpu, 0);\n"
     << "  return status;\n}\n\n";

  // On device buffers and a stream: one inference launched, not waited for.
  arguments = {"incept_cuda_context_arena(state->gpu)", "state->weights"};
  if (model.externalWeights)
    arguments.push_back("state->prepared");
  for (const std::string &tensor : tensorNames)
    arguments.push_back("(void *)" + tensor);
  os << "static incept_status launch_on(device_state *state, void *stream, "
     << llvm::join(parameters, ", ") << ") {\n"
     << "  incept_status status = incept_cuda_run_begin(state->gpu, stream, "
        "INCEPT_CUDA_LAUNCH);\n"
     << "  if (status != INCEPT_OK)\n    return status;\n"
     << "  " << model.forwardSymbol() << "(" << llvm::join(arguments, ", ") << ");\n"
     << "  return incept_cuda_run_end();\n}\n\n";

  auto checkArguments = [&] {
    os << "  if (incept_context_model(context) != &description)\n"
       << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
    for (const std::string &tensor : tensorNames)
      os << "  if (!" << tensor << ")\n"
         << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  };
  os << "incept_status " << n << "_run_device(" << runParameters(model)
     << ", void *stream) {\n";
  checkArguments();
  os << "  return launch_on(incept_context_attachment(context), stream, "
     << llvm::join(tensorNames, ", ") << ");\n}\n\n";

  // `batch` images on device buffers: whole chunks in place, a partial last
  // one staged in the arena (copies on the GPU), all on `stream`.
  os << "incept_status " << n << "_run_batch_device(" << runParameters(model, true)
     << ", void *stream) {\n";
  checkArguments();
  os << "  if (batch < 1)\n    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  if (!model.dynamicBatch) {
    os << "  if (batch != " << chunk << ")\n"
       << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
       << "  return " << n << "_run_device(context, " << llvm::join(tensorNames, ", ")
       << ", stream);\n}\n\n";
    return;
  }
  std::vector<std::string> inPlace, staged;
  for (const auto *tensors : {&model.inputs, &model.outputs})
    for (const TensorInterface &tensor : *tensors) {
      inPlace.push_back(tensor.identifier + " + start * " +
                        std::to_string(tensor.imageElements()));
      staged.push_back("(" + tensor.cType() + " *)(arena + " +
                       std::to_string(stagedOffsets[staged.size()]) + "u)");
    }
  os << "  device_state *state = incept_context_attachment(context);\n"
     << "  char *arena = incept_cuda_context_arena(state->gpu);\n"
     << "  incept_status status = INCEPT_OK;\n"
     << "  int64_t start = 0;\n"
     << "  for (; start + " << chunk << " <= batch && status == INCEPT_OK; start += " << chunk
     << ")\n"
     << "    status = launch_on(state, stream, " << llvm::join(inPlace, ", ") << ");\n"
     << "  int64_t images = batch - start;\n"
     << "  if (status != INCEPT_OK || images == 0)\n    return status;\n";
  for (auto [index, tensor] : llvm::enumerate(model.inputs)) {
    uint64_t imageBytes = uint64_t(tensor.imageElements()) * dtypeInfo(tensor.dtype).bytes;
    os << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_copy_on_device(state->gpu, " << staged[index] << ", "
       << inPlace[index] << ", (uint64_t)images * " << imageBytes << "u, stream);\n"
       << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_zero(state->gpu, arena + " << stagedOffsets[index]
       << "u + images * " << imageBytes << "u, (uint64_t)(" << chunk << " - images) * "
       << imageBytes << "u, stream);\n";
  }
  os << "  if (status == INCEPT_OK)\n"
     << "    status = launch_on(state, stream, " << llvm::join(staged, ", ") << ");\n";
  for (auto [index, tensor] : llvm::enumerate(model.outputs)) {
    size_t at = model.inputs.size() + index;
    uint64_t imageBytes = uint64_t(tensor.imageElements()) * dtypeInfo(tensor.dtype).bytes;
    os << "  if (status == INCEPT_OK)\n"
       << "    status = incept_cuda_copy_on_device(state->gpu, " << inPlace[at] << ", "
       << staged[at] << ", (uint64_t)images * " << imageBytes << "u, stream);\n";
  }
  os << "  return status;\n}\n\n";
}

} // namespace

std::string generateWrapperSource(const ModelInterface &model) {
  std::string out;
  llvm::raw_string_ostream os(out);
  const std::string &n = model.name;
  os << "/* The wrapper of " << n << ", generated by incept-compile. */\n"
     << "#include \"incept/runtime.h\"\n"
     << (model.cuda ? "#include \"incept/cuda.h\"\n" : "")
     << (model.externalWeights ? "#include \"incept/prepare.h\"\n" : "")
     << "\n#include <stddef.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
     // Compiled with -fvisibility=hidden: only the API is exported.
     << "#define API __attribute__((visibility(\"default\")))\n"
     << "typedef incept_context " << n << "_context;\n"
     << "API incept_status " << n << "_create(" << n << "_context **context);\n"
     << "API incept_status " << n << "_create_with_options(" << n
     << "_context **context, const incept_create_options *options);\n"
     << "API void " << n << "_destroy(" << n << "_context *context);\n"
     << "API incept_status " << n << "_run(" << runParameters(model) << ");\n"
     << "API incept_status " << n << "_run_batch("
     << runParameters(model, /*batch=*/true) << ");\n"
     << "API const incept_model *" << n << "_model(void);\n"
     << "API const char *" << n << "_status_string(incept_status status);\n"
     << "API const char *" << n << "_last_error(void);\n";
  if (model.cuda)
    os << "API incept_status " << n << "_run_device(" << runParameters(model)
       << ", void *stream);\n"
       << "API incept_status " << n << "_run_batch_device("
       << runParameters(model, /*batch=*/true) << ", void *stream);\n"
       << "extern const char " << model.forwardSymbol() << "_weights[];\n";
  // The lowered function takes the arena (and on a GPU the weights; with
  // external weights the prepared ones), then one pointer per input and per
  // output (bare-pointer memrefs).
  os << "\nextern void " << model.forwardSymbol() << "(void *arena";
  size_t pointers = 1 + (model.externalWeights ? 1 : 0) + model.inputs.size() +
                    model.outputs.size();
  for (size_t i = model.cuda ? 0 : 1; i < pointers; ++i)
    os << ", void *";
  os << ");\n\n";

  // A parallel loop of the generated code is a function of its item range
  // and the forward function's pointers, which it hands to this, and which
  // the runtime calls back through `run_items` on each thread.
  std::vector<std::string> parameters, forwarded;
  for (size_t i = 0; i < pointers && !model.cuda; ++i) {
    parameters.push_back("void *a" + std::to_string(i));
    forwarded.push_back("a[" + std::to_string(i) + "]");
  }
  if (!model.cuda) {
  os << "typedef void (*items_fn)(int64_t, int64_t";
  for (size_t i = 0; i < pointers; ++i)
    os << ", void *";
  os << ");\n"
     << "typedef struct parallel_loop { items_fn items; void *a[" << pointers
     << "]; } parallel_loop;\n"
     << "static void run_items(void *data, int64_t begin, int64_t end) {\n"
     << "  parallel_loop *loop = data;\n  void **a = loop->a;\n"
     << "  loop->items(begin, end, " << llvm::join(forwarded, ", ") << ");\n}\n"
     << "void " << model.forwardSymbol() << "_parallel_for(void *items, int64_t count, "
     << llvm::join(parameters, ", ") << ") {\n"
     << "  parallel_loop loop = {(items_fn)items, {";
  for (size_t i = 0; i < pointers; ++i)
    os << (i ? ", " : "") << "a" << i;
  os << "}};\n  incept_parallel_for(run_items, &loop, count);\n}\n\n";
  }

  auto tensorTable = [&](const char *kind, const std::vector<TensorInterface> &tensors) {
    for (auto [index, tensor] : llvm::enumerate(tensors))
      os << "static const int64_t " << kind << "_shape" << index << "[] = "
         << (tensor.shape.empty() ? "{0}" : shapeList(tensor)) << ";\n";
    os << "static const incept_tensor_info " << kind << "s["
       << std::max<size_t>(1, tensors.size()) << "] = {\n";
    for (auto [index, tensor] : llvm::enumerate(tensors))
      os << "  {" << cStringLiteral(tensor.name) << ", " << tensor.dtypeEnumerator() << ", "
         << tensor.shape.size() << ", " << kind << "_shape" << index << ", "
         << tensor.numElements() << "},\n";
    os << "};\n";
  };
  tensorTable("input", model.inputs);
  tensorTable("output", model.outputs);

  // The layers of a profiled model, and the layer of each kernel.
  os << "\nstatic const incept_layer_info layers["
     << std::max<size_t>(1, model.layers.size()) << "] = {\n";
  for (const LayerInterface &layer : model.layers)
    os << "  {" << cStringLiteral(layer.name) << ", " << cStringLiteral(layer.op) << ", "
       << cStringLiteral(layer.shape) << ", " << cStringLiteral(layer.strategy) << ", "
       << llvm::formatv("{0:e}", layer.flops) << "},\n";
  os << "};\nstatic const int32_t kernel_layers["
     << std::max<size_t>(1, model.kernelLayers.size()) << "] = {";
  for (auto [i, layer] : llvm::enumerate(model.kernelLayers))
    os << (i ? ", " : "") << layer;
  os << "};\n";
  // A GPU library's profile() reads the last run's times from the GPU
  // first (generateCudaEntryPoints).
  if (model.cuda)
    os << "static incept_status profile(const incept_context *context,\n"
       << "                             incept_profile *out);\n";
  else
    os << "static incept_status profile(const incept_context *context,\n"
       << "                             incept_profile *out) {\n"
       << "  return incept_context_profile(context, out);\n}\n";

  // A dynamic batch's partial last chunk is staged after the activations.
  uint64_t stagingOffset = alignToArena(model.scratchBytes);
  uint64_t scratchAndStaging =
      model.stagingBytes() ? stagingOffset + model.stagingBytes() : model.scratchBytes;

  // The weights file's manifest, declared here and defined with the
  // preparation (generateWeightLoading).
  std::string weightsFields = "0, 0, 0";
  if (model.externalWeights) {
    os << "\nstatic const incept_tensor_info weight_manifest["
       << std::max<size_t>(model.externalWeights->manifest.size(), 1) << "];";
    weightsFields = std::to_string(model.externalWeights->manifest.size()) +
                    ", weight_manifest, " + cStringLiteral(model.externalWeights->fileName);
  }
  os << "\nstatic incept_status generic_run(incept_context *context,\n"
     << "                                 const void *const *inputs,\n"
     << "                                 void *const *outputs);\n"
     << "static incept_status generic_run_batch(incept_context *context, int64_t batch,\n"
     << "                                       const void *const *inputs,\n"
     << "                                       void *const *outputs);\n"
     << (model.cuda ? "static incept_status generic_run_device(incept_context *context,\n"
                      "                                        const void *const *inputs,\n"
                      "                                        void *const *outputs, "
                      "void *stream);\n"
                      "static incept_status generic_run_batch_device(\n"
                      "    incept_context *context, int64_t batch, const void *const *inputs,\n"
                      "    void *const *outputs, void *stream);\n"
                    : "")
     << "\nstatic const incept_model description = {\n"
     << "  INCEPT_ABI_VERSION, sizeof(incept_model),\n"
     << "  " << cStringLiteral(n) << ", " << cStringLiteral(model.source) << ",\n"
     << "  " << cStringLiteral(model.target) << ", " << cStringLiteral(model.compilerVersion)
     << ",\n  " << model.inputs.size() << ", " << model.outputs.size()
     << ", inputs, outputs, " << model.scratchBytes << "u,\n"
     << "  " << n << "_create, generic_run, " << n << "_destroy,\n"
     << "  " << n << "_create_with_options,\n"
     << "  " << model.layers.size() << ", layers, "
     << (model.kernelLayers.empty() ? "0" : "profile") << ",\n"
     << "  incept_status_string,\n"
     << "  " << (model.dynamicBatch ? 1 : 0) << ", generic_run_batch,\n"
     << "  incept_last_error, " << (model.cuda ? "generic_run_device" : "0") << ",\n"
     << "  " << weightsFields << ",\n"
     << "  " << (model.cuda ? "generic_run_batch_device" : "0") << ",\n};\n\n"
     << "const incept_model *" << n << "_model(void) { return &description; }\n\n"
     << "const char *" << n << "_status_string(incept_status status) {\n"
     << "  return incept_status_string(status);\n}\n\n"
     << "const char *" << n << "_last_error(void) { return incept_last_error(); }\n\n";
  if (model.externalWeights)
    generateWeightLoading(model, os);
  if (model.cuda)
    generateCudaEntryPoints(model, stagingOffset, os);
  else {
  os
     << "incept_status " << n << "_create_with_options(" << n
     << "_context **context, const incept_create_options *options) {\n"
     << "  incept_status status = incept_context_create(&description, "
     << scratchAndStaging << "u, options, context);\n";
  if (model.externalWeights)
    os << "  if (status == INCEPT_OK) {\n"
       << "    float *prepared = 0;\n"
       << "    status = load_weights(options, &prepared);\n"
       << "    if (status == INCEPT_OK) {\n"
       << "      incept_context_attach(*context, prepared, free);\n"
       << "    } else {\n"
       << "      incept_context_destroy(*context);\n      *context = 0;\n    }\n  }\n";
  if (!model.kernelLayers.empty())
    os << "  if (status == INCEPT_OK) {\n"
       << "    status = incept_context_enable_profile(*context, "
       << model.kernelLayers.size() << ", kernel_layers);\n"
       << "    if (status != INCEPT_OK) {\n"
       << "      incept_context_destroy(*context);\n      *context = 0;\n    }\n  }\n";
  os << "  return status;\n}\n\n"
     << "incept_status " << n << "_create(" << n << "_context **context) {\n"
     << "  return " << n << "_create_with_options(context, 0);\n}\n\n"
     << "void " << n << "_destroy(" << n << "_context *context) {\n"
     << "  incept_context_destroy(context);\n}\n\n"
     << "incept_status " << n << "_run(" << runParameters(model) << ") {\n"
     << "  if (incept_context_model(context) != &description)\n"
     << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
  std::vector<std::string> arguments = {"incept_context_scratch(context)"};
  if (model.externalWeights)
    arguments.push_back("incept_context_attachment(context)");
  for (const auto *tensors : {&model.inputs, &model.outputs})
    for (const TensorInterface &tensor : *tensors) {
      os << "  if (!" << tensor.identifier << ")\n"
         << "    return INCEPT_ERROR_INVALID_ARGUMENT;\n";
      arguments.push_back("(void *)" + tensor.identifier);
    }
  os << "  incept_run_begin(context);\n"
     << "  " << model.forwardSymbol() << "(" << llvm::join(arguments, ", ")
     << ");\n  incept_run_end();\n  return INCEPT_OK;\n}\n\n";
  }
  generateRunBatch(model, stagingOffset, os);

  // The generic entry points: the typed ones on pointer arrays.
  std::string typedPointers;
  for (size_t i = 0; i < model.inputs.size(); ++i)
    typedPointers += ", (const " + model.inputs[i].cType() + " *)inputs[" +
                     std::to_string(i) + "]";
  for (size_t i = 0; i < model.outputs.size(); ++i)
    typedPointers += ", (" + model.outputs[i].cType() + " *)outputs[" +
                     std::to_string(i) + "]";
  os << "static incept_status generic_run(incept_context *context,\n"
     << "                                 const void *const *inputs,\n"
     << "                                 void *const *outputs) {\n"
     << "  if (!inputs || !outputs)\n    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
     << "  return " << n << "_run(context" << typedPointers << ");\n}\n\n"
     << "static incept_status generic_run_batch(incept_context *context, int64_t batch,\n"
     << "                                       const void *const *inputs,\n"
     << "                                       void *const *outputs) {\n"
     << "  if (!inputs || !outputs)\n    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
     << "  return " << n << "_run_batch(context, batch" << typedPointers << ");\n}\n\n"
     ;
  if (model.cuda)
    os << "static incept_status generic_run_device(incept_context *context,\n"
       << "                                        const void *const *inputs,\n"
       << "                                        void *const *outputs, void *stream) {\n"
       << "  if (!inputs || !outputs)\n    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
       << "  return " << n << "_run_device(context" << typedPointers << ", stream);\n}\n\n"
       << "static incept_status generic_run_batch_device(\n"
       << "    incept_context *context, int64_t batch, const void *const *inputs,\n"
       << "    void *const *outputs, void *stream) {\n"
       << "  if (!inputs || !outputs)\n    return INCEPT_ERROR_INVALID_ARGUMENT;\n"
       << "  return " << n << "_run_batch_device(context, batch" << typedPointers
       << ", stream);\n}\n\n";
  os
     << "#ifdef INCEPT_SHARED\n"
     << "/* The generic entry point: one per shared library. */\n"
     << "API const incept_model *incept_model_v1(void) { return &description; }\n"
     << "#endif\n";
  return out;
}

} // namespace incept
