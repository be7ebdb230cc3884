// RUN: incept-opt %s --incept-fold-residual-scale | FileCheck %s

// Inception-ResNet's `add(x, mul(conv, s))` becomes one conv with s folded
// into its weights and bias, and x as its residual. The weights below are
// w[o][i] = [[1, 2], [3, 4]] (1x1 kernels) and the bias [1, -2]; the folded
// values in the checks are those times s, worked out by hand.

// s = 0.5: w * s = [[0.5, 1], [1.5, 2]], b * s = [0.5, -1].
// CHECK-LABEL: func.func @scalar_scale
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}5.000000e-01]], {{\[\[}}1.000000e+00]]], {{\[\[\[}}1.500000e+00]], {{\[\[}}2.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %[[IN]], %[[W]] bias %[[B]] residual %[[X]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} :
// CHECK-NOT: incept.mul
// CHECK-NOT: incept.add
// CHECK: %[[R:.*]] = incept.relu %[[Y]]
// CHECK: return %[[R]]
func.func @scalar_scale(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.relu %a : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// The other operand orders of mul and add, and s of shape [1] (= 2).
// CHECK-LABEL: func.func @swapped_operands
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}6.000000e+00]], {{\[\[}}8.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.000000e+00, -4.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %[[IN]], %[[W]] bias %[[B]] residual %[[X]]
// CHECK-NOT: incept.mul
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @swapped_operands(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %s = arith.constant dense<2.0> : tensor<1xf32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %s, %c : (tensor<1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %m, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A scalar of an all-ones rank-4 shape (= -1).
// CHECK-LABEL: func.func @scale_all_ones_shape
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}-1.000000e+00]], {{\[\[}}-2.000000e+00]]], {{\[\[\[}}-3.000000e+00]], {{\[\[}}-4.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: incept.conv %{{.*}}, %[[W]] bias %[[B]] residual %{{.*}}
// CHECK-NOT: incept.mul
func.func @scale_all_ones_shape(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %s = arith.constant dense<-1.0> : tensor<1x1x1x1xf32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// s = [2, 3] per output channel ([1,C,1,1]): row o of w and b[o] times s[o]:
// w = [[2, 4], [9, 12]], b = [2, -6].
// CHECK-LABEL: func.func @per_channel_scale
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]], {{\[\[}}1.200000e+01]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.000000e+00, -6.000000e+00]> : tensor<2xf32>
// CHECK: incept.conv %{{.*}}, %[[W]] bias %[[B]] residual %{{.*}}
// CHECK-NOT: incept.mul
// CHECK-NOT: incept.add
func.func @per_channel_scale(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %s = arith.constant dense<[[[[2.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// s = [2, 3] as [C,1,1], on a conv without bias: no bias is made (0 * s = 0).
// CHECK-LABEL: func.func @per_channel_scale_no_bias
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]], {{\[\[}}1.200000e+01]]]]> : tensor<2x2x1x1xf32>
// CHECK: incept.conv %[[IN]], %[[W]] residual %[[X]] {{.*}} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NOT: incept.mul
func.func @per_channel_scale_no_bias(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// Weights that are not constants: a scalar scale becomes residual_scale.
// CHECK-LABEL: func.func @scalar_scale_weights_not_constant
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[X:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x2x1x1xf32>)
// CHECK: incept.conv %[[IN]], %[[W]] residual %[[X]] {{.*}}residual_scale = 2.500000e-01 : f32
// CHECK-NOT: incept.mul
// CHECK-NOT: incept.add
func.func @scalar_scale_weights_not_constant(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %s = arith.constant dense<0.25> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// ... but a per-channel one cannot be an epilogue scale.
// CHECK-LABEL: func.func @per_channel_scale_weights_not_constant
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @per_channel_scale_weights_not_constant(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %s = arith.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// The residual is computed after the conv: the conv moves down to the add.
// CHECK-LABEL: func.func @residual_defined_after_conv
// CHECK: %[[X:.*]] = incept.relu
// CHECK: %[[Y:.*]] = incept.conv %{{.*}}, %{{.*}} bias %{{.*}} residual %[[X]]
// CHECK-NOT: incept.mul
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @residual_defined_after_conv(%in: tensor<1x2x3x3xf32>, %t: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %x = incept.relu %t : tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// Negative cases: each keeps its mul and add.

// The unscaled conv result is also returned.
// CHECK-LABEL: func.func @conv_two_users
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @conv_two_users(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a, %c : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// The scaled result is also returned.
// CHECK-LABEL: func.func @mul_two_users
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @mul_two_users(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a, %m : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// A conv with an activation: relu(conv) * s is not conv'.
// CHECK-LABEL: func.func @conv_with_activation
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @conv_with_activation(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A conv that already has a residual.
// CHECK-LABEL: func.func @conv_with_residual
// CHECK: incept.conv %{{.*}}, %{{.*}} residual %{{.*}} {
// CHECK: incept.mul
// CHECK: incept.add
func.func @conv_with_residual(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w residual %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A [C] scale runs along the width (NumPy broadcasting aligns on the right),
// even when the width equals the channel count.
// CHECK-LABEL: func.func @scale_along_width
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @scale_along_width(%in: tensor<1x2x2x2xf32>, %x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %m = incept.mul %c, %s : (tensor<1x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %a = incept.add %x, %m : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %a : tensor<1x2x2x2xf32>
}

// The scale is not a constant.
// CHECK-LABEL: func.func @scale_not_constant
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @scale_not_constant(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>, %s: tensor<f32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// x broadcasts ([1,C,1,1]): it is not the result's shape.
// CHECK-LABEL: func.func @residual_broadcast
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @residual_broadcast(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// x is the conv itself: add(conv, conv * s) = conv * (1 + s), no residual.
// CHECK-LABEL: func.func @residual_is_the_conv
// CHECK: incept.conv
// CHECK-NOT: residual
// CHECK: incept.mul
// CHECK: incept.add
func.func @residual_is_the_conv(%in: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// External weights: the scale folds into them at create, one prepare step
// each for the weight and the bias (channels, per channel, factors).
// CHECK-LABEL: func.func @external_weights
// CHECK-DAG: %[[W:.*]] = incept.external_weight 0 : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = incept.external_weight 1 : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[SW:.*]] = incept.prepare scale_channels(%[[W]], %[[S]]) {params = array<i64: 2, 2, 1>}
// CHECK-DAG: %[[SB:.*]] = incept.prepare scale_channels(%[[B]], %[[S]]) {params = array<i64: 2, 1, 1>}
// CHECK: incept.conv %{{.*}}, %[[SW]] bias %[[SB]] residual %{{.*}} {
// CHECK-NOT: incept.mul
func.func @external_weights(%in: tensor<1x2x3x3xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = incept.external_weight 0 : tensor<2x2x1x1xf32>
  %b = incept.external_weight 1 : tensor<2xf32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %m = incept.mul %c, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %x, %m : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}
