// RUN: incept-opt %s --incept-gpu-streams --split-input-file | FileCheck %s
// RUN: incept-opt %s --incept-gpu-streams=max-streams=2 --split-input-file | FileCheck %s --check-prefix=TWO

// An Inception block: a stem, three branches that read its output and each
// write their slice of one concat, and a head that reads the concat. The
// first branch continues the stem's stream; the two others go on streams of
// their own after the stem's event; the head continues the last branch's
// stream after the events of the other two. The branches read the same
// bytes (no dependency) and write disjoint ones.
// CHECK-LABEL: func.func @block
// CHECK: %[[S0:.*]] = gpu.wait async
// CHECK-NEXT: %[[S1:.*]] = gpu.wait async
// CHECK-NEXT: %[[S2:.*]] = gpu.wait async
// CHECK-NOT: gpu.wait
// CHECK: gpu.launch_func async [%[[S0]]] @k::@stem {{.*}} args(%{{.*}} : memref<64xf32>, %[[STEM:.*]] : memref<64xf32>)
// CHECK-NEXT: %[[E0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_cuda_record_event(%[[S0]], %[[E0]])
// CHECK-NEXT: gpu.launch_func async [%[[S0]]] @k::@branch0 {{.*}} args(%[[STEM]] : memref<64xf32>, %{{.*}} : memref<64xf32, strided<[1]>>)
// CHECK-NEXT: %[[E2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: call @incept_cuda_record_event(%[[S0]], %[[E2]])
// CHECK-NEXT: %[[W0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_cuda_wait_event(%[[S1]], %[[W0]])
// CHECK-NEXT: gpu.launch_func async [%[[S1]]] @k::@branch1 {{.*}} args(%[[STEM]] : memref<64xf32>, %{{.*}} : memref<64xf32, strided<[1], offset: 64>>)
// CHECK-NEXT: %[[E1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @incept_cuda_record_event(%[[S1]], %[[E1]])
// CHECK-NEXT: %[[W0B:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_cuda_wait_event(%[[S2]], %[[W0B]])
// CHECK-NEXT: gpu.launch_func async [%[[S2]]] @k::@branch2 {{.*}} args(%[[STEM]] : memref<64xf32>, %{{.*}} : memref<64xf32, strided<[1], offset: 128>>)
// CHECK-NEXT: %[[W1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @incept_cuda_wait_event(%[[S2]], %[[W1]])
// CHECK-NEXT: %[[W2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: call @incept_cuda_wait_event(%[[S2]], %[[W2]])
// CHECK-NEXT: gpu.launch_func async [%[[S2]]] @k::@head {{.*}} args(%{{.*}} : memref<192xf32>, %{{.*}} : memref<192xf32>)
// CHECK-NEXT: gpu.wait [%[[S2]], %[[S1]], %[[S0]]]
// CHECK-NEXT: return
// CHECK: func.func private @incept_cuda_wait_event(!gpu.async.token, i32)
// With two streams, the last branch goes behind the first on its stream
// (the one whose last launch is the oldest), which already comes after the
// stem, and the head after it waits only for the middle branch.
// TWO-LABEL: func.func @block
// TWO: %[[S0:.*]] = gpu.wait async
// TWO-NEXT: %[[S1:.*]] = gpu.wait async
// TWO-NOT: gpu.wait async
// TWO: call @incept_cuda_wait_event(%[[S1]]
// TWO-NEXT: gpu.launch_func async [%[[S1]]] @k::@branch1
// TWO-NEXT: arith.constant 1 : i32
// TWO-NEXT: call @incept_cuda_record_event(%[[S1]]
// TWO-NEXT: gpu.launch_func async [%[[S0]]] @k::@branch2
// TWO-NEXT: arith.constant 1 : i32
// TWO-NEXT: call @incept_cuda_wait_event(%[[S0]]
// TWO-NEXT: gpu.launch_func async [%[[S0]]] @k::@head
// TWO-NEXT: gpu.wait [%[[S1]], %[[S0]]]
module attributes {gpu.container_module} {
  gpu.module @k {
    // Each reads its first argument and writes its second.
    gpu.func @stem(%in: memref<64xf32>, %out: memref<64xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32>
      gpu.return
    }
    gpu.func @branch0(%in: memref<64xf32>, %out: memref<64xf32, strided<[1]>>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32, strided<[1]>>
      gpu.return
    }
    gpu.func @branch1(%in: memref<64xf32>, %out: memref<64xf32, strided<[1], offset: 64>>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32, strided<[1], offset: 64>>
      gpu.return
    }
    gpu.func @branch2(%in: memref<64xf32>, %out: memref<64xf32, strided<[1], offset: 128>>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32, strided<[1], offset: 128>>
      gpu.return
    }
    gpu.func @head(%in: memref<192xf32>, %out: memref<192xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<192xf32>
      memref.store %v, %out[%c0] : memref<192xf32>
      gpu.return
    }
  }
  func.func @block(%arena: memref<2048xi8>, %in: memref<64xf32>, %out: memref<192xf32>) {
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c256 = arith.constant 256 : index
    %stem = memref.view %arena[%c0][] : memref<2048xi8> to memref<64xf32>
    %concat = memref.view %arena[%c256][] : memref<2048xi8> to memref<192xf32>
    %b0 = memref.subview %concat[0] [64] [1] : memref<192xf32> to memref<64xf32, strided<[1]>>
    %b1 = memref.subview %concat[64] [64] [1] : memref<192xf32> to memref<64xf32, strided<[1], offset: 64>>
    %b2 = memref.subview %concat[128] [64] [1] : memref<192xf32> to memref<64xf32, strided<[1], offset: 128>>
    gpu.launch_func @k::@stem blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<64xf32>, %stem : memref<64xf32>)
    gpu.launch_func @k::@branch0 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%stem : memref<64xf32>, %b0 : memref<64xf32, strided<[1]>>)
    gpu.launch_func @k::@branch1 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%stem : memref<64xf32>, %b1 : memref<64xf32, strided<[1], offset: 64>>)
    gpu.launch_func @k::@branch2 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%stem : memref<64xf32>, %b2 : memref<64xf32, strided<[1], offset: 128>>)
    gpu.launch_func @k::@head blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%concat : memref<192xf32>, %out : memref<192xf32>)
    return
  }
}

// -----

// The third launch reads what the first wrote and overwrites part of what
// the second wrote (the arena reused): it continues the second's stream and
// waits for the first's event. The first two only read the same bytes and
// do not wait for each other.
// CHECK-LABEL: func.func @reuse
// CHECK: %[[S0:.*]] = gpu.wait async
// CHECK-NEXT: %[[S1:.*]] = gpu.wait async
// CHECK: gpu.launch_func async [%[[S0]]] @k::@unary {{.*}} args(%[[IN:.*]] : memref<64xf32>, %[[A:.*]] : memref<64xf32>)
// CHECK-NEXT: %[[E:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_cuda_record_event(%[[S0]], %[[E]])
// CHECK-NEXT: gpu.launch_func async [%[[S1]]] @k::@unary {{.*}} args(%[[IN]] : memref<64xf32>, %{{.*}} : memref<64xf32>)
// CHECK-NEXT: %[[W:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @incept_cuda_wait_event(%[[S1]], %[[W]])
// CHECK-NEXT: gpu.launch_func async [%[[S1]]] @k::@unary {{.*}} args(%[[A]] : memref<64xf32>, %{{.*}} : memref<64xf32>)
// CHECK-NEXT: gpu.wait [%[[S1]], %[[S0]]]
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @unary(%in: memref<64xf32>, %out: memref<64xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32>
      gpu.return
    }
  }
  func.func @reuse(%arena: memref<1024xi8>, %in: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c512 = arith.constant 512 : index
    %a = memref.view %arena[%c0][] : memref<1024xi8> to memref<64xf32>
    %b = memref.view %arena[%c512][] : memref<1024xi8> to memref<64xf32>
    // From 128 bytes into %b: overlaps its second half.
    %c640 = arith.constant 640 : index
    %c = memref.view %arena[%c640][] : memref<1024xi8> to memref<64xf32>
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<64xf32>, %a : memref<64xf32>)
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<64xf32>, %b : memref<64xf32>)
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%a : memref<64xf32>, %c : memref<64xf32>)
    return
  }
}

// -----

// How a kernel uses an argument comes from its body, through views: an
// atomic is a read and a write, a load through a subview a read; a pointer
// taken out as an integer might be anything. Here both launches write what
// the other reads or writes, so they stay on one stream.
// CHECK-LABEL: func.func @effects
// CHECK-NOT: gpu.wait
// CHECK: gpu.launch_func @k::@count
// CHECK: gpu.launch_func @k::@escape
// CHECK-NOT: gpu.wait
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @count(%in: memref<8xf32>, %counts: memref<4xi32>) kernel {
      %c0 = arith.constant 0 : index
      %one = arith.constant 1 : i32
      %view = memref.subview %in[2] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 2>>
      %v = memref.load %view[%c0] : memref<4xf32, strided<[1], offset: 2>>
      %old = memref.atomic_rmw addi %one, %counts[%c0] : (i32, memref<4xi32>) -> i32
      gpu.return
    }
    gpu.func @escape(%in: memref<8xf32>, %counts: memref<4xi32>) kernel {
      %p = memref.extract_aligned_pointer_as_index %in : memref<8xf32> -> index
      gpu.return
    }
  }
  func.func @effects(%in: memref<8xf32>, %counts: memref<4xi32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@count blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<8xf32>, %counts : memref<4xi32>)
    gpu.launch_func @k::@escape blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<8xf32>, %counts : memref<4xi32>)
    return
  }
}

// -----

// A copy on the host orders what is around it in ways the launches'
// memory does not say: the function is left as it is.
// CHECK-LABEL: func.func @host_copy
// CHECK-NOT: gpu.wait
// CHECK-NOT: async
// CHECK: memref.copy
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @unary(%in: memref<64xf32>, %out: memref<64xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %in[%c0] : memref<64xf32>
      memref.store %v, %out[%c0] : memref<64xf32>
      gpu.return
    }
  }
  func.func @host_copy(%in: memref<64xf32>, %a: memref<64xf32>, %b: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<64xf32>, %a : memref<64xf32>)
    memref.copy %in, %b : memref<64xf32> to memref<64xf32>
    gpu.launch_func @k::@unary blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%in : memref<64xf32>, %b : memref<64xf32>)
    return
  }
}
