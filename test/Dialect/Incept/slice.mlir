// incept.slice parses, prints and parses back; a slice of the whole axis folds
// to its input.
// RUN: incept-opt %s | incept-opt | FileCheck %s
// RUN: incept-opt %s --mlir-print-op-generic | incept-opt | FileCheck %s
// RUN: incept-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD

// CHECK-LABEL: func @slices
// CHECK: incept.slice %{{.*}} {axis = 1 : i64, start = 64 : i64} : (tensor<1x176x28x28xf32>) -> tensor<1x96x28x28xf32>
// CHECK: incept.slice %{{.*}} {axis = 0 : i64, start = 2 : i64} : (tensor<4x3xui8>) -> tensor<2x3xui8>
// FOLD-LABEL: func @slices
// FOLD: %[[S:.*]] = incept.slice %arg0 {axis = 1 : i64, start = 64 : i64}
// FOLD-NOT: incept.slice %arg0 {axis = 1 : i64, start = 0 : i64}
// FOLD: return %[[S]], %{{.*}}, %arg0
func.func @slices(%x: tensor<1x176x28x28xf32>, %y: tensor<4x3xui8>)
    -> (tensor<1x96x28x28xf32>, tensor<2x3xui8>, tensor<1x176x28x28xf32>) {
  %0 = incept.slice %x {axis = 1 : i64, start = 64 : i64} : (tensor<1x176x28x28xf32>) -> tensor<1x96x28x28xf32>
  %1 = incept.slice %y {axis = 0 : i64, start = 2 : i64} : (tensor<4x3xui8>) -> tensor<2x3xui8>
  %2 = incept.slice %x {axis = 1 : i64, start = 0 : i64} : (tensor<1x176x28x28xf32>) -> tensor<1x176x28x28xf32>
  return %0, %1, %2 : tensor<1x96x28x28xf32>, tensor<2x3xui8>, tensor<1x176x28x28xf32>
}
