// RUN: incept-opt %s --incept-instrument-kernels --split-input-file | FileCheck %s

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

// -----

// A GPU library: each launch is bracketed on its stream by the CUDA
// runtime's hooks, which record the kernel's timing events there. A launch
// on no stream (incept-gpu-streams left the function on one) gets one for
// its duration, as gpu-to-llvm would give it; a launch of no ONNX node
// gets "" (incept-compile names its layer "(unnamed)").
// CHECK: module attributes {gpu.container_module, incept.profiled_kernels = ["conv", ""]}
// CHECK-NEXT: func.func private @incept_cuda_profile_end(!gpu.async.token, i32)
// CHECK-NEXT: func.func private @incept_cuda_profile_begin(!gpu.async.token, i32)
// CHECK-LABEL: func.func @net_forward
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK-NEXT: %[[K0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_cuda_profile_begin(%[[S]], %[[K0]]) : (!gpu.async.token, i32) -> ()
// CHECK-NEXT: gpu.launch_func async [%[[S]]] @k::@conv
// CHECK-NEXT: call @incept_cuda_profile_end(%[[S]], %[[K0]]) : (!gpu.async.token, i32) -> ()
// CHECK-NEXT: call @incept_cuda_record_event(%[[S]]
// CHECK-NEXT: %[[K1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[OWN:.*]] = gpu.wait async
// CHECK-NEXT: call @incept_cuda_profile_begin(%[[OWN]], %[[K1]])
// CHECK-NEXT: gpu.launch_func async [%[[OWN]]] @k::@pool
// CHECK-NEXT: call @incept_cuda_profile_end(%[[OWN]], %[[K1]])
// CHECK-NEXT: gpu.wait [%[[OWN]]]
// CHECK-NEXT: gpu.wait [%[[S]]]
// CHECK-NOT: incept_profile_begin
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @conv(%x: memref<4xf32>) kernel {
      gpu.return
    }
    gpu.func @pool(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func private @incept_cuda_record_event(!gpu.async.token, i32)
  func.func @net_forward(%arena: memref<64xi8>, %x: memref<4xf32>) attributes {incept.scratch_bytes = 64 : i64} {
    %c0_i32 = arith.constant 0 : i32
    %c1 = arith.constant 1 : index
    %s = gpu.wait async
    %t = gpu.launch_func async [%s] @k::@conv blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>) loc("conv")
    call @incept_cuda_record_event(%s, %c0_i32) : (!gpu.async.token, i32) -> ()
    gpu.launch_func @k::@pool blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.wait [%s]
    return
  }
}
