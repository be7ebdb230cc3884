// RUN: incept-opt %s --incept-tile-gpu-loops --split-input-file --verify-diagnostics | FileCheck %s
// RUN: incept-opt %s --incept-tile-gpu-loops=threads=32 --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=T32
// RUN: not incept-opt %s --incept-tile-gpu-loops=threads=0 --split-input-file 2>&1 | FileCheck %s --check-prefix=ZERO

// The classifier's copy out, [1, 1000]: a grid over the tiles of its last
// dimension (8 of 128; the last one partial, its threads past 1000 idle),
// then the first dimension; a block's threads along the last dimension,
// which gpu-map-parallel-loops gives to x.
// CHECK-LABEL: func.func @copy_out
// CHECK-DAG: %[[TILES:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[TILE:.*]] = arith.constant 128 : index
// CHECK: scf.parallel (%[[T:.*]], %[[I:.*]]) = ({{.*}}) to (%[[TILES]], %{{.*}})
// CHECK-NEXT: scf.parallel (%[[X:.*]]) = ({{.*}}) to (%[[TILE]])
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[T]], %[[TILE]]
// CHECK-NEXT: %[[J:.*]] = arith.addi %[[FIRST]], %[[X]]
// CHECK-NEXT: %[[INSIDE:.*]] = arith.cmpi ult, %[[J]], %c1000
// CHECK-NEXT: scf.if %[[INSIDE]]
// CHECK-NEXT: %[[V:.*]] = memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK-NEXT: memref.store %[[V]], %{{.*}}[%[[I]], %[[J]]]
// T32-LABEL: func.func @copy_out
// T32: scf.parallel ({{.*}}) to (%c32, %{{.*}})
// T32-NEXT: scf.parallel ({{.*}}) to (%c32_{{[0-9]+}})
func.func @copy_out(%in: memref<1x1000xf32>, %out: memref<1x1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1000 = arith.constant 1000 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c1, %c1000) step (%c1, %c1) {
    %v = memref.load %in[%i, %j] : memref<1x1000xf32>
    memref.store %v, %out[%i, %j] : memref<1x1000xf32>
    scf.reduce
  }
  return
}

// -----

// A 1-D fill (10 tiles, the last partial), and 4-D ops: where rows are
// shorter than a block, the last two dimensions go together, so that a
// block spans rows: 56x56 = 3136 in 25 tiles of 128 (the last partial), the
// grid the tiles, c and n; a 7x7 plane one block of 49.
// CHECK-LABEL: func.func @fill_and_relu
// CHECK-DAG: %[[TEN:.*]] = arith.constant 10 : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[TEN]])
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}})
// CHECK: arith.cmpi ult
// CHECK: scf.if
// CHECK: memref.store
// CHECK: scf.parallel (%[[T:.*]], %[[C:.*]], %[[N:.*]]) = ({{.*}}) to (%c25{{.*}}, %c64{{.*}}, %c1{{.*}})
// CHECK-NEXT: scf.parallel (%[[X:.*]]) = ({{.*}}) to (%[[TILE:c128[_0-9]*]])
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[T]], %[[TILE]]
// CHECK-NEXT: %[[P:.*]] = arith.addi %[[FIRST]], %[[X]]
// CHECK-NEXT: %[[W:.*]] = arith.remui %[[P]], %[[ROW:c56[_0-9]*]]
// CHECK-NEXT: %[[H:.*]] = arith.divui %[[P]], %[[ROW]]
// CHECK-NEXT: %[[INSIDE:.*]] = arith.cmpi ult, %[[P]], %c3136
// CHECK-NEXT: scf.if %[[INSIDE]]
// CHECK-NEXT: memref.load %{{.*}}[%[[N]], %[[C]], %[[H]], %[[W]]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = ({{.*}}) to (%c1{{.*}}, %c1024{{.*}}, %c1{{.*}})
// CHECK-NEXT: scf.parallel (%{{.*}}) = ({{.*}}) to (%c49{{.*}})
// CHECK-NOT: scf.if
// CHECK: return
func.func @fill_and_relu(%counts: memref<1270xi32>, %x: memref<1x64x56x56xf32>, %late: memref<1x1024x7x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c56 = arith.constant 56 : index
  %c64 = arith.constant 64 : index
  %c1270 = arith.constant 1270 : index
  %zero = arith.constant 0 : i32
  %fzero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c1270) step (%c1) {
    memref.store %zero, %counts[%i] : memref<1270xi32>
    scf.reduce
  }
  scf.parallel (%n, %c, %h, %w) = (%c0, %c0, %c0, %c0) to (%c1, %c64, %c56, %c56) step (%c1, %c1, %c1, %c1) {
    %v = memref.load %x[%n, %c, %h, %w] : memref<1x64x56x56xf32>
    %r = arith.maximumf %v, %fzero : f32
    memref.store %r, %x[%n, %c, %h, %w] : memref<1x64x56x56xf32>
    scf.reduce
  }
  %c7 = arith.constant 7 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%n, %c, %h, %w) = (%c0, %c0, %c0, %c0) to (%c1, %c1024, %c7, %c7) step (%c1, %c1, %c1, %c1) {
    %v = memref.load %late[%n, %c, %h, %w] : memref<1x1024x7x7xf32>
    %r = arith.maximumf %v, %fzero : f32
    memref.store %r, %late[%n, %c, %h, %w] : memref<1x1024x7x7xf32>
    scf.reduce
  }
  return
}

// -----

// A loop with a reduction is left as it is.
// CHECK-LABEL: func.func @sum
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c1000) step (%c1) init
// CHECK-NOT: scf.parallel
func.func @sum(%x: memref<1000xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1000 = arith.constant 1000 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.parallel (%i) = (%c0) to (%c1000) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i] : memref<1000xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %t = arith.addf %a, %b : f32
      scf.reduce.return %t : f32
    }
  }
  return %s : f32
}

// -----

// A loop of dynamic bounds would stay on the host: refused.
func.func @dynamic(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{no GPU lowering for a loop of dynamic bounds}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// ZERO: threads must be at least 1
