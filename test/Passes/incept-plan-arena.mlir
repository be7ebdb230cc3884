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
