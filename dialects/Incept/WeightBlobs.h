//===- WeightBlobs.h - how the incept dialect keeps constants ---*- C++ -*-===//
//
// The importer and the graph passes that make new constants (folded batch
// norms, merged convs) keep them alike: small ones inline, weights in
// resource blobs aligned for the vector loads of the kernels that read them.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_DIALECTS_INCEPT_WEIGHTBLOBS_H
#define INCEPT_DIALECTS_INCEPT_WEIGHTBLOBS_H

#include "incept/runtime.h"

#include <cstddef>
#include <cstdint>

namespace incept {

/// Constants of up to this many elements are inline (a shape, a scale, a
/// clip bound); larger ones are weights and live in resource blobs.
inline constexpr int64_t kMaxInlineConstantElements = 16;

/// The alignment of weight blobs: the arenas'.
inline constexpr size_t kWeightBlobAlignment = INCEPT_ARENA_ALIGNMENT;

/// The module attributes of an import with external weights
/// (--weights=external): the manifest (an array of {name, type} in the order
/// the model first reads them; the index of an incept.external_weight) and
/// the tensors' values (an array of dense resource elements, same order),
/// which the driver takes out to write the weights file.
inline constexpr const char kExternalWeightsAttr[] = "incept.external_weights";
inline constexpr const char kExternalWeightValuesAttr[] = "incept.external_weight_values";

} // namespace incept

#endif // INCEPT_DIALECTS_INCEPT_WEIGHTBLOBS_H
