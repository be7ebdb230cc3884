// RUN: incept-opt %s --incept-fold-batch-norm | FileCheck %s
// A batch-norm that stays still lowers on its own.
// RUN: incept-opt %s --incept-fold-batch-norm --convert-incept-to-linalg | FileCheck %s --check-prefix=LOWER

// Most cases use the same batch-norm over 2 channels, with numbers chosen so
// that the folded values are exact in f32:
//   scale = [1, 4], var = [3, 3], eps = 1  ->  k = scale / sqrt(var + eps) = [0.5, 2]
//   mean = [1, 2], bias = [3, -1]
// The conv's weight [[2, 4]], [[6, -8]] becomes w * k per output channel:
//   [[1, 2]], [[12, -16]]
// and its bias [5, 1] becomes (b - mean) * k + bias:
//   (5 - 1) * 0.5 + 3 = 5,  (1 - 2) * 2 - 1 = -3

// CHECK-LABEL: func.func @conv_with_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}1.200000e+01, -1.600000e+01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = incept.conv %{{.*}}, %[[W]] bias %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NOT: incept.batch_norm
// CHECK: return %[[Y]]
func.func @conv_with_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[2.0, 4.0]]], [[[6.0, -8.0]]]]> : tensor<2x1x1x2xf32>
  %b = arith.constant dense<[5.0, 1.0]> : tensor<2xf32>
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// Without a conv bias the new bias is (0 - mean) * k + bias = [2.5, -5]. A
// grouped conv folds the same way, per output channel.
// CHECK-LABEL: func.func @grouped_conv_without_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}1.200000e+01, -1.600000e+01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.500000e+00, -5.000000e+00]> : tensor<2xf32>
// CHECK: incept.conv %{{.*}}, %[[W]] bias %[[B]] {{.*}}group = 2 : i64
// CHECK-NOT: incept.batch_norm
func.func @grouped_conv_without_bias(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[2.0, 4.0]]], [[[6.0, -8.0]]]]> : tensor<2x1x1x2xf32>
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x2x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// A batch-norm over a concat of convs: each conv takes its channels. Channel
// 2 has k = 1 / sqrt(3 + 1) = 0.5, mean 0, bias 0: the second conv's weight
// [[2, 4]] becomes [[1, 2]] and its bias 2 becomes 1. The concat reads the new
// convs and nothing is left of the old weights.
// CHECK-LABEL: func.func @concat_of_convs
// CHECK-NOT: 6.000000e+00
// CHECK-DAG: %[[W0:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}1.200000e+01, -1.600000e+01]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B0:.*]] = arith.constant dense<[5.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK-DAG: %[[B1:.*]] = arith.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK-DAG: %[[C0:.*]] = incept.conv %{{.*}}, %[[W0]] bias %[[B0]]
// CHECK-DAG: %[[C1:.*]] = incept.conv %{{.*}}, %[[W1]] bias %[[B1]]
// CHECK: %[[Y:.*]] = incept.concat %[[C0]], %[[C1]] {axis = 1 : i64}
// CHECK-NOT: incept.batch_norm
// CHECK: return %[[Y]]
func.func @concat_of_convs(%x: tensor<1x1x4x4xf32>) -> tensor<1x3x4x3xf32> {
  %w0 = arith.constant dense<[[[[2.0, 4.0]]], [[[6.0, -8.0]]]]> : tensor<2x1x1x2xf32>
  %b0 = arith.constant dense<[5.0, 1.0]> : tensor<2xf32>
  %w1 = arith.constant dense<[[[[2.0, 4.0]]]]> : tensor<1x1x1x2xf32>
  %b1 = arith.constant dense<[2.0]> : tensor<1xf32>
  %scale = arith.constant dense<[1.0, 4.0, 1.0]> : tensor<3xf32>
  %bias = arith.constant dense<[3.0, -1.0, 0.0]> : tensor<3xf32>
  %mean = arith.constant dense<[1.0, 2.0, 0.0]> : tensor<3xf32>
  %var = arith.constant dense<[3.0, 3.0, 3.0]> : tensor<3xf32>
  %c0 = incept.conv %x, %w0 bias %b0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
          dilations = array<i64: 1, 1>}
        : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  %c1 = incept.conv %x, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
          dilations = array<i64: 1, 1>}
        : (tensor<1x1x4x4xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>) -> tensor<1x1x4x3xf32>
  %cat = incept.concat %c0, %c1 {axis = 1 : i64}
         : (tensor<1x2x4x3xf32>, tensor<1x1x4x3xf32>) -> tensor<1x3x4x3xf32>
  %y = incept.batch_norm %cat, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x3x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x3xf32>
  return %y : tensor<1x3x4x3xf32>
}

// A weight too large to print inline goes into a new blob named after the
// old one: 2.0 everywhere becomes 1.0 (0x3F800000) on channel 0 and 4.0
// (0x40800000) on channel 1, little-endian after the 64-byte alignment word.
// CHECK-LABEL: func.func @blob_weight
// CHECK: %[[W:.*]] = arith.constant dense_resource<conv1.bn_weight> : tensor<2x1x3x3xf32>
// CHECK: incept.conv %{{.*}}, %[[W]] bias
// CHECK-NOT: incept.batch_norm
func.func @blob_weight(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense_resource<conv1.weight> : tensor<2x1x3x3xf32>
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// The conv's raw output is also returned: it must stay as it is.
// CHECK-LABEL: func.func @conv_with_other_user
// CHECK: %[[C:.*]] = incept.conv
// CHECK: %[[Y:.*]] = incept.batch_norm %[[C]]
// CHECK: return %[[Y]], %[[C]]
func.func @conv_with_other_user(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>) {
  %w = arith.constant dense<[[[[2.0, 4.0]]], [[[6.0, -8.0]]]]> : tensor<2x1x1x2xf32>
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y, %c : tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>
}

// A conv that already has an activation: the ReLU sits between conv and
// batch-norm, so nothing folds.
// CHECK-LABEL: func.func @conv_with_activation
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {activation = #incept<activation relu>
// CHECK: incept.batch_norm %[[C]]
func.func @conv_with_activation(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[2.0, 4.0]]], [[[6.0, -8.0]]]]> : tensor<2x1x1x2xf32>
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// No conv produces the input (the stem of a network that normalises its
// input): the batch-norm stays and lowers to its own loop nest.
// CHECK-LABEL: func.func @after_non_conv
// CHECK: %[[R:.*]] = incept.relu
// CHECK: incept.batch_norm %[[R]]
// LOWER-LABEL: func.func @after_non_conv
// LOWER-NOT: incept.batch_norm
// LOWER: math.sqrt
// LOWER: return
func.func @after_non_conv(%x: tensor<1x2x4x3xf32>) -> tensor<1x2x4x3xf32> {
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %r = incept.relu %x : tensor<1x2x4x3xf32>
  %y = incept.batch_norm %r, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// Batch-norm parameters that are not constants cannot be folded.
// CHECK-LABEL: func.func @runtime_parameters
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %{{.*}} {dilations
// CHECK: incept.batch_norm %[[C]]
func.func @runtime_parameters(%x: tensor<1x1x4x4xf32>, %scale: tensor<2xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[2.0, 4.0]]], [[[6.0, -8.0]]]]> : tensor<2x1x1x2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// One input of the concat is not a conv: the batch-norm stays and so do the
// conv's weights.
// CHECK-LABEL: func.func @concat_with_non_conv
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK: %[[C:.*]] = incept.conv %{{.*}}, %[[W]]
// CHECK: %[[CAT:.*]] = incept.concat %[[C]], %{{.*}} {axis = 1 : i64}
// CHECK: incept.batch_norm %[[CAT]]
func.func @concat_with_non_conv(%x: tensor<1x1x4x4xf32>, %p: tensor<1x1x4x3xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<[[[[2.0, 4.0]]]]> : tensor<1x1x1x2xf32>
  %scale = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x2xf32>) -> tensor<1x1x4x3xf32>
  %cat = incept.concat %c, %p {axis = 1 : i64}
         : (tensor<1x1x4x3xf32>, tensor<1x1x4x3xf32>) -> tensor<1x2x4x3xf32>
  %y = incept.batch_norm %cat, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// External weights (--weights=external) are not constants: the fold becomes
// a preparation step the library runs at create, with the conv's channels'
// offset, has_bias and epsilon; the batch-norm's parameters, materialised
// after the conv as the importer does, move before the step.
// CHECK-LABEL: func.func @external_weights
// CHECK-DAG: %[[W:.*]] = incept.external_weight 0 : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[S:.*]] = incept.external_weight 1 : tensor<2xf32>
// CHECK: %[[P:.*]]:2 = incept.prepare batch_norm(%[[W]], %[[S]], %{{.*}}, %{{.*}}, %{{.*}}) {params = array<i64: 2, 2, 0, 0>, scalars = array<f64: 1.000000e+00>}
// CHECK: incept.conv %{{.*}}, %[[P]]#0 bias %[[P]]#1
// CHECK-NOT: incept.batch_norm
func.func @external_weights(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = incept.external_weight 0 : tensor<2x1x1x2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %scale = incept.external_weight 1 : tensor<2xf32>
  %bias = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %y = incept.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32}
       : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// CHECK: dialect_resources
// CHECK: conv1.bn_weight: "0x400000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F000080400000804000008040000080400000804000008040000080400000804000008040"

{-#
  dialect_resources: {
    builtin: {
      conv1.weight: "0x04000000000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040"
    }
  }
#-}

