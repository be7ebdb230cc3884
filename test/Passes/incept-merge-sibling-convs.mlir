// Sibling convs (same input, same window and epilogue) become one conv whose
// weights and biases are theirs stacked along the output channels; each former
// conv's users read their channels through an incept.slice.
// RUN: incept-opt %s --incept-merge-sibling-convs -split-input-file | FileCheck %s
// RUN: incept-opt %s --incept-merge-sibling-convs -split-input-file --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// Two 1x1 convs of widths 2 and 3 on a 2-channel input: the merged OIHW
// weight is the first's 4 values then the second's 6.
// CHECK-LABEL: func.func @two_widths
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}5.000000e+00]], {{\[\[}}6.000000e+00]]], {{\[\[\[}}7.000000e+00]], {{\[\[}}8.000000e+00]]], {{\[\[\[}}9.000000e+00]], {{\[\[}}1.000000e+01]]]]> : tensor<5x2x1x1xf32>
// CHECK: %[[M:.*]] = incept.conv %arg0, %[[W]] {{{.*}}activation = #incept<activation relu>{{.*}}} : (tensor<1x2x4x4xf32>, tensor<5x2x1x1xf32>) -> tensor<1x5x4x4xf32>
// CHECK-NEXT: %[[A:.*]] = incept.slice %[[M]] {axis = 1 : i64, start = 0 : i64} : (tensor<1x5x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[B:.*]] = incept.slice %[[M]] {axis = 1 : i64, start = 2 : i64} : (tensor<1x5x4x4xf32>) -> tensor<1x3x4x4xf32>
// CHECK-NOT: incept.conv
// CHECK: return %[[A]], %[[B]]
// LOC-LABEL: func.func @two_widths
// The merged conv's location names both nodes, the first one first.
// LOC: incept.conv {{.*}} loc(#[[FUSED:loc[0-9]*]])
// LOC-DAG: #[[B1:loc[0-9]*]] = loc("branch1")
// LOC-DAG: #[[B2:loc[0-9]*]] = loc("branch2_reduce")
// LOC: #[[FUSED]] = loc(fused[#[[B1]], #[[B2]]])
func.func @two_widths(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) {
  %w0 = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %w1 = arith.constant dense<[[[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]], [[[9.0]], [[10.0]]]]> : tensor<3x2x1x1xf32>
  %0 = incept.conv %x, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("branch1")
  %1 = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> loc("branch2_reduce")
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// Three 1x1 siblings of widths 1, 2, 3 in an Inception head; the max_pool
// branch also reads the block input, which does not matter. Only the second
// conv has a bias: the others contribute zeros. The merged conv takes the
// first conv's place, before the pool.
// CHECK-LABEL: func.func @three_with_pool
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]], {{\[\[\[}}4.000000e+00]]], {{\[\[\[}}5.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<6x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[0.000000e+00, 1.500000e+00, 2.500000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<6xf32>
// CHECK: %[[M:.*]] = incept.conv %arg0, %[[W]] bias %[[B]] {{.*}} -> tensor<1x6x4x4xf32>
// CHECK-NEXT: %[[S0:.*]] = incept.slice %[[M]] {axis = 1 : i64, start = 0 : i64} : (tensor<1x6x4x4xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT: %[[S1:.*]] = incept.slice %[[M]] {axis = 1 : i64, start = 1 : i64} : (tensor<1x6x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[S2:.*]] = incept.slice %[[M]] {axis = 1 : i64, start = 3 : i64} : (tensor<1x6x4x4xf32>) -> tensor<1x3x4x4xf32>
// CHECK-NEXT: %[[P:.*]] = incept.max_pool %arg0
// CHECK-NOT: incept.conv
// CHECK: incept.concat %[[S0]], %[[S1]], %[[S2]], %[[P]]
func.func @three_with_pool(%x: tensor<1x1x4x4xf32>) -> tensor<1x7x4x4xf32> {
  %w0 = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %w1 = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = arith.constant dense<[1.5, 2.5]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[4.0]]], [[[5.0]]], [[[6.0]]]]> : tensor<3x1x1x1xf32>
  %0 = incept.conv %x, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %p = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %1 = incept.conv %x, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = incept.conv %x, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<3x1x1x1xf32>) -> tensor<1x3x4x4xf32>
  %c = incept.concat %0, %1, %2, %p {axis = 1 : i64}
       : (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x7x4x4xf32>
  return %c : tensor<1x7x4x4xf32>
}

// -----

// Convs that differ in strides, pads, activation, clip bounds or group, or
// that read different inputs, stay apart; so does one with a residual, and
// one whose weight is not a constant. Each pair below would otherwise merge
// with the plain conv %0.
// CHECK-LABEL: func.func @no_merge
// CHECK-NOT: incept.slice
// CHECK-COUNT-9: incept.conv
// CHECK-NOT: incept.slice
// CHECK: return
func.func @no_merge(%x: tensor<1x2x4x4xf32>, %y: tensor<1x2x4x4xf32>, %r: tensor<1x1x4x4xf32>, %wa: tensor<1x2x1x1xf32>)
    -> (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>, tensor<1x1x6x6xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>,
        tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %wg = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  %1 = incept.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  %2 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x6x6xf32>
  %3 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  %4 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 1.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  %5 = incept.conv %x, %wg {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %6 = incept.conv %y, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  %7 = incept.conv %x, %w residual %r {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %8 = incept.conv %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>, tensor<1x1x6x6xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>,
         tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Each input and signature makes its own group, in block order: the 1x1
// convs on %x merge, those on %y merge, and the strided one stays alone.
// CHECK-LABEL: func.func @two_groups
// CHECK: %[[MX:.*]] = incept.conv %arg0, {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[X0:.*]] = incept.slice %[[MX]] {axis = 1 : i64, start = 0 : i64}
// CHECK-NEXT: %[[X1:.*]] = incept.slice %[[MX]] {axis = 1 : i64, start = 1 : i64}
// CHECK: %[[MY:.*]] = incept.conv %arg1, {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[Y0:.*]] = incept.slice %[[MY]] {axis = 1 : i64, start = 0 : i64}
// CHECK-NEXT: %[[Y1:.*]] = incept.slice %[[MY]] {axis = 1 : i64, start = 1 : i64}
// CHECK-NEXT: %[[S:.*]] = incept.conv %arg0, {{.*}}strides = array<i64: 2, 2>{{.*}} -> tensor<1x1x2x2xf32>
// CHECK-NOT: incept.conv
// CHECK: return %[[X0]], %[[Y0]], %[[X1]], %[[Y1]], %[[S]]
func.func @two_groups(%x: tensor<1x1x4x4xf32>, %y: tensor<1x1x4x4xf32>)
    -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) {
  %w = arith.constant dense<2.0> : tensor<1x1x1x1xf32>
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %1 = incept.conv %y, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %2 = incept.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %3 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %4 = incept.conv %y, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %0, %1, %3, %4, %2 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>
}

// -----

// KxK siblings merge too when their windows match. With 2x2 kernels on one
// input channel the OIHW weights (4 values per output channel) still stack
// whole: conv A's [1..4], then conv B's [5..12].
// CHECK-LABEL: func.func @kxk_pair
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]], {{\[\[\[}}5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]], {{\[\[\[}}9.000000e+00, 1.000000e+01], [1.100000e+01, 1.200000e+01]]]]> : tensor<3x1x2x2xf32>
// CHECK: %[[M:.*]] = incept.conv %arg0, %[[W]] {{.*}}pads = array<i64: 1, 1, 0, 0>{{.*}} -> tensor<1x3x4x4xf32>
// CHECK-NEXT: incept.slice %[[M]] {axis = 1 : i64, start = 0 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x1x4x4xf32>
// CHECK-NEXT: incept.slice %[[M]] {axis = 1 : i64, start = 1 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NOT: incept.conv
func.func @kxk_pair(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>) {
  %wa = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %wb = arith.constant dense<[[[[5.0, 6.0], [7.0, 8.0]]], [[[9.0, 10.0], [11.0, 12.0]]]]> : tensor<2x1x2x2xf32>
  %0 = incept.conv %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %1 = incept.conv %x, %wb {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A 3x3 pair with biases: the merged weight (72 values) goes into a blob.
// CHECK-LABEL: func.func @three_by_three
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<4x2x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK: %[[M:.*]] = incept.conv %arg0, %[[W]] bias %[[B]] {{.*}} -> tensor<1x4x8x8xf32>
// CHECK-NEXT: incept.slice %[[M]] {axis = 1 : i64, start = 0 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x2x8x8xf32>
// CHECK-NEXT: incept.slice %[[M]] {axis = 1 : i64, start = 2 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x2x8x8xf32>
// CHECK-NOT: incept.conv
func.func @three_by_three(%x: tensor<1x2x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) {
  %wa = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %ba = arith.constant dense<1.0> : tensor<2xf32>
  %wb = arith.constant dense<0.25> : tensor<2x2x3x3xf32>
  %bb = arith.constant dense<2.0> : tensor<2xf32>
  %0 = incept.conv %x, %wa bias %ba {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  %1 = incept.conv %x, %wb bias %bb {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  return %0, %1 : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>
}

// -----

// The cost rule: two 3x3 convs whose merged weight would be 2 x 512x256x3x3
// floats (9 MiB, over the 4 MiB limit) stay apart.
// CHECK-LABEL: func.func @kxk_too_big
// CHECK-NOT: incept.slice
// CHECK-COUNT-2: incept.conv
// CHECK-NOT: incept.slice
func.func @kxk_too_big(%x: tensor<1x256x4x4xf32>) -> (tensor<1x512x4x4xf32>, tensor<1x512x4x4xf32>) {
  %wa = arith.constant dense<1.0> : tensor<512x256x3x3xf32>
  %wb = arith.constant dense<2.0> : tensor<512x256x3x3xf32>
  %0 = incept.conv %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x256x4x4xf32>, tensor<512x256x3x3xf32>) -> tensor<1x512x4x4xf32>
  %1 = incept.conv %x, %wb {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x256x4x4xf32>, tensor<512x256x3x3xf32>) -> tensor<1x512x4x4xf32>
  return %0, %1 : tensor<1x512x4x4xf32>, tensor<1x512x4x4xf32>
}

// -----

// Siblings of external weights merge at create: their weights and biases
// stacked by one prepare step each (count, then each one's elements).
// CHECK-LABEL: func.func @external_weights
// CHECK-DAG: %[[W:.*]] = incept.prepare concat(%{{.*}}, %{{.*}}) {params = array<i64: 2, 4, 6>} : (tensor<2x2x1x1xf32>, tensor<3x2x1x1xf32>) -> tensor<5x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = incept.prepare concat(%{{.*}}, %{{.*}}) {params = array<i64: 2, 2, 3>} : (tensor<2xf32>, tensor<3xf32>) -> tensor<5xf32>
// CHECK: incept.conv %arg0, %[[W]] bias %[[B]]
func.func @external_weights(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) {
  %w0 = incept.external_weight 0 : tensor<2x2x1x1xf32>
  %b0 = incept.external_weight 1 : tensor<2xf32>
  %0 = incept.conv %x, %w0 bias %b0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %w1 = incept.external_weight 2 : tensor<3x2x1x1xf32>
  %b1 = incept.external_weight 3 : tensor<3xf32>
  %1 = incept.conv %x, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>
}
