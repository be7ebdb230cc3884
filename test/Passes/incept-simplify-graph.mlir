// RUN: incept-opt %s --incept-simplify-graph | FileCheck %s

// A chain of reshapes is one reshape of the first input.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x1x1xf32>)
// CHECK-NEXT: %[[Y:.*]] = incept.reshape %[[X]] : tensor<1x8x1x1xf32> -> tensor<2x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @reshape_chain(%x: tensor<1x8x1x1xf32>) -> tensor<2x4xf32> {
  %a = incept.reshape %x : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %b = incept.reshape %a : tensor<1x8xf32> -> tensor<2x4xf32>
  return %b : tensor<2x4xf32>
}

// Reshapes and slices that keep the type disappear.
// CHECK-LABEL: func.func @identity_views
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x2x2xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_views(%x: tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32> {
  %a = incept.reshape %x : tensor<1x8x2x2xf32> -> tensor<1x8x2x2xf32>
  %b = incept.slice %a {axis = 1 : i64, start = 0 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  return %b : tensor<1x8x2x2xf32>
}

// A slice of part of the channels stays.
// CHECK-LABEL: func.func @partial_slice
// CHECK: incept.slice
func.func @partial_slice(%x: tensor<1x8x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %a = incept.slice %x {axis = 1 : i64, start = 4 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %a : tensor<1x4x2x2xf32>
}

// The incept ops' own canonicalisation patterns run: a zero pad goes into
// the average pool that follows it.
// CHECK-LABEL: func.func @pad_into_avg_pool
// CHECK-NOT: incept.pad
// CHECK: incept.avg_pool %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>
func.func @pad_into_avg_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %p = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32>
  %y = incept.avg_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
         pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// Constant operands with NumPy broadcasting: [[1], [2]] + [[10, 20, 30]]
// = [[11, 21, 31], [12, 22, 32]].
// CHECK-LABEL: func.func @fold_add_broadcast
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}1.100000e+01, 2.100000e+01, 3.100000e+01], [1.200000e+01, 2.200000e+01, 3.200000e+01]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_add_broadcast() -> tensor<2x3xf32> {
  %a = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = arith.constant dense<[[10.0, 20.0, 30.0]]> : tensor<1x3xf32>
  %y = incept.add %a, %b : (tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// Operands of different ranks align on the right: [[1, 2], [3, 4]] * [10, 100]
// = [[10, 200], [30, 400]]; relu then clip [0, 250] of that folds too.
// CHECK-LABEL: func.func @fold_mul_relu_clip
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}1.000000e+01, 2.000000e+02], [3.000000e+01, 2.500000e+02]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_mul_relu_clip() -> tensor<2x2xf32> {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[10.0, 100.0]> : tensor<2xf32>
  %m = incept.mul %b, %a : (tensor<2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = incept.relu %m : tensor<2x2xf32>
  %c = incept.clip %r {min = 0.0 : f32, max = 250.0 : f32} : tensor<2x2xf32>
  return %c : tensor<2x2xf32>
}

// relu(-1, 0, 2, -3) = (0, 0, 2, 0); with a negative lower bound,
// clip(-1, 0.5, 9) to [-0.5, 6] = (-0.5, 0.5, 6).
// CHECK-LABEL: func.func @fold_relu_and_clip
// CHECK-DAG: arith.constant dense<[0.000000e+00, 0.000000e+00, 2.000000e+00, 0.000000e+00]> : tensor<4xf32>
// CHECK-DAG: arith.constant dense<[-5.000000e-01, 5.000000e-01, 6.000000e+00]> : tensor<3xf32>
// CHECK-NOT: incept.
// CHECK: return
func.func @fold_relu_and_clip() -> (tensor<4xf32>, tensor<3xf32>) {
  %a = arith.constant dense<[-1.0, 0.0, 2.0, -3.0]> : tensor<4xf32>
  %r = incept.relu %a : tensor<4xf32>
  %b = arith.constant dense<[-1.0, 0.5, 9.0]> : tensor<3xf32>
  %c = incept.clip %b {min = -0.5 : f32, max = 6.0 : f32} : tensor<3xf32>
  return %r, %c : tensor<4xf32>, tensor<3xf32>
}

// A result too large to print inline becomes a blob named after the node:
// 1 + 2 = 3 (0x40400000) in each of 20 elements.
// CHECK-LABEL: func.func @fold_to_blob
// CHECK-NEXT: %[[C:.*]] = arith.constant dense_resource<offset.folded> : tensor<20xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_to_blob() -> tensor<20xf32> {
  %a = arith.constant dense<1.0> : tensor<20xf32>
  %b = arith.constant dense<2.0> : tensor<1xf32>
  %y = incept.add %a, %b : (tensor<20xf32>, tensor<1xf32>) -> tensor<20xf32> loc("offset")
  return %y : tensor<20xf32>
}

// An operand that is not a constant, or a constant that is not f32, keeps
// the op.
// CHECK-LABEL: func.func @no_fold
// CHECK: incept.add %{{.*}}, %{{.*}} : (tensor<2xf32>, tensor<2xf32>)
// CHECK: incept.add %{{.*}}, %{{.*}} : (tensor<2xi64>, tensor<2xi64>)
func.func @no_fold(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xi64>) {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = incept.add %x, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %i = arith.constant dense<[1, 2]> : tensor<2xi64>
  %j = incept.add %i, %i : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %y, %j : tensor<2xf32>, tensor<2xi64>
}

// Ops whose results nobody reads are erased, with the constants only they read.
// CHECK-LABEL: func.func @dead_code
// CHECK-NEXT: return %{{.*}} : tensor<1x2x4x4xf32>
func.func @dead_code(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<3x2x1x1xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %r = incept.relu %c : tensor<1x3x4x4xf32>
  return %x : tensor<1x2x4x4xf32>
}

// Equal constants become one, and then so do the equal ops reading them.
// CHECK-LABEL: func.func @duplicates
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[Y:.*]] = incept.add %[[X]], %[[C]]
// CHECK-NEXT: return %[[Y]], %[[Y]]
func.func @duplicates(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = incept.add %x, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %z = incept.add %x, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y, %z : tensor<2xf32>, tensor<2xf32>
}

// CHECK: dialect_resources
// CHECK: offset.folded: "0x400000000000404000004040000040400000404000004040000040400000404000004040000040400000404000004040000040400000404000004040000040400000404000004040000040400000404000004040"
