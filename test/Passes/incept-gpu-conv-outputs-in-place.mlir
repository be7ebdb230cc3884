// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-conv-outputs-in-place))' --split-input-file | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A scaled residual add and ReLU on a conv's result writes the result in
// place; the residual input stays an input.
// CHECK-LABEL: func.func @residual
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic {{.*}} ins(%[[CONV]], %{{.*}} : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) outs(%[[CONV]] : tensor<1x4x6x6xf32>)
func.func @residual(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>, %init: tensor<1x4x6x6xf32>, %r: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %scale = arith.constant 0.17 : f32
  %zero = arith.constant 0.0 : f32
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %empty = tensor.empty() : tensor<1x4x6x6xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %r : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) outs(%empty : tensor<1x4x6x6xf32>) {
  ^bb0(%c: f32, %res: f32, %out: f32):
    %s = arith.mulf %c, %scale : f32
    %a = arith.addf %s, %res : f32
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Left alone: a conv result read twice (writing it would clobber the other
// reader's input), and an op on another op's result.
// CHECK-LABEL: func.func @not_in_place
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: %[[EMPTY:.*]] = tensor.empty
// CHECK: linalg.generic {{.*}} ins(%[[CONV]] : tensor<1x4x6x6xf32>) outs(%[[EMPTY]] : tensor<1x4x6x6xf32>)
// CHECK: %[[EMPTY2:.*]] = tensor.empty
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x6x6xf32>) outs(%[[EMPTY2]] : tensor<1x4x6x6xf32>)
func.func @not_in_place(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>, %init: tensor<1x4x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) outs(%init : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %empty = tensor.empty() : tensor<1x4x6x6xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x4x6x6xf32>) outs(%empty : tensor<1x4x6x6xf32>) {
  ^bb0(%c: f32, %out: f32):
    %m = arith.maximumf %c, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x6x6xf32>
  %empty2 = tensor.empty() : tensor<1x4x6x6xf32>
  %z = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x4x6x6xf32>) outs(%empty2 : tensor<1x4x6x6xf32>) {
  ^bb0(%c: f32, %out: f32):
    %m = arith.maximumf %c, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x6x6xf32>
  return %conv, %y, %z : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}
