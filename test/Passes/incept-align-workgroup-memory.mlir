// RUN: incept-opt %s --pass-pipeline='builtin.module(gpu.module(incept-align-workgroup-memory))' | FileCheck %s
// RUN: incept-opt %s --pass-pipeline='builtin.module(gpu.module(incept-align-workgroup-memory,convert-gpu-to-nvvm))' | FileCheck %s --check-prefix=NVVM

// Every workgroup buffer of every kernel is aligned to 16 bytes; an
// alignment already larger stays. The alignment is the .shared array's.
// CHECK-LABEL: gpu.func @tiles
// CHECK-SAME: workgroup(%{{.*}} : memref<3x64x20xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64})
// CHECK-LABEL: gpu.func @none
// NVVM: llvm.mlir.global internal @__wg_tiles_0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<3840 x f32>
// NVVM: llvm.mlir.global internal @__wg_tiles_1() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<1 x i32>
// NVVM: llvm.mlir.global internal @__wg_tiles_2() {addr_space = 3 : i32, alignment = 64 : i64} : !llvm.array<8 x f32>
gpu.module @k {
  gpu.func @tiles(%out: memref<4xf32>)
      workgroup(%a: memref<3x64x20xf32, #gpu.address_space<workgroup>>,
                %flag: memref<1xi32, #gpu.address_space<workgroup>>,
                %wide: memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64}) kernel {
    %c0 = arith.constant 0 : index
    %v = memref.load %a[%c0, %c0, %c0] : memref<3x64x20xf32, #gpu.address_space<workgroup>>
    %w = memref.load %wide[%c0] : memref<8xf32, #gpu.address_space<workgroup>>
    %f = memref.load %flag[%c0] : memref<1xi32, #gpu.address_space<workgroup>>
    %s = arith.addf %v, %w : f32
    memref.store %s, %out[%c0] : memref<4xf32>
    gpu.return
  }
  gpu.func @none(%out: memref<4xf32>) kernel {
    gpu.return
  }
}
