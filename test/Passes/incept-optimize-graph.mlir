// RUN: incept-opt %s --incept-optimize-graph | FileCheck %s

// The graph passes in pipeline order: the batch-norm folds into the conv, the
// ReLU joins its epilogue, and the two 1x1 siblings (which, folded, read the
// same input with the same window and activation) merge into one conv read
// through slices; nothing standalone is left.
// The batch-norm is the identity (k = 1 / sqrt(1 + 0) = 1, mean 0, bias 0),
// so the folded bias of the first conv is 0, then the second conv's 0.1.
// CHECK-LABEL: func.func @block
// CHECK: arith.constant dense<[0.000000e+00, 0.000000e+00, 1.000000e-01, 1.000000e-01, 1.000000e-01]> : tensor<5xf32>
// CHECK-NOT: incept.batch_norm
// CHECK-NOT: incept.relu
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} bias %{{.*}} {activation = #incept<activation relu>{{.*}}} : (tensor<1x4x8x8xf32>, tensor<5x4x1x1xf32>, tensor<5xf32>) -> tensor<1x5x8x8xf32>
// CHECK-DAG: incept.slice %[[C]] {axis = 1 : i64, start = 0 : i64} : (tensor<1x5x8x8xf32>) -> tensor<1x2x8x8xf32>
// CHECK-DAG: incept.slice %[[C]] {axis = 1 : i64, start = 2 : i64} : (tensor<1x5x8x8xf32>) -> tensor<1x3x8x8xf32>
// CHECK-NOT: incept.batch_norm
// CHECK-NOT: incept.relu
// CHECK: return
func.func @block(%x: tensor<1x4x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x3x8x8xf32>) {
  %w1 = arith.constant dense<0.5> : tensor<2x4x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<3x4x1x1xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %b2 = arith.constant dense<0.1> : tensor<3xf32>
  %c1 = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
          dilations = array<i64: 1, 1>}
        : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x8x8xf32>
  %n1 = incept.batch_norm %c1, %one, %zero, %zero, %one {epsilon = 0.0 : f32}
        : (tensor<1x2x8x8xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  %r1 = incept.relu %n1 : tensor<1x2x8x8xf32>
  %c2 = incept.conv %x, %w2 bias %b2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
          dilations = array<i64: 1, 1>}
        : (tensor<1x4x8x8xf32>, tensor<3x4x1x1xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  %r2 = incept.relu %c2 : tensor<1x3x8x8xf32>
  return %r1, %r2 : tensor<1x2x8x8xf32>, tensor<1x3x8x8xf32>
}
