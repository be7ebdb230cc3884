// RUN: incept-opt %s --canonicalize --split-input-file | FileCheck %s

// PyTorch's export of BN-Inception's AvgPool2d(3, 1, padding=1, ceil_mode,
// count_include_pad=True): a zero Pad and an unpadded pool become one pool
// that counts the padding.
// CHECK-LABEL: func @zero_pad_into_avg_pool
// CHECK-NOT:     incept.pad
// CHECK:         incept.avg_pool %arg0 {ceil_mode = true, count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x192x28x28xf32>) -> tensor<1x192x28x28xf32>
func.func @zero_pad_into_avg_pool(%x: tensor<1x192x28x28xf32>) -> tensor<1x192x28x28xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x192x28x28xf32>) -> tensor<1x192x30x30xf32>
  %1 = incept.avg_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                           ceil_mode = true} : (tensor<1x192x30x30xf32>) -> tensor<1x192x28x28xf32>
  return %1 : tensor<1x192x28x28xf32>
}

// -----

// Padding the pool counts already adds up.
// CHECK-LABEL: func @zero_pad_into_counting_avg_pool
// CHECK:         incept.avg_pool %arg0 {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 2, 1, 2>, strides = array<i64: 1, 1>}
func.func @zero_pad_into_counting_avg_pool(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x10xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 0, 1, 0, 0, 0, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x10xf32>
  %1 = incept.avg_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                           count_include_pad = true} : (tensor<1x8x8x10xf32>) -> tensor<1x8x8x10xf32>
  return %1 : tensor<1x8x8x10xf32>
}

// -----

// A pool that excludes its own padding cannot absorb zeros that count.
// CHECK-LABEL: func @no_fold_mixed_count
// CHECK:         incept.pad
// CHECK:         incept.avg_pool
func.func @no_fold_mixed_count(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  %1 = incept.avg_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
       : (tensor<1x8x10x10xf32>) -> tensor<1x8x10x10xf32>
  return %1 : tensor<1x8x10x10xf32>
}

// -----

// A non-zero pad value is not padding the pool knows about.
// CHECK-LABEL: func @no_fold_nonzero_value
// CHECK:         incept.pad
// CHECK:         incept.avg_pool
func.func @no_fold_nonzero_value(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.0 : f32} : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  %1 = incept.avg_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
       : (tensor<1x8x10x10xf32>) -> tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}

// -----

// With ceil_mode, a window may start in explicit padding but not in the
// pool's own: folding would shrink the output from 3 to 2, so it stays.
// CHECK-LABEL: func @no_fold_ceil_changes_extent
// CHECK:         incept.pad
// CHECK:         incept.avg_pool
func.func @no_fold_ceil_changes_extent(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x5x5xf32>
  %1 = incept.avg_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                           ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// Padding channels is not pool padding.
// CHECK-LABEL: func @no_fold_channel_padding
// CHECK:         incept.pad
func.func @no_fold_channel_padding(%x: tensor<1x8x8x8xf32>) -> tensor<1x10x8x8xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 1, 0, 0>} : (tensor<1x8x8x8xf32>) -> tensor<1x10x8x8xf32>
  %1 = incept.avg_pool %0 {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
       : (tensor<1x10x8x8xf32>) -> tensor<1x10x8x8xf32>
  return %1 : tensor<1x10x8x8xf32>
}

// -----

// -inf padding never wins a max.
// CHECK-LABEL: func @neg_inf_pad_into_max_pool
// CHECK-NOT:     incept.pad
// CHECK:         incept.max_pool %arg0 {{{.*}}pads = array<i64: 1, 1, 1, 1>
func.func @neg_inf_pad_into_max_pool(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0xFF800000 : f32} : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  %1 = incept.max_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                           dilations = array<i64: 1, 1>} : (tensor<1x8x10x10xf32>) -> tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}

// -----

// Zero padding never wins a max over a ReLU output (every window keeps one
// real element, all of them >= 0).
// CHECK-LABEL: func @zero_pad_after_relu_into_max_pool
// CHECK:         %[[R:.*]] = incept.relu
// CHECK-NOT:     incept.pad
// CHECK:         incept.max_pool %[[R]] {{{.*}}pads = array<i64: 1, 1, 1, 1>
func.func @zero_pad_after_relu_into_max_pool(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %r = incept.relu %x : tensor<1x8x8x8xf32>
  %0 = incept.pad %r {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  %1 = incept.max_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                           dilations = array<i64: 1, 1>} : (tensor<1x8x10x10xf32>) -> tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}

// -----

// Zero padding of a value that may be negative would win: kept.
// CHECK-LABEL: func @no_fold_zero_pad_into_max_pool
// CHECK:         incept.pad
// CHECK:         incept.max_pool
func.func @no_fold_zero_pad_into_max_pool(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  %1 = incept.max_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                           dilations = array<i64: 1, 1>} : (tensor<1x8x10x10xf32>) -> tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}

// -----

// Reshape chains collapse; identity reshapes vanish.
// CHECK-LABEL: func @reshapes
// CHECK-NEXT:    %[[R:.*]] = incept.reshape %arg0 : tensor<1x1024x1x1xf32> -> tensor<1x1024xf32>
// CHECK-NEXT:    return %[[R]], %arg0
func.func @reshapes(%x: tensor<1x1024x1x1xf32>) -> (tensor<1x1024xf32>, tensor<1x1024x1x1xf32>) {
  %0 = incept.reshape %x : tensor<1x1024x1x1xf32> -> tensor<1024xf32>
  %1 = incept.reshape %0 : tensor<1024xf32> -> tensor<1x1024xf32>
  %2 = incept.reshape %x : tensor<1x1024x1x1xf32> -> tensor<1x1024x1x1xf32>
  return %1, %2 : tensor<1x1024xf32>, tensor<1x1024x1x1xf32>
}

// -----

// Indices nobody reads: a plain max_pool, with every window attribute.
// CHECK-LABEL: func @max_pool_unused_indices
// CHECK-NOT:     max_pool_with_indices
// CHECK:         %[[Y:.+]] = incept.max_pool %arg0 {ceil_mode = true, dilations = array<i64: 2, 2>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
// CHECK:         return %[[Y]]
func.func @max_pool_unused_indices(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32> {
  %0, %1 = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>,
             dilations = array<i64: 2, 2>, ceil_mode = true, storage_order = 1} : (tensor<1x8x8x8xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xi64>)
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Indices read: the op stays, and a -inf Pad in front is not folded into it
// (the indices are positions in the padded tensor).
// CHECK-LABEL: func @max_pool_used_indices
// CHECK:         %[[P:.+]] = incept.pad %arg0
// CHECK:         %{{.+}}, %[[I:.+]] = incept.max_pool_with_indices %[[P]] {{{.*}}pads = array<i64: 0, 0, 0, 0>
// CHECK:         return %[[I]]
func.func @max_pool_used_indices(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xi64> {
  %0 = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0xFF800000 : f32} : (tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32>
  %1, %2 = incept.max_pool_with_indices %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
             dilations = array<i64: 1, 1>} : (tensor<1x8x10x10xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xi64>)
  return %2 : tensor<1x8x8x8xi64>
}
