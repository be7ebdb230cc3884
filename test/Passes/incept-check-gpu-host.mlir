// RUN: incept-opt %s --incept-check-gpu-host --split-input-file --verify-diagnostics | FileCheck %s

// The host launches kernels, on views of its arena, and waits: accepted as
// it is.
// CHECK-LABEL: func.func @launches
// CHECK: gpu.launch_func
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func private @incept_cuda_record_event(!gpu.async.token, i32)
  func.func @launches(%arena: memref<64xi8>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c0_i32 = arith.constant 0 : i32
    %x = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
    %s = gpu.wait async
    %t = gpu.launch_func async [%s] @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    call @incept_cuda_record_event(%s, %c0_i32) : (!gpu.async.token, i32) -> ()
    gpu.wait [%s]
    return
  }
}

// -----

// A loop left on the host (what convert-parallel-loops-to-gpu does not
// map) would write the GPU's memory as the host's: refused, naming the op
// and its node.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @left_on_host(%arena: memref<64xi8>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %zero = arith.constant 0.0 : f32
    %x = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      // expected-error @below {{'memref.store' has no GPU kernel: it would run on the host, on the GPU's memory}}
      memref.store %zero, %x[%i] : memref<4xf32>
      scf.reduce
    }
    return
  }
}

// -----

// A function that launches nothing (a CPU library's) is not the pass's.
// CHECK-LABEL: func.func @cpu
// CHECK: memref.store
func.func @cpu(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %x[%c0] : memref<4xf32>
  return
}
