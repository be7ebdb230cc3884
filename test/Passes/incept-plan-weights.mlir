// RUN: incept-opt %s --incept-plan-weights --split-input-file --verify-diagnostics | FileCheck %s

// Two weights, one read twice: each is placed once, 64-byte aligned, in the
// order first read; a splat is expanded. Reads become views of the new
// argument after the arena, the globals are gone, and the blob is the
// public constant <function>_weights with its size on the function.
// CHECK: memref.global "public" constant @forward_weights : memref<128xi8> = dense_resource<weights> {alignment = 64 : i64}
// CHECK-NOT: @bias
// CHECK-NOT: @scale
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[ARENA:.*]]: memref<64xi8> {incept.name = "arena"}, %[[WEIGHTS:.*]]: memref<128xi8> {incept.name = "weights"}, %{{.*}}: memref<4xf32>)
// CHECK-SAME: incept.weights_bytes = 128 : i64
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WEIGHTS]][%[[C0]]][] : memref<128xi8> to memref<4xf32>
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: memref.view %[[WEIGHTS]][%[[C64]]][] : memref<128xi8> to memref<4xf32>
// CHECK: %[[C0_AGAIN:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WEIGHTS]][%[[C0_AGAIN]]][] : memref<128xi8> to memref<4xf32>
// CHECK-NOT: memref.get_global
// CHECK: return
// CHECK: memref.global "private" constant @kept : memref<2xi32>
memref.global "private" constant @bias : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
memref.global "private" constant @scale : memref<4xf32> = dense<0.5>
func.func @forward(%arena: memref<64xi8> {incept.name = "arena"}, %out: memref<4xf32>) {
  %b = memref.get_global @bias : memref<4xf32>
  %s = memref.get_global @scale : memref<4xf32>
  %b2 = memref.get_global @bias : memref<4xf32>
  memref.copy %b, %out : memref<4xf32> to memref<4xf32>
  memref.copy %s, %out : memref<4xf32> to memref<4xf32>
  memref.copy %b2, %out : memref<4xf32> to memref<4xf32>
  return
}
// A global the function does not read stays.
memref.global "private" constant @kept : memref<2xi32> = dense<[1, 2]>

// -----

// A global that is not a constant cannot be one of the weights.
memref.global "private" @state : memref<4xf32> = uninitialized
func.func @forward(%out: memref<4xf32>) {
  // expected-error @+1 {{cannot place 'state' in the weights: it is not a constant of whole bytes}}
  %s = memref.get_global @state : memref<4xf32>
  memref.copy %s, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// An i1 constant (a Where's condition) is a byte per element in the blob, as
// LLVM stores i1: [true, false, true] are the bytes 01 00 01 (after the
// blob's alignment, 0x40000000).
// CHECK: memref.global "public" constant @masked_weights : memref<64xi8> = dense_resource<weights>
// CHECK-LABEL: func.func @masked
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<64xi8> to memref<3xi1>
// CHECK: weights: "0x40000000010001
memref.global "private" constant @mask : memref<3xi1> = dense<[true, false, true]>
func.func @masked(%arena: memref<64xi8> {incept.name = "arena"}, %out: memref<3xi1>) {
  %m = memref.get_global @mask : memref<3xi1>
  memref.copy %m, %out : memref<3xi1> to memref<3xi1>
  return
}
