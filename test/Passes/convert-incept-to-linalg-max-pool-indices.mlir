// RUN: incept-opt %s --convert-incept-to-linalg --canonicalize --split-input-file | FileCheck %s

// max_pool_with_indices is one linalg.generic over (n, c, oh, ow, kh, kw)
// with two outputs: the max, filled with -inf, and its flat input position,
// filled with -1. A position is taken when it is inside the unpadded input
// (h, w unsigned-less than H, W) and nothing was taken yet or it is strictly
// greater (the first of equal maxima wins). Row-major positions are
// (n * C + c) * H * W + h * W + w.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @row_major
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x5x6xf32>) -> (tensor<2x3x3x3xf32>, tensor<2x3x3x3xi64>)
// CHECK-DAG: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[MINUS1:.+]] = arith.constant -1 : i64
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK-DAG: %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG: %[[C30:.+]] = arith.constant 30 : index
// CHECK: %[[PADDED:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 0]
// CHECK:   tensor.yield %[[NINF]] : f32
// CHECK: %[[MAXINIT:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<2x3x3x3xf32>)
// CHECK: %[[IDXINIT:.+]] = linalg.fill ins(%[[MINUS1]] : i64) outs(%{{.*}} : tensor<2x3x3x3xi64>)
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$WIN]], #[[$OUT]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[PADDED]], %{{.*}} : tensor<2x3x7x7xf32>, tensor<3x3xf32>) outs(%[[MAXINIT]], %[[IDXINIT]] : tensor<2x3x3x3xf32>, tensor<2x3x3x3xi64>)
// CHECK: ^bb0(%[[V:.+]]: f32, %{{.+}}: f32, %[[MAX:.+]]: f32, %[[IDX:.+]]: i64):
// CHECK:   %[[H:.+]] = arith.subi %{{.+}}, %[[C1]] : index
// CHECK:   %[[W:.+]] = arith.subi %{{.+}}, %[[C1]] : index
// CHECK:   %[[HIN:.+]] = arith.cmpi ult, %[[H]], %[[C5]] : index
// CHECK:   %[[WIN2:.+]] = arith.cmpi ult, %[[W]], %[[C6]] : index
// CHECK:   %[[INSIDE:.+]] = arith.andi %[[HIN]], %[[WIN2]] : i1
// CHECK:   %[[N:.+]] = linalg.index 0 : index
// CHECK:   %[[NC:.+]] = arith.muli %[[N]], %[[C3]] : index
// CHECK:   %[[C:.+]] = linalg.index 1 : index
// CHECK:   %[[PLANE:.+]] = arith.addi %[[NC]], %[[C]] : index
// CHECK:   %[[BASE:.+]] = arith.muli %[[PLANE]], %[[C30]] : index
// CHECK:   %[[ROW:.+]] = arith.muli %[[H]], %[[C6]] : index
// CHECK:   %[[SPATIAL:.+]] = arith.addi %[[ROW]], %[[W]] : index
// CHECK:   %[[POS:.+]] = arith.addi %[[BASE]], %[[SPATIAL]] : index
// CHECK:   %[[POS64:.+]] = arith.index_cast %[[POS]] : index to i64
// CHECK:   %[[GREATER:.+]] = arith.cmpf ogt, %[[V]], %[[MAX]] : f32
// CHECK:   %[[NONE:.+]] = arith.cmpi slt, %[[IDX]], %[[ZERO]] : i64
// CHECK:   %[[BETTER:.+]] = arith.ori %[[GREATER]], %[[NONE]] : i1
// CHECK:   %[[TAKE:.+]] = arith.andi %[[INSIDE]], %[[BETTER]] : i1
// CHECK:   %[[NEWMAX:.+]] = arith.select %[[TAKE]], %[[V]], %[[MAX]] : f32
// CHECK:   %[[NEWIDX:.+]] = arith.select %[[TAKE]], %[[POS64]], %[[IDX]] : i64
// CHECK:   linalg.yield %[[NEWMAX]], %[[NEWIDX]] : f32, i64
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @row_major(%x: tensor<2x3x5x6xf32>) -> (tensor<2x3x3x3xf32>, tensor<2x3x3x3xi64>) {
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
             pads = array<i64: 1, 1, 1, 0>, dilations = array<i64: 1, 1>}
           : (tensor<2x3x5x6xf32>) -> (tensor<2x3x3x3xf32>, tensor<2x3x3x3xi64>)
  return %0, %1 : tensor<2x3x3x3xf32>, tensor<2x3x3x3xi64>
}

// -----

// storage_order 1: the spatial part is column-major, w * H + h. Without
// padding the input is read as is. Dilations scale the kernel indices.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4 * 2, d3 + d5 * 2)>
// CHECK-LABEL: func.func @column_major_dilated
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x5x4xf32>)
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {indexing_maps = [#[[$IN]],
// CHECK-SAME: ins(%[[X]], %{{.*}} : tensor<1x1x5x4xf32>, tensor<2x2xf32>)
// CHECK: ^bb0(
// CHECK:   %[[H:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK:   %[[W:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK:   %[[COL:.+]] = arith.muli %[[W]], %[[C5]] : index
// CHECK:   %[[SPATIAL:.+]] = arith.addi %[[COL]], %[[H]] : index
// CHECK:   arith.index_cast
func.func @column_major_dilated(%x: tensor<1x1x5x4xf32>) -> (tensor<1x1x3x2xf32>, tensor<1x1x3x2xi64>) {
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>,
             pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, storage_order = 1}
           : (tensor<1x1x5x4xf32>) -> (tensor<1x1x3x2xf32>, tensor<1x1x3x2xi64>)
  return %0, %1 : tensor<1x1x3x2xf32>, tensor<1x1x3x2xi64>
}

// -----

// uint8 becomes i8: padded and initialised with 0 (the unsigned minimum),
// compared unsigned.
// CHECK-LABEL: func.func @uint8
// CHECK-SAME: (%{{.*}}: tensor<1x2x4x4xi8>) -> (tensor<1x2x2x2xi8>, tensor<1x2x2x2xi64>)
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: tensor.yield %[[ZERO]] : i8
// CHECK: linalg.fill ins(%[[ZERO]] : i8)
// CHECK: linalg.generic
// CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i8
// CHECK-NOT: ui8
func.func @uint8(%x: tensor<1x2x4x4xui8>) -> (tensor<1x2x2x2xui8>, tensor<1x2x2x2xi64>) {
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
             pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>}
           : (tensor<1x2x4x4xui8>) -> (tensor<1x2x2x2xui8>, tensor<1x2x2x2xi64>)
  return %0, %1 : tensor<1x2x2x2xui8>, tensor<1x2x2x2xi64>
}
