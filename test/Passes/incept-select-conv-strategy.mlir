// RUN: incept-opt %s --split-input-file --incept-select-conv-strategy | FileCheck %s
// RUN: incept-opt %s --split-input-file --incept-select-conv-strategy=kind=plane_loops | FileCheck %s --check-prefix=FORCED
// RUN: incept-opt %s --split-input-file --incept-select-conv-strategy=kind=winograd | FileCheck %s --check-prefix=WINOGRAD
// RUN: incept-opt %s --split-input-file --incept-select-conv-strategy=kind=blocked | FileCheck %s --check-prefix=BLOCKED
// RUN: not incept-opt %s --split-input-file --incept-select-conv-strategy=kind=bogus 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// The strategy and its tiles come from the module's target: the same convs
// get 16-channel blocks and up to 4x6 tiles of the 32 zmm registers on an
// AVX-512 target, 8-channel blocks and 4x3 tiles of the 16 ymm on AVX2.
// A 3x3 stride-1 conv is lowered by Winograd's F(4x4, 3x3) where the cost
// model finds it cheaper than the direct conv: its tile is the one of the
// 36 products, GEMMs over the plane's 4x4 tiles (196 of them at 56x56).

// CHECK-LABEL: func.func @wide_avx512
// CHECK: strategy = #incept.conv_strategy<winograd, block = 16, tile_f = 4, tile_w = 6>
// A layer of one output block: wider pixel tiles instead, up to a quarter
// of the registers; 7, which divides the 196 pixels, rather than 8 and a
// tail tile of 4 pixels, too few accumulators to hide the FMA latency.
// CHECK-LABEL: func.func @narrow_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 1, tile_w = 7>
// A grouped conv, and one whose weights are computed, keep plane loops.
// CHECK-LABEL: func.func @grouped_avx512
// CHECK: strategy = #incept.conv_strategy<plane_loops>
// CHECK-LABEL: func.func @computed_weights_avx512
// CHECK: strategy = #incept.conv_strategy<plane_loops>
// A 3x3 conv of 3 input channels stays direct: the input transform of its
// one channel block costs more than the products it saves; so does one of a
// 2x2 plane, whose single 4x4 tile is three quarters padding.
// CHECK-LABEL: func.func @thin_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 1, tile_w = 8>
// CHECK-LABEL: func.func @tiny_plane_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 4>
// A wide conv of an 8x8 plane stays direct too: its 4 tiles of products are
// bound by streaming U, 36/9 the size of the direct weights (21 MB here),
// from memory.
// CHECK-LABEL: func.func @small_plane_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>
// Stride 2 has no Winograd form.
// CHECK-LABEL: func.func @strided_avx512
// CHECK: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>
// FORCED-COUNT-10: strategy = #incept.conv_strategy<plane_loops>
// kind=winograd: every 3x3 stride-1 conv, the others blocked (or plane
// loops where they cannot be blocked); kind=blocked: none.
// WINOGRAD-LABEL: func.func @wide_avx512
// WINOGRAD: strategy = #incept.conv_strategy<winograd, block = 16, tile_f = 4, tile_w = 6>
// WINOGRAD-LABEL: func.func @narrow_avx512
// WINOGRAD: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 1, tile_w = 7>
// WINOGRAD-LABEL: func.func @grouped_avx512
// WINOGRAD: strategy = #incept.conv_strategy<plane_loops>
// WINOGRAD-LABEL: func.func @thin_avx512
// WINOGRAD: strategy = #incept.conv_strategy<winograd, block = 16,
// WINOGRAD-LABEL: func.func @tiny_plane_avx512
// WINOGRAD: strategy = #incept.conv_strategy<winograd, block = 16,
// WINOGRAD-LABEL: func.func @small_plane_avx512
// WINOGRAD: strategy = #incept.conv_strategy<winograd, block = 16,
// WINOGRAD-LABEL: func.func @strided_avx512
// WINOGRAD: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>
// WINOGRAD-LABEL: func.func @wide_avx2
// WINOGRAD: strategy = #incept.conv_strategy<winograd, block = 8,
// BLOCKED-LABEL: func.func @wide_avx512
// BLOCKED: strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>
// BLOCKED-LABEL: func.func @wide_avx2
// BLOCKED: strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 4, tile_w = 3>
// BLOCKED-NOT: winograd
// UNKNOWN: error: unknown conv strategy 'bogus' in kind= (auto, reference, plane_loops, blocked or winograd)
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
func.func @thin_avx512(%x: tensor<1x3x56x56xf32>) -> tensor<1x16x56x56xf32> {
  %w = arith.constant dense<0.5> : tensor<16x3x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x56x56xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x56x56xf32>
  return %y : tensor<1x16x56x56xf32>
}
func.func @tiny_plane_avx512(%x: tensor<1x256x2x2xf32>) -> tensor<1x256x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<256x256x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x256x2x2xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x2x2xf32>
  return %y : tensor<1x256x2x2xf32>
}
func.func @small_plane_avx512(%x: tensor<1x384x8x8xf32>) -> tensor<1x384x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<384x384x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x384x8x8xf32>, tensor<384x384x3x3xf32>) -> tensor<1x384x8x8xf32>
  return %y : tensor<1x384x8x8xf32>
}
func.func @strided_avx512(%x: tensor<1x64x57x57xf32>) -> tensor<1x64x28x28xf32> {
  %w = arith.constant dense<0.5> : tensor<64x64x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x64x57x57xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x28x28xf32>
  return %y : tensor<1x64x28x28xf32>
}
}

// -----

// CHECK-LABEL: func.func @wide_avx2
// CHECK: strategy = #incept.conv_strategy<winograd, block = 8, tile_f = 4, tile_w = 3>
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
