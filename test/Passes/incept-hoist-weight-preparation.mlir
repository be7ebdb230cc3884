// RUN: incept-opt %s --incept-hoist-weight-preparation | FileCheck %s
// RUN: incept-opt %s --incept-hoist-weight-preparation --incept-bufferize | FileCheck %s --check-prefix=BUFFERS

// A conv's weights folded with a batch-norm (whose scale is a constant the
// program embeds), then packed; and a bias the model reads as the file has
// it. Slots are [kind, at]: 0 a file tensor, 1 the prepared weights, 2 the
// scratch, 3 a constant; offsets in floats, at whole cache lines.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[P:arg[0-9]+]]: tensor<80xf32> {incept.name = "prepared"}, %{{.*}}: tensor<4xf32>)
// Step 1: file tensor 1, which the model reads, copied into the prepared
// weights at 0 (4 floats, so the next starts at 16).
// CHECK-SAME: incept.preparation = [{inputs = [array<i64: 0, 1>], outputs = [array<i64: 1, 0>], params = array<i64: 4, 4>, scalars = array<f64>, step = #incept<step copy>},
// Step 2: the fold, from the file's tensors and constant 0, into the
// scratch (no op of the model reads these).
// CHECK-SAME: {inputs = [array<i64: 0, 0>, array<i64: 3, 0>, array<i64: 0, 1>, array<i64: 0, 1>, array<i64: 0, 1>], outputs = [array<i64: 2, 0>, array<i64: 2, 32>], params = array<i64: 4, 8, 0, 0>, scalars = array<f64: 1.000000e-03>, step = #incept<step batch_norm>},
// Step 3: the packing, from the scratch into the prepared weights at 16.
// CHECK-SAME: {inputs = [array<i64: 2, 0>], outputs = [array<i64: 1, 16>], params = array<i64: 32, 64>, scalars = array<f64>, step = #incept<step copy>}]
// CHECK-SAME: incept.preparation_constants = [dense<2.000000e+00> : tensor<4xf32>]
// CHECK-SAME: incept.prepared_floats = 80 : i64, incept.scratch_floats = 48 : i64
// CHECK-DAG: %[[BIAS:.*]] = tensor.extract_slice %[[P]][0] [4] [1] : tensor<80xf32> to tensor<4xf32>
// CHECK-DAG: %[[PACKED:.*]] = tensor.extract_slice %[[P]][16] [64] [1] : tensor<80xf32> to tensor<64xf32>
// CHECK-NOT: incept.external_weight
// CHECK-NOT: incept.prepare
// CHECK: return %[[PACKED]], %[[BIAS]]

// Bufferized, the prepared weights are views of the argument after the arena.
// BUFFERS-LABEL: func.func @forward
// BUFFERS-SAME: %[[P:arg[0-9]+]]: memref<80xf32> {incept.name = "prepared"}
// BUFFERS: memref.subview %[[P]][16] [64] [1] : memref<80xf32> to memref<64xf32, strided<[1], offset: 16>>
func.func @forward(%x: tensor<4xf32>) -> (tensor<64xf32>, tensor<4xf32>) {
  %w = incept.external_weight 0 : tensor<4x8xf32>
  %b = incept.external_weight 1 : tensor<4xf32>
  %scale = arith.constant dense<2.0> : tensor<4xf32>
  %folded:2 = incept.prepare batch_norm(%w, %scale, %b, %b, %b) {params = array<i64: 4, 8, 0, 0>, scalars = array<f64: 1.0e-3>}
      : (tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4x8xf32>, tensor<4xf32>)
  %packed = incept.prepare copy(%folded#0) {params = array<i64: 32, 64>} : (tensor<4x8xf32>) -> tensor<64xf32>
  return %packed, %b : tensor<64xf32>, tensor<4xf32>
}

// The scratch holds what is live at once: the second chain's intermediate
// takes the place the first one's left after its last reader.
// CHECK-LABEL: func.func @reused_scratch
// CHECK-SAME: incept.preparation = [{inputs = [array<i64: 0, 0>], outputs = [array<i64: 2, 0>]
// CHECK-SAME: {inputs = [array<i64: 2, 0>], outputs = [array<i64: 1, 0>]
// CHECK-SAME: {inputs = [array<i64: 0, 1>], outputs = [array<i64: 2, 0>]
// CHECK-SAME: {inputs = [array<i64: 2, 0>], outputs = [array<i64: 1, 64>]
// CHECK-SAME: incept.scratch_floats = 48 : i64
func.func @reused_scratch() -> (tensor<64xf32>, tensor<64xf32>) {
  %w0 = incept.external_weight 0 : tensor<32xf32>
  %a = incept.prepare copy(%w0) {params = array<i64: 32, 48>} : (tensor<32xf32>) -> tensor<48xf32>
  %pa = incept.prepare copy(%a) {params = array<i64: 48, 64>} : (tensor<48xf32>) -> tensor<64xf32>
  %w1 = incept.external_weight 1 : tensor<32xf32>
  %b = incept.prepare copy(%w1) {params = array<i64: 32, 48>} : (tensor<32xf32>) -> tensor<48xf32>
  %pb = incept.prepare copy(%b) {params = array<i64: 48, 64>} : (tensor<48xf32>) -> tensor<64xf32>
  return %pa, %pb : tensor<64xf32>, tensor<64xf32>
}

// A function with embedded weights only is left as it is.
// CHECK-LABEL: func.func @embedded
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xf32> {
func.func @embedded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %w = arith.constant dense<1.0> : tensor<4xf32>
  return %w : tensor<4xf32>
}
