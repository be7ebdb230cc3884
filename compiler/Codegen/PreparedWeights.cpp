//===- PreparedWeights.cpp - create's preparation of external weights ------===//

#include "compiler/Codegen/PreparedWeights.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Passes.h"

#include <cmath>
#include <cstdio>

using namespace mlir;

namespace incept {

WeightPreparation readWeightPreparation(func::FuncOp func,
                                        std::vector<TensorInterface> manifest,
                                        llvm::StringRef fileName) {
  WeightPreparation preparation;
  preparation.manifest = std::move(manifest);
  preparation.fileName = fileName.str();
  auto readSlots = [](Attribute slots) {
    std::vector<std::pair<int64_t, int64_t>> result;
    for (Attribute slot : cast<ArrayAttr>(slots)) {
      ArrayRef<int64_t> kindAndAt = cast<DenseI64ArrayAttr>(slot).asArrayRef();
      result.emplace_back(kindAndAt[0], kindAndAt[1]);
    }
    return result;
  };
  if (auto steps = func->getAttrOfType<ArrayAttr>(kPreparationAttr))
    for (Attribute attr : steps) {
      auto step = cast<DictionaryAttr>(attr);
      PreparationStep s;
      s.function = ("incept_prepare_" +
                    stringifyPrepareStep(cast<PrepareStepAttr>(step.get("step")).getValue()))
                       .str();
      auto params = cast<DenseI64ArrayAttr>(step.get("params")).asArrayRef();
      auto scalars = cast<DenseF64ArrayAttr>(step.get("scalars")).asArrayRef();
      s.params.assign(params.begin(), params.end());
      s.scalars.assign(scalars.begin(), scalars.end());
      s.inputs = readSlots(step.get("inputs"));
      s.outputs = readSlots(step.get("outputs"));
      preparation.steps.push_back(std::move(s));
    }
  if (auto constants = func->getAttrOfType<ArrayAttr>(kPreparationConstantsAttr))
    for (Attribute attr : constants) {
      auto dense = cast<DenseElementsAttr>(attr);
      std::vector<float> values;
      for (float v : dense.getValues<float>())
        values.push_back(v);
      preparation.constants.push_back(std::move(values));
    }
  if (auto floats = func->getAttrOfType<IntegerAttr>(kPreparedFloatsAttr))
    preparation.preparedFloats = floats.getInt();
  if (auto floats = func->getAttrOfType<IntegerAttr>(kScratchFloatsAttr))
    preparation.scratchFloats = floats.getInt();
  return preparation;
}

namespace {

/// A C constant that reads back to the same bits: a float's (`single`, with
/// the `f` suffix) or a double's.
std::string realLiteral(double value, bool single) {
  std::string suffix = single ? "f" : "";
  if (std::isnan(value))
    return "__builtin_nan" + suffix + "(\"\")";
  if (std::isinf(value))
    return (value > 0 ? "__builtin_inf" : "-__builtin_inf") + suffix + "()";
  char text[64];
  std::snprintf(text, sizeof text, "%a", value);
  return text + suffix;
}

/// A slot as a C pointer expression in prepare_weights.
std::string slotPointer(std::pair<int64_t, int64_t> slot) {
  auto [kind, at] = slot;
  switch (static_cast<PreparationSlot>(kind)) {
  case PreparationSlot::File:
    return "w[" + std::to_string(at) + "]";
  case PreparationSlot::Prepared:
    return "p + " + std::to_string(at);
  case PreparationSlot::Scratch:
    return "s + " + std::to_string(at);
  case PreparationSlot::Constant:
    return "c" + std::to_string(at);
  }
  return "0";
}

uint64_t alignedBytes(uint64_t floats) {
  return (std::max<uint64_t>(floats, 1) * sizeof(float) + 63) / 64 * 64;
}

} // namespace

void generateWeightLoading(const ModelInterface &model, llvm::raw_ostream &os) {
  const WeightPreparation &prep = *model.externalWeights;
  size_t count = prep.manifest.size();
  for (auto [index, tensor] : llvm::enumerate(prep.manifest)) {
    os << "static const int64_t weight_shape" << index << "[] = {";
    for (auto [i, extent] : llvm::enumerate(tensor.shape))
      os << (i ? ", " : "") << extent;
    os << (tensor.shape.empty() ? "0" : "") << "};\n";
  }
  os << "static const incept_tensor_info weight_manifest["
     << std::max<size_t>(count, 1) << "] = {\n";
  for (auto [index, tensor] : llvm::enumerate(prep.manifest)) {
    os << "  {" << cStringLiteral(tensor.name) << ", " << tensor.dtypeEnumerator() << ", "
       << tensor.shape.size() << ", weight_shape" << index << ", "
       << tensor.numElements() << "},\n";
  }
  os << "};\n\n";

  // The steps, in the order the model function had them.
  os << "/* The weights' preparation: the steps incept-hoist-weight-preparation\n"
        " * took out of the model function, from the file's tensors `w` into the\n"
        " * prepared weights `p` and the scratch `s`. */\n"
     << "static void prepare_weights(const float *const *w, float *p, float *s) {\n"
     << "  (void)w; (void)p; (void)s;\n";
  for (auto [index, values] : llvm::enumerate(prep.constants)) {
    os << "  static const float c" << index << "[" << std::max<size_t>(values.size(), 1)
       << "] = {";
    for (auto [i, v] : llvm::enumerate(values))
      os << (i ? ", " : "") << realLiteral(v, /*single=*/true);
    os << "};\n";
  }
  for (const PreparationStep &step : prep.steps) {
    os << "  {\n    static const int64_t q[] = {";
    for (auto [i, v] : llvm::enumerate(step.params))
      os << (i ? ", " : "") << v;
    os << "};\n    static const double r[] = {";
    for (auto [i, v] : llvm::enumerate(step.scalars))
      os << (i ? ", " : "") << realLiteral(v, /*single=*/false);
    os << (step.scalars.empty() ? "0" : "") << "};\n    const float *in[] = {";
    for (auto [i, slot] : llvm::enumerate(step.inputs))
      os << (i ? ", " : "") << slotPointer(slot);
    os << "};\n    float *out[] = {";
    for (auto [i, slot] : llvm::enumerate(step.outputs))
      os << (i ? ", " : "") << slotPointer(slot);
    os << "};\n    " << step.function << "(in, out, q, r);\n  }\n";
  }
  os << "}\n\n";

  // Reads and checks the file, then prepares: nothing of a file that does
  // not match is prepared or uploaded.
  uint64_t preparedBytes = alignedBytes(prep.preparedFloats);
  uint64_t scratchBytes = alignedBytes(prep.scratchFloats);
  os << "static incept_status load_weights(const incept_create_options *options,\n"
     << "                                  float **prepared) {\n"
     << "  const char *path = 0;\n"
     << "  if (options && options->struct_size >= offsetof(incept_create_options, "
        "weights_path) + sizeof(const char *))\n"
     << "    path = options->weights_path;\n"
     << "  void *file = 0;\n"
     << "  const float *w[" << std::max<size_t>(count, 1) << "] = {0};\n"
     << "  incept_status status = incept_weights_read(path, "
     << cStringLiteral(prep.fileName) << ", (const void *)&description, weight_manifest, "
     << count
     << ", &file, w);\n"
     << "  if (status != INCEPT_OK)\n    return status;\n"
     << "  float *p = aligned_alloc(64, " << preparedBytes << "u);\n"
     << "  float *s = aligned_alloc(64, " << scratchBytes << "u);\n"
     << "  if (!p || !s) {\n"
     << "    free(p);\n    free(s);\n    incept_weights_free(file);\n"
     << "    incept_set_last_error(\"no memory for the prepared weights (" << preparedBytes
     << " bytes) and their scratch (" << scratchBytes << " bytes)\");\n"
     << "    return INCEPT_ERROR_OUT_OF_MEMORY;\n  }\n"
     << "  prepare_weights(w, p, s);\n"
     << "  free(s);\n  incept_weights_free(file);\n"
     << "  *prepared = p;\n  return INCEPT_OK;\n}\n\n";
}

} // namespace incept
