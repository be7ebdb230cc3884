//===- ModelLibrary.cpp - load a compiled model and check its description -===//

#include "ModelLibrary.h"

#include "TensorFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

using namespace llvm;

namespace incept {

namespace {

Error libraryError(StringRef path, const Twine &message) {
  return createStringError((path + ": " + message).str());
}

/// dlerror() starts with the path it was given; the caller names the library
/// already.
std::string dlopenReason(StringRef dlopenPath) {
  const char *reason = dlerror();
  StringRef text = reason ? reason : "unknown reason";
  text.consume_front(dlopenPath);
  text.consume_front(": ");
  return text.str();
}

/// The checks a host needs before it may trust one tensor's description.
Error checkTensorInfo(StringRef path, StringRef kind, int index,
                      const incept_tensor_info &tensor) {
  auto malformed = [&](const Twine &what) {
    return libraryError(
        path,
        formatv("malformed model description: {0} {1}: ", kind, index) + what);
  };
  if (!tensor.name)
    return malformed("it has no name");
  if (tensor.rank < 0 || (tensor.rank > 0 && !tensor.shape))
    return malformed(
        formatv("'{0}' has rank {1} and no shape", tensor.name, tensor.rank));
  std::optional<ElementType> type = elementTypeOfDtype(tensor.dtype);
  if (!type || *type == ElementType::Float64)
    return libraryError(
        path, formatv("{0} '{1}' has dtype {2}, which incept-run does not "
                      "support (it runs {3} tensors)",
                      kind, tensor.name, tensor.dtype, listDtypes()));
  Expected<int64_t> count =
      checkedElementCount(shapeOf(tensor), elementSize(*type));
  if (!count)
    return malformed(
        formatv("'{0}': {1}", tensor.name, toString(count.takeError())));
  if (*count != tensor.num_elements)
    return malformed(formatv("'{0}' has shape {1} but num_elements {2}",
                             tensor.name, formatShape(shapeOf(tensor)),
                             tensor.num_elements));
  return Error::success();
}

} // namespace

Error checkModelDescription(StringRef path, const incept_model &model) {
  if (model.abi_version != INCEPT_ABI_VERSION)
    return libraryError(path,
                        formatv("the library was compiled for Incept ABI "
                                "version {0}, but incept-run uses version {1}",
                                model.abi_version, INCEPT_ABI_VERSION));
  // Fields appended within an ABI version (create_with_options) may be
  // missing from an older library; the ones before them may not.
  size_t required = offsetof(incept_model, create_with_options);
  if (model.struct_size < required)
    return libraryError(path,
                        formatv("its incept_model has {0} bytes, fewer than "
                                "the {1} of ABI version {2}",
                                model.struct_size, required, INCEPT_ABI_VERSION));
  if (!model.create || !model.run || !model.destroy)
    return libraryError(path, "malformed model description: a null "
                              "create, run or destroy function");
  if (model.num_inputs < 0 || model.num_outputs < 0 ||
      (model.num_inputs > 0 && !model.inputs) ||
      (model.num_outputs > 0 && !model.outputs))
    return libraryError(path, "malformed model description: bad input or "
                              "output count or table");
  for (int i = 0; i < model.num_inputs; ++i)
    if (Error error = checkTensorInfo(path, "input", i, model.inputs[i]))
      return error;
  for (int i = 0; i < model.num_outputs; ++i)
    if (Error error = checkTensorInfo(path, "output", i, model.outputs[i]))
      return error;
  // The layer table of --profile, appended within the version: --profile
  // sizes a vector by num_layers and prints every row's strings.
  if (model.struct_size >= offsetof(incept_model, layers) + sizeof(model.layers)) {
    if (model.num_layers < 0 || (model.num_layers > 0 && !model.layers))
      return libraryError(path, "malformed model description: bad layer "
                                "count or table");
    for (int i = 0; i < model.num_layers; ++i) {
      const incept_layer_info &layer = model.layers[i];
      if (!layer.name || !layer.op || !layer.shape || !layer.strategy)
        return libraryError(path, formatv("malformed model description: layer "
                                          "{0} has a null name, op, shape or "
                                          "strategy",
                                          i));
    }
  }
  return Error::success();
}

Error checkProfile(StringRef path, const incept_model &model,
                   const incept_profile &profile) {
  if (profile.num_kernels < 0 ||
      (profile.num_kernels > 0 &&
       (!profile.kernel_layers || !profile.kernel_total_ns ||
        !profile.kernel_last_begin_ns || !profile.kernel_last_end_ns)))
    return libraryError(path, "malformed profile: bad kernel count or table");
  for (int32_t k = 0; k < profile.num_kernels; ++k)
    if (profile.kernel_layers[k] < 0 || profile.kernel_layers[k] >= model.num_layers)
      return libraryError(path, formatv("malformed profile: kernel {0} is of "
                                        "layer {1}, but the model has {2}",
                                        k, profile.kernel_layers[k], model.num_layers));
  return Error::success();
}

Expected<std::unique_ptr<ModelLibrary>> ModelLibrary::open(StringRef path) {
  // dlopen would report a missing file in its own words, after the path.
  sys::fs::file_status status;
  if (std::error_code error = sys::fs::status(path, status))
    return libraryError(path, "cannot read the library: " + error.message());
  if (sys::fs::is_directory(status))
    return libraryError(path, "cannot read the library: Is a directory");

  // Without a slash dlopen searches the library path instead of the
  // current directory.
  std::string dlopenPath = path.contains('/') ? path.str() : "./" + path.str();
  void *handle = dlopen(dlopenPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return libraryError(path,
                        "cannot load the library: " + dlopenReason(dlopenPath));
  auto entry = reinterpret_cast<incept_model_entry_fn>(
      dlsym(handle, INCEPT_MODEL_ENTRY_POINT));
  if (!entry) {
    dlclose(handle);
    return libraryError(path, "not an Incept model (no " +
                                  Twine(INCEPT_MODEL_ENTRY_POINT) + ")");
  }
  const incept_model *model = entry();
  if (!model) {
    dlclose(handle);
    return libraryError(path, Twine(INCEPT_MODEL_ENTRY_POINT) +
                                  " returned no model description");
  }
  if (Error error = checkModelDescription(path, *model)) {
    dlclose(handle);
    return std::move(error);
  }
  return std::unique_ptr<ModelLibrary>(
      new ModelLibrary(path.str(), handle, model));
}

ModelLibrary::~ModelLibrary() { dlclose(handle); }

std::string describeTensor(const incept_tensor_info &tensor) {
  return formatv("'{0}' {1} {2}", tensor.name,
                 elementTypeOfDtype(tensor.dtype)
                     ? elementTypeName(*elementTypeOfDtype(tensor.dtype)).str()
                     : "dtype " + std::to_string(tensor.dtype),
                 formatShape(shapeOf(tensor)))
      .str();
}

void printModelInfo(const ModelLibrary &library, raw_ostream &os) {
  const incept_model &model = library.model();
  auto orNone = [](const char *text) { return text ? text : "(none)"; };
  os << "model: " << orNone(model.name) << "\n";
  os << "source: " << orNone(model.source) << "\n";
  os << "target: " << orNone(model.target) << "\n";
  os << "compiler: " << orNone(model.compiler_version) << "\n";
  os << "abi version: " << model.abi_version << "\n";
  os << "inputs: " << model.num_inputs << "\n";
  for (const incept_tensor_info &input : library.inputs())
    os << "  " << describeTensor(input) << "\n";
  os << "outputs: " << model.num_outputs << "\n";
  for (const incept_tensor_info &output : library.outputs())
    os << "  " << describeTensor(output) << "\n";
  os << "scratch: " << model.scratch_bytes << " bytes\n";
  if (library.dynamicBatch())
    os << "batch: dynamic, any N >= 1 in chunks of " << library.compiledBatch()
       << "\n";
}

bool ModelLibrary::dynamicBatch() const {
  return description->struct_size >=
             offsetof(incept_model, run_batch) + sizeof(description->run_batch) &&
         description->dynamic_batch && description->run_batch;
}

bool ModelLibrary::runsOnGpu() const {
  return description->struct_size >=
             offsetof(incept_model, run_device) + sizeof(description->run_device) &&
         description->run_device;
}

std::string ModelLibrary::lastError() const {
  if (description->struct_size <
          offsetof(incept_model, last_error) + sizeof(description->last_error) ||
      !description->last_error)
    return "";
  const char *message = description->last_error();
  return message ? message : "";
}

int64_t ModelLibrary::compiledBatch() const {
  return inputs().empty() || inputs()[0].rank == 0 ? 1 : inputs()[0].shape[0];
}

} // namespace incept
