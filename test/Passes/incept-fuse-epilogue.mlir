// RUN: incept-opt %s --incept-fuse-epilogue | FileCheck %s

// The ops that follow a conv move into its epilogue
// `act(residual + residual_scale * (conv + bias))`. Every conv below has
// 2 output channels and, where it has one, the bias [1, -2].

// (a) A per-channel constant [1,C,1,1] = [10, 20] joins the bias: [11, 18].
// CHECK-LABEL: func.func @bias_add
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x2x1x1xf32>)
// CHECK: %[[B:.*]] = arith.constant dense<[1.100000e+01, 1.800000e+01]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %[[IN]], %[[W]] bias %[[B]] {dilations
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @bias_add(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %k = arith.constant dense<[[[[10.0]], [[20.0]]]]> : tensor<1x2x1x1xf32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %k : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A [C,1,1] constant on a conv without bias becomes its bias.
// CHECK-LABEL: func.func @bias_add_no_bias
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x2x1x1xf32>)
// CHECK: %[[B:.*]] = arith.constant dense<[3.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %[[IN]], %[[W]] bias %[[B]] {dilations
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @bias_add_no_bias(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %k = arith.constant dense<[[[3.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %k : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A scalar broadcast, as the add's first operand: bias [1.5, -1.5].
// CHECK-LABEL: func.func @bias_add_scalar
// CHECK: %[[B:.*]] = arith.constant dense<[1.500000e+00, -1.500000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %{{.*}}, %{{.*}} bias %[[B]] {dilations
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @bias_add_scalar(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %k = arith.constant dense<0.5> : tensor<f32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %k, %c : (tensor<f32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// (b) An add of a tensor of the result's type becomes the residual, in either
// operand order; residual_scale stays 1 (not printed).
// CHECK-LABEL: func.func @residual_add
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x2x1x1xf32>, %[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[Y:.*]] = incept.conv %[[IN]], %[[W]] residual %[[X]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} :
// CHECK: %[[Z:.*]] = incept.conv %[[IN]], %[[W]] residual %[[X]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} :
// CHECK-NOT: incept.add
// CHECK: return %[[Y]], %[[Z]]
func.func @residual_add(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %e = incept.add %x, %d : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a, %e : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// The residual is computed after the conv: the conv moves down to the add.
// CHECK-LABEL: func.func @residual_defined_after_conv
// CHECK: %[[X:.*]] = incept.relu
// CHECK: %[[Y:.*]] = incept.conv %{{.*}}, %{{.*}} residual %[[X]]
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @residual_defined_after_conv(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %t: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %x = incept.relu %t : tensor<1x2x3x3xf32>
  %a = incept.add %c, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// Two convs added: one becomes the other's residual.
// CHECK-LABEL: func.func @residual_is_a_conv
// CHECK: %[[P:.*]] = incept.conv
// CHECK: %[[Y:.*]] = incept.conv %{{.*}}, %{{.*}} residual %[[P]]
// CHECK-NOT: incept.add
// CHECK: return %[[Y]]
func.func @residual_is_a_conv(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %d = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %d : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// (c) relu becomes the activation.
// CHECK-LABEL: func.func @relu
// CHECK: %[[Y:.*]] = incept.conv {{.*}}activation = #incept<activation relu>
// CHECK-NOT: incept.relu
// CHECK: return %[[Y]]
func.func @relu(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.relu %c : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// clip becomes the activation with its bounds.
// CHECK-LABEL: func.func @clip
// CHECK: %[[Y:.*]] = incept.conv {{.*}}activation = #incept<activation clip>, clip_max = 6.000000e+00 : f32, clip_min = -1.000000e+00 : f32
// CHECK-NOT: incept.clip
// CHECK: return %[[Y]]
func.func @clip(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.clip %c {min = -1.0 : f32, max = 6.0 : f32} : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// A conv that already has a residual still takes an activation (it applies
// after the residual).
// CHECK-LABEL: func.func @clip_after_residual
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[Y:.*]] = incept.conv %{{.*}}, %{{.*}} residual %[[X]] {activation = #incept<activation clip>, clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32
// CHECK-NOT: incept.clip
// CHECK: return %[[Y]]
func.func @clip_after_residual(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w residual %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.clip %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// conv -> add bias -> add residual -> relu: all of it fuses, repeatedly.
// Bias [1, -2] + [0.5, 0.25] = [1.5, -1.75].
// CHECK-LABEL: func.func @bias_residual_relu
// CHECK-SAME: (%[[IN:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x2x1x1xf32>, %[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[B:.*]] = arith.constant dense<[1.500000e+00, -1.750000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %[[IN]], %[[W]] bias %[[B]] residual %[[X]] {activation = #incept<activation relu>
// CHECK-NOT: incept.add
// CHECK-NOT: incept.relu
// CHECK: return %[[Y]]
func.func @bias_residual_relu(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %k = arith.constant dense<[[[[0.5]], [[0.25]]]]> : tensor<1x2x1x1xf32>
  %c = incept.conv %in, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %k : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %s = incept.add %x, %a : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.relu %s : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// Negative cases: each keeps its standalone op.

// The conv's result is also returned.
// CHECK-LABEL: func.func @conv_two_users
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} :
// CHECK: %[[R:.*]] = incept.relu %[[C]]
// CHECK: return %[[R]], %[[C]]
func.func @conv_two_users(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.relu %c : tensor<1x2x3x3xf32>
  return %r, %c : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// relu after a conv that already has a clip.
// CHECK-LABEL: func.func @relu_after_clip
// CHECK: %[[C:.*]] = incept.conv {{.*}}activation = #incept<activation clip>
// CHECK: incept.relu %[[C]]
func.func @relu_after_clip(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = -1.0 : f32, clip_max = 1.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = incept.relu %c : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// A tensor that broadcasts ([1,C,1,1], not a constant) is not a residual.
// CHECK-LABEL: func.func @broadcast_tensor_add
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {dilations
// CHECK: incept.add %[[C]], %{{.*}} : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>)
func.func @broadcast_tensor_add(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %x : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A [C] constant runs along the width, not the channels, even when the
// width equals C: neither a bias nor (it broadcasts) a residual.
// CHECK-LABEL: func.func @width_constant_add
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {dilations
// CHECK: incept.add %[[C]], %{{.*}} : (tensor<1x2x2x2xf32>, tensor<2xf32>)
func.func @width_constant_add(%in: tensor<1x2x2x2xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %k = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %a = incept.add %c, %k : (tensor<1x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %a : tensor<1x2x2x2xf32>
}

// A bias add after the activation: relu(conv) + c is not relu(conv + c).
// CHECK-LABEL: func.func @bias_after_relu
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {activation = #incept<activation relu>
// CHECK: incept.add %[[C]]
func.func @bias_after_relu(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %k = arith.constant dense<1.0> : tensor<f32>
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %k : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A bias add after a residual with residual_scale 0.5: the bias would be
// scaled too, so it stays out.
// CHECK-LABEL: func.func @bias_after_residual
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} residual
// CHECK: incept.add %[[C]]
func.func @bias_after_residual(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %k = arith.constant dense<1.0> : tensor<f32>
  %c = incept.conv %in, %w residual %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, residual_scale = 0.5 : f32} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %k : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A second residual: the epilogue has room for one.
// CHECK-LABEL: func.func @second_residual
// CHECK-SAME: %[[Y:[^:]*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} residual %{{.*}} {
// CHECK: incept.add %[[C]], %[[Y]]
func.func @second_residual(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x3x3xf32>, %y: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w residual %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %y : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A residual add after the activation: relu(conv) + x is not relu(conv + x).
// CHECK-LABEL: func.func @residual_after_relu
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {activation = #incept<activation relu>
// CHECK: incept.add %[[C]]
func.func @residual_after_relu(%in: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>, %x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %c = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.add %c, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a : tensor<1x2x3x3xf32>
}

// A relu that does not read a conv stays.
// CHECK-LABEL: func.func @relu_without_conv
// CHECK: incept.relu
func.func @relu_without_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %r = incept.relu %x : tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// A per-channel addend of the weights file joins the bias at create.
// CHECK-LABEL: func.func @external_bias_add
// CHECK: %[[A:.*]] = incept.external_weight 1 : tensor<1x2x1x1xf32>
// CHECK: %[[SUM:.*]] = incept.prepare add_channels(%[[A]], %{{.*}}) {params = array<i64: 2, 2, 1>}
// CHECK: incept.conv %{{.*}}, %{{.*}} bias %[[SUM]]
// CHECK-NOT: incept.add
func.func @external_bias_add(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %b = incept.external_weight 0 : tensor<2xf32>
  %c = incept.conv %x, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %a = incept.external_weight 1 : tensor<1x2x1x1xf32>
  %y = incept.add %c, %a : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
