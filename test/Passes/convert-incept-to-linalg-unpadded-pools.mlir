// RUN: incept-opt %s --convert-incept-to-linalg=plane-loops --split-input-file | FileCheck %s
// RUN: incept-opt %s --convert-incept-to-linalg --split-input-file | FileCheck %s --check-prefix=O0
// RUN: incept-opt %s --convert-incept-to-linalg=plane-loops --canonicalize --incept-concat-in-place --incept-bufferize --split-input-file | FileCheck %s --check-prefix=BUF

// From -O1 on (plane-loops), a float pool reads its input unpadded, one
// region of outputs at a time, each region pooling only the taps inside the
// input. 3x3, stride 1, pads 1 over 5x6: row 0 reads taps 1..2, rows 1..3 all,
// row 4 taps 0..1; columns 0, 1..4 and 5 alike: 9 regions, output the lowest
// finite float first; each a linalg.generic in which a NaN never wins.
// CHECK-LABEL: func.func @max_pool_same
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5x6xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[NEG:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK: %[[FILLED:.*]] = linalg.fill ins(%[[NEG]] : f32)
// The top left corner: a 2x2 window over input rows and columns 0..1.
// CHECK: %[[IN0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: %[[OUT0:.*]] = tensor.extract_slice %[[FILLED]][0, 0, 0, 0] [1, 2, 1, 1] [1, 1, 1, 1]
// CHECK: %[[MAX0:.*]] = linalg.generic {{.*}} ins(%[[IN0]], %{{.*}} : tensor<1x2x2x2xf32>, tensor<2x2xf32>) outs(%[[OUT0]] : tensor<1x2x1x1xf32>)
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[MAX0]] into %[[FILLED]][0, 0, 0, 0] [1, 2, 1, 1] [1, 1, 1, 1]
// The top row: a 2x3 window over input rows 0..1, all columns.
// CHECK: %[[IN1:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 2, 6] [1, 1, 1, 1]
// CHECK: %[[OUT1:.*]] = tensor.extract_slice %[[R0]][0, 0, 0, 1] [1, 2, 1, 4] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN1]], %{{.*}} : tensor<1x2x2x6xf32>, tensor<2x3xf32>) outs(%[[OUT1]] : tensor<1x2x1x4xf32>)
// The interior: the whole input through the whole window.
// CHECK: linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<1x2x5x6xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x2x3x4xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1, 1] [1, 2, 3, 4] [1, 1, 1, 1]
// The bottom right corner: input rows 3..4, columns 4..5.
// CHECK: %[[IN8:.*]] = tensor.extract_slice %[[X]][0, 0, 3, 4] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN8]], %{{.*}} : tensor<1x2x2x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2x1x1xf32>)
// CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}}[0, 0, 4, 5] [1, 2, 1, 1] [1, 1, 1, 1]
// CHECK-NOT: arith.maxnumf
// CHECK: return %[[LAST]]
// At -O0 the input is padded with -inf, as before.
// O0-LABEL: func.func @max_pool_same
// O0: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// O0: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x7x8xf32>, tensor<3x3xf32>)
// Every region is pooled in place in the output buffer.
// BUF-LABEL: func.func @max_pool_same
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
func.func @max_pool_same(%x: tensor<1x2x5x6xf32>) -> tensor<1x2x5x6xf32> {
  %y = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x2x5x6xf32>) -> tensor<1x2x5x6xf32>
  return %y : tensor<1x2x5x6xf32>
}

// -----

// Ceil mode, no pads: 3x3 stride 2 over 6x6 gives 3x3; the windows of rows
// (columns) 0..1 lie inside, that of row 2 starts at 4 and has taps 0..1 only.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x6x6xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[IN0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 5, 5] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN0]], %{{.*}} : tensor<1x2x5x5xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK: tensor.extract_slice %[[X]][0, 0, 0, 4] [1, 2, 5, 2] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[X]][0, 0, 4, 0] [1, 2, 2, 5] [1, 1, 1, 1]
// CHECK: %[[IN3:.*]] = tensor.extract_slice %[[X]][0, 0, 4, 4] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN3]], %{{.*}} : tensor<1x2x2x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2x1x1xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 2, 2] [1, 2, 1, 1] [1, 1, 1, 1]
// CHECK-NOT: arith.maxnumf
// CHECK: return
// BUF-LABEL: func.func @max_pool_ceil
func.func @max_pool_ceil(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %y = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
       : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Dilation 2, pads 2 over 5x5 (output 5x5): tap k of output o reads
// o + 2k - 2. Outputs 0..1 read taps 1..2 (input from 0, 4 rows reach), output
// 2 all three taps (rows 0, 2, 4), outputs 3..4 taps 0..1 (input from 1).
// CHECK-LABEL: func.func @max_pool_dilated
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x5x5xf32>)
// CHECK: %[[IN0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN0]], %{{.*}} : tensor<1x1x4x4xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<1x1x5x5xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x1x1x1xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 2, 2] [1, 1, 1, 1] [1, 1, 1, 1]
// CHECK: %[[IN8:.*]] = tensor.extract_slice %[[X]][0, 0, 1, 1] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN8]], %{{.*}} : tensor<1x1x4x4xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 3, 3] [1, 1, 2, 2] [1, 1, 1, 1]
// CHECK-NOT: arith.maxnumf
func.func @max_pool_dilated(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32> {
  %y = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
         pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>}
       : (tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  return %y : tensor<1x1x5x5xf32>
}

// -----

// An average sums the taps inside the input from 0, then divides by the same
// per-position counts as the padded form: 3x3 input, pads 1 before, none
// after, stride 2, ceil, count_include_pad → window 0 reads taps 1..2, window 1
// (starting at 1) taps 0..1; divisors 9, 6 / 6, 4.
// CHECK-LABEL: func.func @avg_pool_include_pad_ceil
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[IN0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 1, 2, 2] [1, 1, 1, 1]
// CHECK: linalg.pooling_nchw_sum {{.*}} ins(%[[IN0]], %{{.*}} : tensor<1x1x2x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x1x1x1xf32>)
// CHECK: %[[IN3:.*]] = tensor.extract_slice %[[X]][0, 0, 1, 1] [1, 1, 2, 2] [1, 1, 1, 1]
// CHECK: linalg.pooling_nchw_sum {{.*}} ins(%[[IN3]], %{{.*}} : tensor<1x1x2x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x1x1x1xf32>)
// CHECK: %[[SUM:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 1] [1, 1, 1, 1] [1, 1, 1, 1]
// CHECK: %[[COUNTS:.*]] = arith.constant dense<{{\[}}[9.000000e+00, 6.000000e+00], [6.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[COUNTS]] : tensor<1x1x2x2xf32>, tensor<2x2xf32>)
// CHECK: arith.divf
func.func @avg_pool_include_pad_ceil(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = incept.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
         pads = array<i64: 1, 1, 0, 0>, ceil_mode = true, count_include_pad = true}
       : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Integer max pools keep the padded form.
// CHECK-LABEL: func.func @max_pool_int32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: arith.maxsi
func.func @max_pool_int32(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x4x4xi32> {
  %0 = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                           pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4xi32>) -> tensor<1x1x4x4xi32>
  return %0 : tensor<1x1x4x4xi32>
}

// -----

// A block's input both pooled (3x3, pads 1) and read flattened by a 1x1 conv:
// with no padded copy to make, it is computed once, in a buffer of its own,
// and the pool writes straight into the concat.
// BUF-LABEL: func.func @pooled_and_flattened
// BUF: memref.collapse_shape %[[INPUT:.*]] {{\[}}[0], [1], [2, 3]] : memref<1x4x6x6xf32> into memref<1x4x36xf32>
// BUF: linalg.generic {{.*}} ins(%[[INPUT]], %{{.*}} : memref<1x4x6x6xf32>, memref<3x3xf32>) outs(%{{.*}} : memref<1x4x4x4xf32, strided<[252, 36, 6, 1], offset: 115>>)
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
func.func @pooled_and_flattened(%x: tensor<1x4x6x6xf32>, %w: tensor<3x4x1x1xf32>)
    -> tensor<1x7x6x6xf32> {
  %r = incept.relu %x : tensor<1x4x6x6xf32>
  %c = incept.conv %r, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x4x6x6xf32>, tensor<3x4x1x1xf32>) -> tensor<1x3x6x6xf32>
  %p = incept.max_pool %r {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>}
       : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %y = incept.concat %c, %p {axis = 1 : i64}
       : (tensor<1x3x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x7x6x6xf32>
  return %y : tensor<1x7x6x6xf32>
}
