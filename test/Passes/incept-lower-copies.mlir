// RUN: incept-opt %s --split-input-file --incept-lower-copies | FileCheck %s

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

// -----

// With parallel=true, a copy of a function's body of 64 KiB or more is
// split over its leading dimensions into the items of a parallel loop: as
// many dimensions as give the 8 items that a 2-core target's layers get
// (here 1 x 12 blocks: 12 items), each a linalg.copy of one slice.
// RUN: incept-opt %s --split-input-file --incept-lower-copies=parallel=true | FileCheck %s --check-prefix=PAR
// PAR-LABEL: func.func @concat_slice
// PAR: scf.for %[[I:.*]] = %c0 to %c12 step %c1 {
// PAR-NOT: arith.divui
// PAR: %[[FROM:.*]] = memref.subview %{{.*}}[0, %[[I]], 0, 0, 0] [1, 1, 28, 28, 16] [1, 1, 1, 1, 1]
// PAR: %[[TO:.*]] = memref.subview %{{.*}}[0, %[[I]], 0, 0, 0] [1, 1, 28, 28, 16] [1, 1, 1, 1, 1]
// PAR: linalg.copy ins(%[[FROM]] : {{.*}}) outs(%[[TO]] : {{.*}})
// PAR: } {incept.parallel}
// PAR-NOT: memref.copy
// Without the option it stays one linalg.copy.
// CHECK-LABEL: func.func @concat_slice
// CHECK-NOT: scf.for
// CHECK: linalg.copy
module attributes {incept.target = #incept.target<cpu = "znver4", vector_bits = 512, vector_registers = 32, fma = true, l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 2>} {
func.func @concat_slice(%in: memref<1x12x28x28x16xf32>, %out: memref<1x30x28x28x16xf32>) {
  %view = memref.subview %out[0, 4, 0, 0, 0] [1, 12, 28, 28, 16] [1, 1, 1, 1, 1] : memref<1x30x28x28x16xf32> to memref<1x12x28x28x16xf32, strided<[376320, 12544, 448, 16, 1], offset: 50176>>
  memref.copy %in, %view : memref<1x12x28x28x16xf32> to memref<1x12x28x28x16xf32, strided<[376320, 12544, 448, 16, 1], offset: 50176>>
  return
}
}

// -----

// Fewer blocks than items: the rows too (3 blocks x 30 rows, the block the
// item divided by 30, the row what remains).
// PAR-LABEL: func.func @rows
// PAR: scf.for %[[I:.*]] = %c0 to %c90 step %c1 {
// PAR: %[[ROW:.*]] = arith.remui %[[I]], %c30
// PAR: %[[BLOCK:.*]] = arith.divui %[[I]], %c30
// PAR: memref.subview %{{.*}}[0, %[[BLOCK]], %[[ROW]], 0, 0] [1, 1, 1, 30, 16] [1, 1, 1, 1, 1]
// PAR: } {incept.parallel}
module attributes {incept.target = #incept.target<cpu = "znver4", vector_bits = 512, vector_registers = 32, fma = true, l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 2>} {
func.func @rows(%in: memref<1x3x30x30x16xf32>, %out: memref<1x3x30x30x16xf32>) {
  memref.copy %in, %out : memref<1x3x30x30x16xf32> to memref<1x3x30x30x16xf32>
  return
}
}

// -----

// A copy under 64 KiB, and one inside a loop (the loop's items are the
// threads' work already), stay one linalg.copy each.
// PAR-LABEL: func.func @small_and_nested
// PAR-NOT: incept.parallel
// PAR: linalg.copy
// PAR: scf.for
// PAR: linalg.copy
// PAR-NOT: incept.parallel
func.func @small_and_nested(%in: memref<1x4x8x8x16xf32>, %out: memref<1x4x8x8x16xf32>,
                            %big: memref<1x12x28x28x16xf32>, %bigOut: memref<1x12x28x28x16xf32>) {
  memref.copy %in, %out : memref<1x4x8x8x16xf32> to memref<1x4x8x8x16xf32>
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c2 step %c1 {
    memref.copy %big, %bigOut : memref<1x12x28x28x16xf32> to memref<1x12x28x28x16xf32>
  }
  return
}
