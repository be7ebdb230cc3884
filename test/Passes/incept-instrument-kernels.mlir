// RUN: incept-opt %s --incept-instrument-kernels | FileCheck %s

// Every kernel call of the entry point is bracketed by the runtime's profile
// hooks with its number; the module records each kernel's ONNX node in that
// order.
// CHECK: module attributes {incept.profiled_kernels = ["relu", "scale"]}
// CHECK-LABEL: func.func @net_forward
// CHECK: %[[K0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_profile_begin(%[[K0]]) : (i32) -> ()
// CHECK-NEXT: call @net_forward_0_relu(
// CHECK-NEXT: call @incept_profile_end(%[[K0]]) : (i32) -> ()
// CHECK: %[[K1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @incept_profile_begin(%[[K1]])
// CHECK-NEXT: call @net_forward_1_scale(
// CHECK-NEXT: call @incept_profile_end(%[[K1]])
// CHECK: func.func private @incept_profile_begin(i32)
// CHECK: func.func private @incept_profile_end(i32)
func.func @net_forward(%arena: memref<64xi8>, %in: memref<4xf32>, %out: memref<4xf32>) attributes {incept.scratch_bytes = 64 : i64} {
  call @net_forward_0_relu(%arena, %in, %out) : (memref<64xi8>, memref<4xf32>, memref<4xf32>) -> ()
  call @net_forward_1_scale(%arena, %in, %out) : (memref<64xi8>, memref<4xf32>, memref<4xf32>) -> ()
  return
}
func.func private @net_forward_0_relu(%arena: memref<64xi8>, %in: memref<4xf32>, %out: memref<4xf32>) attributes {incept.node = "relu"} {
  return
}
func.func private @net_forward_1_scale(%arena: memref<64xi8>, %in: memref<4xf32>, %out: memref<4xf32>) attributes {incept.node = "scale"} {
  return
}
