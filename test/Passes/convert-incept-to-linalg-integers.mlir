// RUN: incept-opt %s --convert-incept-to-linalg --split-input-file | FileCheck %s

// uint8 is ui8 in the dialect and signless i8 below it: the signature
// changes, additions and products wrap (addi, muli).
// CHECK-LABEL: func.func @add_mul_uint8
// CHECK-SAME: (%{{.*}}: tensor<3x4xi8>, %{{.*}}: tensor<3x4xi8>) -> tensor<3x4xi8>
// CHECK: arith.addi %{{.*}}, %{{.*}} : i8
// CHECK: arith.muli %{{.*}}, %{{.*}} : i8
// CHECK-NOT: ui8
func.func @add_mul_uint8(%a: tensor<3x4xui8>, %b: tensor<3x4xui8>) -> tensor<3x4xui8> {
  %0 = incept.add %a, %b : (tensor<3x4xui8>, tensor<3x4xui8>) -> tensor<3x4xui8>
  %1 = incept.mul %0, %b : (tensor<3x4xui8>, tensor<3x4xui8>) -> tensor<3x4xui8>
  return %1 : tensor<3x4xui8>
}

// -----

// A uint8 max pool pads with 0 (the unsigned minimum) and compares unsigned.
// CHECK-LABEL: func.func @max_pool_uint8
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]] : i8
// CHECK: linalg.fill ins(%{{.*}} : i8)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maxui
func.func @max_pool_uint8(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x4x4xui8> {
  %0 = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                           pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xui8>) -> tensor<1x1x4x4xui8>
  return %0 : tensor<1x1x4x4xui8>
}

// -----

// A signed max pool pads with the type's minimum and compares signed.
// CHECK-LABEL: func.func @max_pool_int32
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
func.func @max_pool_int32(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x4x4xi32> {
  %0 = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                           pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xi32>) -> tensor<1x1x4x4xi32>
  return %0 : tensor<1x1x4x4xi32>
}

// -----

// Integer clip: infinite bounds are the type's limits; int8 compares signed.
// CHECK-LABEL: func.func @clip_int8
// CHECK-DAG: arith.constant -3 : i8
// CHECK-DAG: arith.constant 127 : i8
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @clip_int8(%x: tensor<2x3xi8>) -> tensor<2x3xi8> {
  %0 = incept.clip %x {min = -3.0 : f32, max = 0x7F800000 : f32} : tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

// uint8 clip compares unsigned.
// CHECK-LABEL: func.func @clip_uint8
// CHECK: arith.maxui
// CHECK: arith.minui
func.func @clip_uint8(%x: tensor<2x3xui8>) -> tensor<2x3xui8> {
  %0 = incept.clip %x {min = 10.0 : f32, max = 200.0 : f32} : tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

// Constant padding of an int32 tensor with an integer value; edge padding of
// int32 reads the clamped source index.
// CHECK-LABEL: func.func @pad_int32
// CHECK: %[[V:.+]] = arith.constant -7 : i32
// CHECK: tensor.pad
// CHECK: tensor.yield %[[V]] : i32
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2x3xi32>
func.func @pad_int32(%x: tensor<2x3xi32>) -> (tensor<2x5xi32>, tensor<4x3xi32>) {
  %0 = incept.pad %x {pads = array<i64: 0, 1, 0, 1>, value = -7.0 : f32}
       : (tensor<2x3xi32>) -> tensor<2x5xi32>
  %1 = incept.pad %x {pads = array<i64: 1, 0, 1, 0>, mode = #incept<pad_mode edge>}
       : (tensor<2x3xi32>) -> tensor<4x3xi32>
  return %0, %1 : tensor<2x5xi32>, tensor<4x3xi32>
}

// -----

// A ui8 constant becomes the same bytes as i8.
// CHECK-LABEL: func.func @constant_uint8
// CHECK: arith.constant dense<[1, 2, -1]> : tensor<3xi8>
func.func @constant_uint8() -> tensor<3xui8> {
  %0 = arith.constant dense<[1, 2, 255]> : tensor<3xui8>
  return %0 : tensor<3xui8>
}
