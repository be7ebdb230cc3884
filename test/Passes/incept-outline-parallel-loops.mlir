// RUN: incept-opt %s --incept-outline-parallel-loops | FileCheck %s

// A kernel's loop marked incept.parallel becomes a function of its item
// range with the kernel's arguments; the kernel hands it and the item count
// to <forward>_parallel_for, which the model's wrapper defines. The views and
// constants the loop reads are cloned into the items function.
// CHECK-LABEL: func.func @net_forward(
// CHECK-NEXT: call @net_forward_0_relu(%arg0, %arg1, %arg2)
// CHECK: func.func private @net_forward_0_relu(%[[A:.*]]: memref<64xi8>, %[[IN:.*]]: memref<4x16xf32>, %[[OUT:.*]]: memref<4x16xf32>)
// CHECK: %[[ITEMS:.*]] = constant @net_forward_0_relu_items : (index, index, memref<64xi8>, memref<4x16xf32>, memref<4x16xf32>) -> ()
// CHECK: call @net_forward_parallel_for(%[[ITEMS]], %c4, %[[A]], %[[IN]], %[[OUT]])
// CHECK-NOT: scf.for
// CHECK: return
// A loop that is not marked stays where it is.
// CHECK: func.func private @net_forward_1_serial(
// CHECK: scf.for
// CHECK: func.func private @net_forward_parallel_for((index, index, memref<64xi8>, memref<4x16xf32>, memref<4x16xf32>) -> (), index, memref<64xi8>, memref<4x16xf32>, memref<4x16xf32>)
// CHECK: func.func private @net_forward_0_relu_items(%[[BEGIN:.*]]: index, %[[END:.*]]: index, %{{.*}}: memref<64xi8>, %[[IIN:.*]]: memref<4x16xf32>, %[[IOUT:.*]]: memref<4x16xf32>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step %{{.*}} {
// CHECK: vector.load %[[IIN]][%[[I]], %{{.*}}]
// CHECK: arith.maximumf %{{.*}}, %[[ZERO]]
// CHECK: vector.store %{{.*}}, %[[IOUT]][%[[I]], %{{.*}}]
// CHECK-NOT: incept.parallel
func.func @net_forward(%arena: memref<64xi8>, %in: memref<4x16xf32>, %out: memref<4x16xf32>) attributes {incept.scratch_bytes = 64 : i64} {
  call @net_forward_0_relu(%arena, %in, %out) : (memref<64xi8>, memref<4x16xf32>, memref<4x16xf32>) -> ()
  call @net_forward_1_serial(%arena, %in, %out) : (memref<64xi8>, memref<4x16xf32>, memref<4x16xf32>) -> ()
  return
}
func.func private @net_forward_0_relu(%arena: memref<64xi8>, %in: memref<4x16xf32>, %out: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = vector.load %in[%i, %c0] : memref<4x16xf32>, vector<16xf32>
    %y = arith.maximumf %x, %zero : vector<16xf32>
    vector.store %y, %out[%i, %c0] : memref<4x16xf32>, vector<16xf32>
  } {incept.parallel}
  return
}
func.func private @net_forward_1_serial(%arena: memref<64xi8>, %in: memref<4x16xf32>, %out: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = vector.load %in[%i, %c0] : memref<4x16xf32>, vector<16xf32>
    vector.store %x, %out[%i, %c0] : memref<4x16xf32>, vector<16xf32>
  }
  return
}
