// Verifier and shape-inference diagnostics of the incept dialect.
// RUN: incept-opt %s -split-input-file -verify-diagnostics

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+2 {{weight [16, 4, 3, 3] expects 4 input channels (group 1) but the input [1, 3, 8, 8] has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_group(%x: tensor<1x6x8x8xf32>, %w: tensor<16x2x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+2 {{group 4 must divide the input channels (6) and the output channels (16)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4}
       : (tensor<1x6x8x8xf32>, tensor<16x2x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_result_type(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<1x16x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x16x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+2 {{bias has 8 values but the convolution has 16 output channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_residual(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %r: tensor<1x16x8x8xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+2 {{residual [1, 16, 8, 8] does not have the convolution's result shape [1, 16, 6, 6]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w residual %r {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+2 {{pads must be four non-negative values [top, left, bottom, right], got [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+2 {{strides must be two positive values, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_window_too_big(%x: tensor<1x3x2x2xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x1x1xf32> {
  // expected-error @+2 {{a window of extent 3 does not fit in spatial dimension 0 of extent 2 padded by 0 and 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x2x2xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x1x1xf32>
  return %0 : tensor<1x16x1x1xf32>
}

// -----

func.func @conv_clip_bounds(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{clip_min and clip_max are required with a clip activation and allowed only with it}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>,
                           activation = #incept<activation clip>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_scale_without_residual(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{residual_scale needs a residual operand}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>,
                           residual_scale = 0.2 : f32}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_rank(%x: tensor<1x3x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped 4-D f32 tensor}}
  %0 = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x3x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @batch_norm_params(%x: tensor<1x8x4x4xf32>, %p: tensor<8xf32>, %q: tensor<4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+2 {{variance has 4 values but the input has 8 channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.batch_norm %x, %p, %p, %p, %q : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

func.func @max_pool_pad_covers_window(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{pads [2, 2, 2, 2] must be smaller than the window extent 2 of spatial dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>,
                           dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @max_pool_with_indices_storage_order(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xi64> {
  // expected-error @+1 {{'incept.max_pool_with_indices' op storage_order must be 0 (row-major) or 1 (column-major), got 2}}
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
             dilations = array<i64: 1, 1>, storage_order = 2} : (tensor<1x8x4x4xf32>) -> (tensor<1x8x2x2xf32>, tensor<1x8x2x2xi64>)
  return %1 : tensor<1x8x2x2xi64>
}

// -----

func.func @max_pool_with_indices_bool(%x: tensor<1x8x4x4xi1>) -> tensor<1x8x2x2xi64> {
  // expected-error @+1 {{'incept.max_pool_with_indices' op is not defined on bool (i1) tensors}}
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
             dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xi1>) -> (tensor<1x8x2x2xi1>, tensor<1x8x2x2xi64>)
  return %1 : tensor<1x8x2x2xi64>
}

// -----

func.func @max_pool_with_indices_i32_indices(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xi32> {
  // expected-error @+1 {{result #1 must be statically shaped 4-D i64 tensor, but got 'tensor<1x8x2x2xi32>'}}
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
             dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>) -> (tensor<1x8x2x2xf32>, tensor<1x8x2x2xi32>)
  return %1 : tensor<1x8x2x2xi32>
}

// -----

func.func @max_pool_with_indices_shape(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x3x3xi64> {
  // expected-error @+2 {{'incept.max_pool_with_indices' op inferred type(s) 'tensor<1x8x2x2xf32>', 'tensor<1x8x2x2xi64>' are incompatible with return type(s) of operation 'tensor<1x8x2x2xf32>', 'tensor<1x8x3x3xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
             dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>) -> (tensor<1x8x2x2xf32>, tensor<1x8x3x3xi64>)
  return %1 : tensor<1x8x3x3xi64>
}

// -----

func.func @avg_pool_kernel(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+2 {{kernel_shape must be two positive values, got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.avg_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
       : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

func.func @concat_mismatch(%a: tensor<1x8x4x4xf32>, %b: tensor<1x8x5x5xf32>) -> tensor<1x16x4x4xf32> {
  // expected-error @+2 {{input [1, 8, 5, 5] does not match [1, 8, 4, 4] outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.concat %a, %b {axis = 1} : (tensor<1x8x4x4xf32>, tensor<1x8x5x5xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

func.func @concat_axis(%a: tensor<1x8xf32>) -> tensor<1x8xf32> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.concat %a {axis = 2} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @broadcast(%a: tensor<1x8xf32>, %b: tensor<3xf32>) -> tensor<1x8xf32> {
  // expected-error @+2 {{shapes [1, 8] and [3] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.add %a, %b : (tensor<1x8xf32>, tensor<3xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gemm_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{inner dimensions differ: op(a) is 2x3, op(b) is 4x5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_c(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<3xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{c [3] does not broadcast to [2, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{cannot reshape [2, 3] (6 elements) to [7] (7 elements)}}
  %0 = incept.reshape %a : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @pad_count(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{pads must have 4 values (begin then end of each dimension), got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.pad %a {pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_reflect(%a: tensor<2x3xf32>) -> tensor<2x9xf32> {
  // expected-error @+2 {{reflect padding of dimension 1 must be smaller than its extent 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = incept.pad %a {pads = array<i64: 0, 3, 0, 3>, mode = #incept<pad_mode reflect>} : (tensor<2x3xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

func.func @clip_bounds(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{min must not exceed max}}
  %0 = incept.clip %a {min = 6.0 : f32, max = 0.0 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = incept.softmax %a {axis = 2} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @dynamic_shape(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = incept.relu %a : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @slice_axis(%a: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{axis 4 must be a dimension of both [1, 8, 4, 4] and [1, 8, 4, 4]}}
  %0 = incept.slice %a {axis = 4 : i64, start = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

func.func @slice_rank(%a: tensor<1x8x4x4xf32>) -> tensor<8x4x4xf32> {
  // expected-error @+1 {{axis 1 must be a dimension of both [1, 8, 4, 4] and [8, 4, 4]}}
  %0 = incept.slice %a {axis = 1 : i64, start = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<8x4x4xf32>
  return %0 : tensor<8x4x4xf32>
}

// -----

func.func @slice_other_dimension(%a: tensor<1x8x4x4xf32>) -> tensor<1x2x4x3xf32> {
  // expected-error @+1 {{slice of [1, 8, 4, 4] to [1, 2, 4, 3] changes dimension 3, not only axis 1}}
  %0 = incept.slice %a {axis = 1 : i64, start = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x2x4x3xf32>
  return %0 : tensor<1x2x4x3xf32>
}

// -----

func.func @slice_past_end(%a: tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{elements 6 .. 10 of axis 1 are past its extent 8}}
  %0 = incept.slice %a {axis = 1 : i64, start = 6 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @slice_element_type(%a: tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xui8> {
  // expected-error @+1 {{result element type must be the input's}}
  %0 = incept.slice %a {axis = 1 : i64, start = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x4xui8>
  return %0 : tensor<1x4x4x4xui8>
}

// -----

func.func @prepare_arity(%w: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'incept.prepare' op scale_channels takes 2 operands to 1 result, and 3 params}}
  %0 = incept.prepare scale_channels(%w) {params = array<i64: 4, 1, 1>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @prepare_batch_norm_bias(%w: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'incept.prepare' op batch_norm takes weight, scale, shift, mean, variance (and bias where has_bias) to 2 results, 4 params and epsilon}}
  %0:2 = incept.prepare batch_norm(%w, %w, %w, %w, %w) {params = array<i64: 4, 1, 0, 1>, scalars = array<f64: 1.0e-3>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @prepare_integers(%w: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'incept.prepare' op prepares f32 tensors only}}
  %0 = incept.prepare copy(%w) {params = array<i64: 4, 4>} : (tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
