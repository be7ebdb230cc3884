// RUN: incept-opt %s --split-input-file --incept-select-conv-strategy | FileCheck %s
// RUN: incept-opt %s --split-input-file --incept-select-conv-strategy=kind=plane_loops | FileCheck %s --check-prefix=FORCED
// RUN: not incept-opt %s --split-input-file --incept-select-conv-strategy=kind=winograd 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// The strategy and its tiles come from the module's target: the same convs
// get 16-channel blocks and up to 4x6 tiles of the 32 zmm registers on an
// AVX-512 target, 8-channel blocks and 4x3 tiles of the 16 ymm on AVX2.

// CHECK-LABEL: func.func @wide_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>
// A layer of one output block: wider pixel tiles instead, up to a quarter
// of the registers.
// CHECK-LABEL: func.func @narrow_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 1, tile_w = 8>
// A grouped conv, and one whose weights are computed, keep plane loops.
// CHECK-LABEL: func.func @grouped_avx512
// CHECK: strategy = #incept.conv_strategy<plane_loops>
// CHECK-LABEL: func.func @computed_weights_avx512
// CHECK: strategy = #incept.conv_strategy<plane_loops>
// FORCED-COUNT-4: strategy = #incept.conv_strategy<plane_loops>
// UNKNOWN: error: unknown conv strategy 'winograd' in kind= (auto, reference, plane_loops or blocked)
module attributes {incept.target = #incept.target<cpu = "znver4", vector_bits = 512, vector_registers = 32, fma = true, l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 2>} {
func.func @wide_avx512(%x: tensor<1x64x56x56xf32>) -> tensor<1x192x56x56xf32> {
  %w = arith.constant dense<0.5> : tensor<192x64x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x56x56xf32>, tensor<192x64x3x3xf32>) -> tensor<1x192x56x56xf32>
  return %y : tensor<1x192x56x56xf32>
}
func.func @narrow_avx512(%x: tensor<1x480x14x14xf32>) -> tensor<1x16x14x14xf32> {
  %w = arith.constant dense<0.5> : tensor<16x480x1x1xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x480x14x14xf32>, tensor<16x480x1x1xf32>) -> tensor<1x16x14x14xf32>
  return %y : tensor<1x16x14x14xf32>
}
func.func @grouped_avx512(%x: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<32x16x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x32x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}
func.func @computed_weights_avx512(%x: tensor<1x32x8x8xf32>, %w: tensor<32x32x1x1xf32>) -> tensor<1x32x8x8xf32> {
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x32x8x8xf32>, tensor<32x32x1x1xf32>) -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}
}

// -----

// CHECK-LABEL: func.func @wide_avx2
// CHECK: strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 4, tile_w = 3>
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @wide_avx2(%x: tensor<1x64x56x56xf32>) -> tensor<1x192x56x56xf32> {
  %w = arith.constant dense<0.5> : tensor<192x64x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x56x56xf32>, tensor<192x64x3x3xf32>) -> tensor<1x192x56x56xf32>
  return %y : tensor<1x192x56x56xf32>
}
}

// -----

// Without vector FMA (SSE2 only) there is no blocked form.
// CHECK-LABEL: func.func @no_fma
// CHECK: strategy = #incept.conv_strategy<plane_loops>
module attributes {incept.target = #incept.target<cpu = "x86-64", vector_bits = 128, vector_registers = 16, fma = false, l1d_bytes = 32768, l2_bytes = 262144, l3_bytes = 8388608, cores = 1>} {
func.func @no_fma(%x: tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<64x64x1x1xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x64x8x8xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x8x8xf32>
  return %y : tensor<1x64x8x8xf32>
}
}
