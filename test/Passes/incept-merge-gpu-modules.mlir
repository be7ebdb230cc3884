// RUN: incept-opt %s --incept-merge-gpu-modules --split-input-file --verify-diagnostics | FileCheck %s

// Two one-kernel modules, as gpu-kernel-outlining leaves them, become one;
// each kernel is named after its module and the launches follow.
// CHECK: gpu.module @forward_kernel {
// CHECK: gpu.func @forward_kernel(
// CHECK: gpu.func @forward_kernel_0(
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @forward
// CHECK: gpu.launch_func  @forward_kernel::@forward_kernel
// CHECK: gpu.launch_func  @forward_kernel::@forward_kernel_0
// CHECK: gpu.launch_func  @forward_kernel::@forward_kernel
module attributes {gpu.container_module} {
  gpu.module @forward_kernel {
    gpu.func @forward_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @forward_kernel_0 {
    gpu.func @forward_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @forward(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @forward_kernel::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @forward_kernel_0::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @forward_kernel::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @one {
    gpu.func @one() kernel {
      gpu.return
    }
  }
  // expected-error @+1 {{expected a gpu.module of one kernel, as gpu-kernel-outlining makes}}
  gpu.module @two {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}
