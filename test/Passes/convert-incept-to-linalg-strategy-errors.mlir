// RUN: incept-opt %s --split-input-file --convert-incept-to-linalg --verify-diagnostics

// A strategy the conv cannot take (incept-select-conv-strategy never picks
// one; a hand-written attribute can) is an error naming the conv, not a
// wrong kernel (the conversion then fails on it).

func.func @blocked_grouped(%x: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<32x16x3x3xf32>
  // expected-error @+2 {{failed to legalize operation 'incept.conv'}}
  // expected-error @+1 {{the blocked conv strategy needs an ungrouped conv and constant weights and bias}}
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 2, tile_w = 4>} : (tensor<1x32x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}

// -----

func.func @winograd_strided(%x: tensor<1x16x9x9xf32>) -> tensor<1x16x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<16x16x3x3xf32>
  // expected-error @+2 {{failed to legalize operation 'incept.conv'}}
  // expected-error @+1 {{the winograd conv strategy needs an ungrouped 3x3 stride-1 conv with unit dilations and constant weights and bias}}
  %y = incept.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<winograd, block = 8, tile_f = 2, tile_w = 4>} : (tensor<1x16x9x9xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %y : tensor<1x16x4x4xf32>
}

// -----

func.func @winograd_computed_weights(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+2 {{failed to legalize operation 'incept.conv'}}
  // expected-error @+1 {{the winograd conv strategy needs an ungrouped 3x3 stride-1 conv with unit dilations and constant weights and bias}}
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<winograd, block = 8, tile_f = 2, tile_w = 4>} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}
