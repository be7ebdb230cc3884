// RUN: incept-opt %s --incept-outline-kernels | FileCheck %s

// Each loop nest becomes a private, never-inlined kernel with its caller's
// arguments, named after the ONNX node; the views and constants it reads are
// cloned into it, and the caller only calls.
// CHECK-LABEL: func.func @net_forward(%arg0: memref<128xi8>, %arg1: memref<4xf32>, %arg2: memref<4xf32>)
// CHECK-NEXT: call @net_forward_0_relu(%arg0, %arg1, %arg2)
// CHECK-NEXT: call @net_forward_1_scale(%arg0, %arg1, %arg2)
// CHECK-NEXT: return
// CHECK: func.func private @net_forward_0_relu(%[[A:.*]]: memref<128xi8>, %[[IN:.*]]: memref<4xf32>, %{{.*}}: memref<4xf32>)
// CHECK-SAME: attributes {incept.node = "relu", llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[VIEW:.*]] = memref.view %[[A]][%[[C0]]][] : memref<128xi8> to memref<4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[IN]] : memref<4xf32>) outs(%[[VIEW]] : memref<4xf32>)
// CHECK: func.func private @net_forward_1_scale(
// CHECK-DAG: memref.get_global @scale
// CHECK-DAG: memref.view
// CHECK: linalg.generic
#id = affine_map<(d0) -> (d0)>
memref.global "private" constant @scale : memref<4xf32> = dense<2.0>
func.func @net_forward(%arena: memref<128xi8>, %in: memref<4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %t = memref.view %arena[%c0][] : memref<128xi8> to memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%in : memref<4xf32>) outs(%t : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } loc("relu")
  %s = memref.get_global @scale : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%t, %s : memref<4xf32>, memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%x: f32, %k: f32, %y: f32):
    %r = arith.mulf %x, %k : f32
    linalg.yield %r : f32
  } loc("scale")
  return
}
