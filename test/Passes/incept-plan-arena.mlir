// RUN: incept-opt %s --incept-plan-arena --split-input-file --verify-diagnostics | FileCheck %s

// Three buffers in a chain: %a dies when %c is written, so %c reuses its
// bytes; %b, live while both are, gets its own. Views of a buffer keep it
// alive. Every allocation becomes a view of the new leading arena argument.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[ARENA:.*]]: memref<8192xi8> {incept.name = "arena"}, %[[IN:.*]]: memref<1024xf32>, %[[OUT:.*]]: memref<1024xf32>)
// CHECK-SAME: attributes {incept.scratch_bytes = 8192 : i64}
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[C0]]][] : memref<8192xi8> to memref<1024xf32>
// CHECK: %[[C4096:.*]] = arith.constant 4096 : index
// CHECK: memref.view %[[ARENA]][%[[C4096]]][] : memref<8192xi8> to memref<1024xf32>
// CHECK: %[[C0_AGAIN:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[C0_AGAIN]]][] : memref<8192xi8> to memref<1024xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
func.func @chain(%in: memref<1024xf32>, %out: memref<1024xf32>) {
  %a = memref.alloc() : memref<1024xf32>
  memref.copy %in, %a : memref<1024xf32> to memref<1024xf32>
  %b = memref.alloc() : memref<1024xf32>
  %sub = memref.subview %a[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
  %bsub = memref.subview %b[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
  memref.copy %sub, %bsub : memref<512xf32, strided<[1]>> to memref<512xf32, strided<[1]>>
  memref.dealloc %a : memref<1024xf32>
  %c = memref.alloc() : memref<1024xf32>
  memref.copy %b, %c : memref<1024xf32> to memref<1024xf32>
  memref.copy %c, %out : memref<1024xf32> to memref<1024xf32>
  return
}

// -----

// Disjoint lives share offset 0; the arena is the largest, rounded to 64.
// CHECK-LABEL: func.func @disjoint
// CHECK-SAME: memref<448xi8>
// CHECK-SAME: incept.scratch_bytes = 448 : i64
// CHECK-COUNT-2: arith.constant 0 : index
func.func @disjoint(%in: memref<100xf32>, %out: memref<100xf32>) {
  %a = memref.alloc() : memref<100xf32>
  memref.copy %in, %a : memref<100xf32> to memref<100xf32>
  memref.copy %a, %out : memref<100xf32> to memref<100xf32>
  %b = memref.alloc() : memref<110xf32>
  %bsub = memref.subview %b[0] [100] [1] : memref<110xf32> to memref<100xf32, strided<[1]>>
  memref.copy %out, %bsub : memref<100xf32> to memref<100xf32, strided<[1]>>
  %bs2 = memref.subview %b[10] [100] [1] : memref<110xf32> to memref<100xf32, strided<[1], offset: 10>>
  memref.copy %bs2, %out : memref<100xf32, strided<[1], offset: 10>> to memref<100xf32>
  return
}

// -----

// A function without buffers still gets a (minimal) arena.
// CHECK-LABEL: func.func @nothing
// CHECK-SAME: memref<64xi8>
// CHECK-SAME: incept.scratch_bytes = 64 : i64
func.func @nothing(%in: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

func.func @returned() -> memref<4xf32> {
  // expected-error @below {{cannot plan a buffer that the function returns}}
  %a = memref.alloc() : memref<4xf32>
  return %a : memref<4xf32>
}

// -----

func.func @dynamic(%n: index) {
  // expected-error @below {{cannot plan a buffer of type 'memref<?xf32>': it needs a static shape}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

// GPU launches that do not depend on each other may run at the same time
// (incept-gpu-streams): the second branch's %t2 comes after the first
// branch's %t1 is read for the last time, but nothing orders the two
// branches, so %t2 gets bytes of its own. In the chain below, the head reads
// both branches: from there on, everything comes after them, and %h reuses
// the first branch's bytes.
// CHECK-LABEL: func.func @concurrent
// CHECK-SAME: attributes {incept.scratch_bytes = 768 : i64}
// CHECK: %[[A:.*]] = arith.constant 0 : index
// CHECK: memref.view %{{.*}}[%[[A]]][] : memref<768xi8> to memref<64xf32>
// CHECK: %[[T1:.*]] = arith.constant 256 : index
// CHECK: memref.view %{{.*}}[%[[T1]]][] : memref<768xi8> to memref<64xf32>
// CHECK: %[[T2:.*]] = arith.constant 512 : index
// CHECK: memref.view %{{.*}}[%[[T2]]][] : memref<768xi8> to memref<64xf32>
// CHECK: %[[H:.*]] = arith.constant 0 : index
// CHECK: memref.view %{{.*}}[%[[H]]][] : memref<768xi8> to memref<64xf32>
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @unary(%in: memref<64xf32>, %out: memref<64xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32>
      gpu.return
    }
    gpu.func @binary(%a: memref<64xf32>, %b: memref<64xf32>, %out: memref<64xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %a[%c0] : memref<64xf32>
      %w = memref.load %b[%c0] : memref<64xf32>
      %s = arith.addf %v, %w : f32
      memref.store %s, %out[%c0] : memref<64xf32>
      gpu.return
    }
  }
  func.func @concurrent(%in: memref<64xf32>, %out1: memref<64xf32>, %out2: memref<64xf32>,
                        %out: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    %a = memref.alloc() : memref<64xf32>
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<64xf32>, %a : memref<64xf32>)
    %t1 = memref.alloc() : memref<64xf32>
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%a : memref<64xf32>, %t1 : memref<64xf32>)
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%t1 : memref<64xf32>, %out1 : memref<64xf32>)
    %t2 = memref.alloc() : memref<64xf32>
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%a : memref<64xf32>, %t2 : memref<64xf32>)
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%t2 : memref<64xf32>, %out2 : memref<64xf32>)
    gpu.launch_func @k::@binary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%out1 : memref<64xf32>, %out2 : memref<64xf32>, %out : memref<64xf32>)
    %h = memref.alloc() : memref<64xf32>
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%out : memref<64xf32>, %h : memref<64xf32>)
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%h : memref<64xf32>, %out1 : memref<64xf32>)
    return
  }
}
