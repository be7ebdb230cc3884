// RUN: incept-opt %s --pass-pipeline='builtin.module(gpu.module(incept-lower-gpu-math))' --split-input-file --verify-diagnostics | FileCheck %s

// sqrt is NVVM's IEEE sqrt.rn, rsqrt one over it, exp an exp2, maxnumf and
// minnumf PTX's max and min: no libdevice.
// CHECK-LABEL: gpu.func @kernel
// CHECK-SAME: (%[[X:.*]]: f32, %[[OUT:.*]]: memref<3xf32>)
// CHECK: %[[ROOT:.*]] = llvm.call_intrinsic "llvm.nvvm.sqrt.rn.f"(%[[X]]) : (f32) -> f32
// CHECK: %[[ROOT2:.*]] = llvm.call_intrinsic "llvm.nvvm.sqrt.rn.f"(%[[X]]) : (f32) -> f32
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[RSQRT:.*]] = arith.divf %[[ONE]], %[[ROOT2]] : f32
// CHECK: %[[LOG2E:.*]] = arith.constant 1.44269502 : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[X]], %[[LOG2E]] : f32
// CHECK: %[[EXP:.*]] = llvm.call_intrinsic "llvm.nvvm.ex2.approx.f32"(%[[SCALED]]) : (f32) -> f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.fmax.f"(%[[EXP]], %[[X]]) : (f32, f32) -> f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.fmin.f"(%[[EXP]], %[[X]]) : (f32, f32) -> f32
// CHECK-NOT: math.
// CHECK-NOT: arith.maxnumf
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @kernel(%x: f32, %out: memref<3xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %s = math.sqrt %x : f32
      %r = math.rsqrt %x : f32
      %e = math.exp %x : f32
      %max = arith.maxnumf %e, %x : f32
      %min = arith.minnumf %e, %x : f32
      memref.store %max, %out[%c0] : memref<3xf32>
      memref.store %min, %out[%c0] : memref<3xf32>
      memref.store %s, %out[%c0] : memref<3xf32>
      memref.store %r, %out[%c1] : memref<3xf32>
      memref.store %e, %out[%c2] : memref<3xf32>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @kernel(%x: f32, %out: memref<1xf32>) kernel {
      %c0 = arith.constant 0 : index
      // expected-error @+1 {{no GPU lowering for math.tanh (--target=cuda has sqrt, rsqrt and exp)}}
      %t = math.tanh %x : f32
      memref.store %t, %out[%c0] : memref<1xf32>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @kernel(%x: f16, %out: memref<1xf16>) kernel {
      %c0 = arith.constant 0 : index
      // expected-error @+1 {{no GPU lowering for math.sqrt on 'f16'}}
      %s = math.sqrt %x : f16
      memref.store %s, %out[%c0] : memref<1xf16>
      gpu.return
    }
  }
}
