// Every op parses, verifies, prints, and parses back to the same thing.
// RUN: incept-opt %s | incept-opt | FileCheck %s
// RUN: incept-opt %s --mlir-print-op-generic | incept-opt | FileCheck %s

// CHECK-LABEL: func @conv_epilogue
func.func @conv_epilogue(%x: tensor<1x32x17x17xf32>, %w: tensor<32x32x1x7xf32>,
                         %b: tensor<32xf32>, %r: tensor<1x32x17x17xf32>) -> tensor<1x32x17x17xf32> {
  // CHECK: incept.conv %{{.*}}, %{{.*}} bias %{{.*}} residual %{{.*}} {activation = #incept<activation relu>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>, residual_scale = 1.700000e-01 : f32, strides = array<i64: 1, 1>}
  %0 = incept.conv %x, %w bias %b residual %r {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>, activation = #incept<activation relu>, residual_scale = 0.17 : f32}
       : (tensor<1x32x17x17xf32>, tensor<32x32x1x7xf32>, tensor<32xf32>, tensor<1x32x17x17xf32>) -> tensor<1x32x17x17xf32>
  return %0 : tensor<1x32x17x17xf32>
}

// CHECK-LABEL: func @conv_grouped_clip
func.func @conv_grouped_clip(%x: tensor<1x8x9x9xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // CHECK: incept.conv %{{.*}}, %{{.*}} {activation = #incept<activation clip>, clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32, dilations = array<i64: 2, 2>, group = 4 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 1, 1>}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 2, 2>,
         group = 4, activation = #incept<activation clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32}
       : (tensor<1x8x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// CHECK-LABEL: func @normalisation
func.func @normalisation(%x: tensor<1x64x56x56xf32>, %p: tensor<64xf32>) -> tensor<1x64x56x56xf32> {
  // CHECK: incept.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
  %0 = incept.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32}
       : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  // CHECK: incept.lrn %{{.*}} {alpha = 2.000000e-04 : f32, beta = 5.000000e-01 : f32, bias = 2.000000e+00 : f32, size = 5 : i64} : tensor<1x64x56x56xf32>
  %1 = incept.lrn %0 {size = 5, alpha = 2.0e-4 : f32, beta = 0.5 : f32, bias = 2.0 : f32} : tensor<1x64x56x56xf32>
  // Default attribute values are not printed.
  // CHECK: incept.lrn %{{.*}} {size = 3 : i64} : tensor<1x64x56x56xf32>
  %defaults = incept.lrn %0 {size = 3, alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32} : tensor<1x64x56x56xf32>
  // CHECK: incept.relu %{{.*}} : tensor<1x64x56x56xf32>
  %2 = incept.relu %1 : tensor<1x64x56x56xf32>
  // CHECK: incept.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %3 = incept.clip %2 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x64x56x56xf32>
  return %3 : tensor<1x64x56x56xf32>
}

// CHECK-LABEL: func @pools
func.func @pools(%x: tensor<1x64x112x112xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x64x112x112xf32>, tensor<1x64x1x1xf32>) {
  // CHECK: incept.max_pool %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %0 = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  // CHECK: incept.avg_pool %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %1 = incept.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         count_include_pad = true} : (tensor<1x64x112x112xf32>) -> tensor<1x64x112x112xf32>
  // CHECK: incept.global_avg_pool %{{.*}} : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
  %2 = incept.global_avg_pool %x : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
  return %0, %1, %2 : tensor<1x64x56x56xf32>, tensor<1x64x112x112xf32>, tensor<1x64x1x1xf32>
}

// CHECK-LABEL: func @max_pool_with_indices
func.func @max_pool_with_indices(%x: tensor<1x1x5x5xf32>, %u: tensor<2x3x8x8xui8>)
    -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<2x3x5x5xui8>, tensor<2x3x5x5xi64>) {
  // CHECK: %{{.*}}, %{{.*}} = incept.max_pool_with_indices %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, storage_order = 1 : i64, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
             pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, storage_order = 1}
           : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  // storage_order defaults to 0 and is not printed.
  // CHECK: incept.max_pool_with_indices %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x3x8x8xui8>) -> (tensor<2x3x5x5xui8>, tensor<2x3x5x5xi64>)
  %2, %3 = incept.max_pool_with_indices %u {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
             pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true, storage_order = 0}
           : (tensor<2x3x8x8xui8>) -> (tensor<2x3x5x5xui8>, tensor<2x3x5x5xi64>)
  return %0, %1, %2, %3 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<2x3x5x5xui8>, tensor<2x3x5x5xi64>
}

// CHECK-LABEL: func @structure
func.func @structure(%a: tensor<1x64x28x28xf32>, %b: tensor<1x128x28x28xf32>) -> (tensor<1x192x30x30xf32>, tensor<1x150528xf32>) {
  // CHECK: incept.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x64x28x28xf32>, tensor<1x128x28x28xf32>) -> tensor<1x192x28x28xf32>
  %0 = incept.concat %a, %b {axis = 1} : (tensor<1x64x28x28xf32>, tensor<1x128x28x28xf32>) -> tensor<1x192x28x28xf32>
  // CHECK: incept.pad %{{.*}} {mode = #incept<pad_mode edge>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
  %1 = incept.pad %0 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = #incept<pad_mode edge>}
       : (tensor<1x192x28x28xf32>) -> tensor<1x192x30x30xf32>
  // CHECK: incept.reshape %{{.*}} : tensor<1x192x28x28xf32> -> tensor<1x150528xf32>
  %2 = incept.reshape %0 : tensor<1x192x28x28xf32> -> tensor<1x150528xf32>
  return %1, %2 : tensor<1x192x30x30xf32>, tensor<1x150528xf32>
}

// CHECK-LABEL: func @classifier
func.func @classifier(%x: tensor<1x1024xf32>, %w: tensor<1000x1024xf32>, %c: tensor<1000xf32>,
                      %s: tensor<1xf32>) -> tensor<1x1000xf32> {
  // CHECK: incept.gemm %{{.*}}, %{{.*}}, %{{.*}} {trans_b = true} : (tensor<1x1024xf32>, tensor<1000x1024xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  %0 = incept.gemm %x, %w, %c {trans_b = true} : (tensor<1x1024xf32>, tensor<1000x1024xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  // CHECK: incept.mul %{{.*}}, %{{.*}} : (tensor<1x1000xf32>, tensor<1xf32>) -> tensor<1x1000xf32>
  %1 = incept.mul %0, %s : (tensor<1x1000xf32>, tensor<1xf32>) -> tensor<1x1000xf32>
  // CHECK: incept.add %{{.*}}, %{{.*}} : (tensor<1xf32>, tensor<1x1000xf32>) -> tensor<1x1000xf32>
  %2 = incept.add %s, %1 : (tensor<1xf32>, tensor<1x1000xf32>) -> tensor<1x1000xf32>
  // CHECK: incept.softmax %{{.*}} {axis = 1 : i64} : tensor<1x1000xf32>
  %3 = incept.softmax %2 {axis = 1} : tensor<1x1000xf32>
  return %3 : tensor<1x1000xf32>
}

// CHECK-LABEL: func @external_weights
func.func @external_weights() -> (tensor<64xf32>, tensor<32xf32>) {
  // CHECK: %[[W:.*]] = incept.external_weight 7 : tensor<32xf32>
  %w = incept.external_weight 7 : tensor<32xf32>
  // CHECK: incept.prepare copy(%[[W]]) {params = array<i64: 32, 64>} : (tensor<32xf32>) -> tensor<64xf32>
  %p = incept.prepare copy(%w) {params = array<i64: 32, 64>} : (tensor<32xf32>) -> tensor<64xf32>
  return %p, %w : tensor<64xf32>, tensor<32xf32>
}
