// RUN: incept-opt %s --incept-distinct-results | FileCheck %s
// RUN: incept-opt %s --incept-distinct-results --incept-bufferize | FileCheck %s --check-prefix=BUFFERS

// The same value returned twice: the second is a copy in an allocation of
// its own; the first and a value returned once stay as they are.
// CHECK-LABEL: func.func @twice
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: %[[COPY:.*]] = bufferization.alloc_tensor() copy(%[[R]]) : tensor<4xf32>
// CHECK: return %[[R]], %[[COPY]], %arg0
// Bufferized (results as out-parameters), each output buffer is written.
// BUFFERS-LABEL: func.func @twice
// BUFFERS-SAME: %[[X:arg[0-9]+]]: memref<4xf32> {incept.name = "x"}, %[[A:arg[0-9]+]]: memref<4xf32> {incept.name = "a"}, %[[B:arg[0-9]+]]: memref<4xf32> {incept.name = "b"}, %[[C:arg[0-9]+]]: memref<4xf32> {incept.name = "c"}
// BUFFERS: linalg.generic {{.*}} outs(%[[A]] : memref<4xf32>)
// BUFFERS: memref.copy %[[A]], %[[B]]
// BUFFERS: memref.copy %[[X]], %[[C]]
#map = affine_map<(d0) -> (d0)>
func.func @twice(%x: tensor<4xf32> {incept.name = "x"}) -> (tensor<4xf32> {incept.name = "a"}, tensor<4xf32> {incept.name = "b"}, tensor<4xf32> {incept.name = "c"}) {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %cst : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r, %r, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
