// incept.slice is a tensor.extract_slice along its axis: offset `start` there,
// the result's extents as sizes, unit strides.
// RUN: incept-opt %s --convert-incept-to-linalg --split-input-file | FileCheck %s

// The channels 64 .. 160 of a merged conv's result.
// CHECK-LABEL: func.func @channels
// CHECK-NEXT: %[[S:.*]] = tensor.extract_slice %arg0[0, 64, 0, 0] [1, 96, 28, 28] [1, 1, 1, 1] : tensor<1x176x28x28xf32> to tensor<1x96x28x28xf32>
// CHECK-NEXT: return %[[S]]
// CHECK-NOT: incept.slice
func.func @channels(%x: tensor<1x176x28x28xf32>) -> tensor<1x96x28x28xf32> {
  %0 = incept.slice %x {axis = 1 : i64, start = 64 : i64} : (tensor<1x176x28x28xf32>) -> tensor<1x96x28x28xf32>
  return %0 : tensor<1x96x28x28xf32>
}

// -----

// Any axis; the first elements; a uint8 tensor becomes i8.
// CHECK-LABEL: func.func @other_axes
// CHECK: tensor.extract_slice %arg0[0, 0, 3] [2, 5, 4] [1, 1, 1] : tensor<2x5x8xf32> to tensor<2x5x4xf32>
// CHECK: tensor.extract_slice %arg1[0, 0] [1, 3] [1, 1] : tensor<4x3xi8> to tensor<1x3xi8>
// CHECK-NOT: incept.slice
func.func @other_axes(%x: tensor<2x5x8xf32>, %y: tensor<4x3xui8>) -> (tensor<2x5x4xf32>, tensor<1x3xui8>) {
  %0 = incept.slice %x {axis = 2 : i64, start = 3 : i64} : (tensor<2x5x8xf32>) -> tensor<2x5x4xf32>
  %1 = incept.slice %y {axis = 0 : i64, start = 0 : i64} : (tensor<4x3xui8>) -> tensor<1x3xui8>
  return %0, %1 : tensor<2x5x4xf32>, tensor<1x3xui8>
}
