// RUN: incept-opt %s --incept-lower-copies | FileCheck %s

// A copy into a strided view (a padded buffer's interior) becomes linalg.copy,
// which lowers to loops instead of a call to MLIR's runner utilities.
// CHECK-LABEL: func.func @interior
// CHECK: %[[VIEW:.*]] = memref.subview
// CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32>) outs(%[[VIEW]] : memref<2x2xf32, strided<[4, 1], offset: 5>>)
// CHECK-NOT: memref.copy
func.func @interior(%in: memref<2x2xf32>, %out: memref<4x4xf32>) {
  %view = memref.subview %out[1, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  memref.copy %in, %view : memref<2x2xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  return
}
