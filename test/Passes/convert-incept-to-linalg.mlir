// RUN: incept-opt %s --convert-incept-to-linalg --split-input-file | FileCheck %s
// RUN: incept-opt %s --convert-incept-to-linalg=plane-loops --split-input-file | FileCheck %s --check-prefix=PLANE

// A conv with asymmetric pads, strides, dilations, a bias and a fused
// residual epilogue: pad, bias-initialised accumulator, named conv, epilogue.
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 3, 0]
// CHECK: linalg.generic {{.*}}ins(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.maximumf
// PLANE-LABEL: func.func @conv
// PLANE: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
// PLANE-NOT: linalg.conv_2d
func.func @conv(%x: tensor<1x4x9x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>,
                %r: tensor<1x8x6x3xf32>) -> tensor<1x8x6x3xf32> {
  %y = incept.conv %x, %w bias %b residual %r {strides = array<i64: 2, 2>,
         pads = array<i64: 1, 2, 3, 0>, dilations = array<i64: 1, 2>,
         activation = #incept<activation relu>, residual_scale = 0.5 : f32}
       : (tensor<1x4x9x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<1x8x6x3xf32>) -> tensor<1x8x6x3xf32>
  return %y : tensor<1x8x6x3xf32>
}

// -----

// Groups go through the NGCHW form; one store generic reads channel f of the
// result at group f floordiv 3, filter f mod 3 (6 filters in 2 groups).
// CHECK: #[[$GROUPED:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 3, d1 mod 3, d2, d3)>
// CHECK-LABEL: func.func @grouped_conv
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] {{.*}} : tensor<1x4x5x5xf32> into tensor<1x2x2x5x5xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] {{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x6x3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$GROUPED]], #{{.*}}]{{.*}} outs(%[[EMPTY]] :
// CHECK-NOT: tensor.collapse_shape
// PLANE-LABEL: func.func @grouped_conv
// PLANE: linalg.conv_2d_ngchw_gfchw
func.func @grouped_conv(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// A ceil-mode max pool pads with the lowest finite float, also past the
// declared padding where the last window reaches; a NaN never wins (maxnumf),
// as in ONNX Runtime. The input is read at (2 oh + kh, 2 ow + kw).
// CHECK: #[[$STRIDE2:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NEG:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG]]
// CHECK: linalg.generic {indexing_maps = [#[[$STRIDE2]], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK: arith.maxnumf
func.func @max_pool(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %y = incept.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
       : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Average pools divide by per-position counts: without count_include_pad the
// corners of a padded 3x3 window over 3x3 count 4, the edges 6, the centre 9.
// CHECK-LABEL: func.func @avg_pool_exclude_pad
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: arith.divf
func.func @avg_pool_exclude_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %y = incept.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>}
       : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

// With count_include_pad every window counts 9, except what a ceil-mode
// window reaches past the padding: 3x3 input, pads 1 before, none after,
// stride 2, ceil → the second window covers rows 1..3 of which row 3 is past.
// CHECK-LABEL: func.func @avg_pool_include_pad_ceil
// CHECK: arith.constant dense<{{\[}}[9.000000e+00, 6.000000e+00], [6.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
func.func @avg_pool_include_pad_ceil(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = incept.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
         pads = array<i64: 1, 1, 0, 0>, ceil_mode = true, count_include_pad = true}
       : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @global_avg_pool
// CHECK-COUNT-2: iterator_types = ["parallel", "parallel", {{.*}}"reduction"{{.*}}]
// CHECK: arith.divf
// CHECK: tensor.expand_shape {{.*}} : tensor<1x8xf32> into tensor<1x8x1x1xf32>
func.func @global_avg_pool(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32> {
  %y = incept.global_avg_pool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
  return %y : tensor<1x8x1x1xf32>
}

// -----

// LRN sums squares over a channel window: the channel axis is zero-padded by
// the window's reach and a third, reduction dimension walks the window, outside
// the plane's loops (the innermost loop runs along a row). The denominator's
// power 0.75 is two square roots; another beta is a powf.
// CHECK: #[[$WINDOW:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d2, d3, d4)>
// CHECK-LABEL: func.func @lrn(
// CHECK: tensor.pad %{{.*}} low[0, 2, 0, 0] high[0, 2, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[$WINDOW]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel"]}
// CHECK: %[[ROOT:.*]] = math.sqrt %[[BASE:.*]] : f32
// CHECK: %[[ROOT4:.*]] = math.sqrt %[[ROOT]] : f32
// CHECK: %[[POWER:.*]] = arith.mulf %[[ROOT]], %[[ROOT4]] : f32
// CHECK: arith.divf %{{.*}}, %[[POWER]] : f32
// CHECK-LABEL: func.func @lrn_other_beta
// CHECK: math.powf
func.func @lrn(%x: tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %y = incept.lrn %x {size = 5 : i64, alpha = 1.0e-04 : f32, beta = 7.5e-01 : f32, bias = 1.0 : f32} : tensor<1x8x3x3xf32>
  return %y : tensor<1x8x3x3xf32>
}
func.func @lrn_other_beta(%x: tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %y = incept.lrn %x {size = 5 : i64, alpha = 1.0e-04 : f32, beta = 0.6 : f32, bias = 1.0 : f32} : tensor<1x8x3x3xf32>
  return %y : tensor<1x8x3x3xf32>
}

// -----

// CHECK: #[[$CHANNEL:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CHANNEL]], #[[$CHANNEL]], #[[$CHANNEL]], #[[$CHANNEL]], #{{.*}}]
// CHECK: math.sqrt
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>,
                      %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %y = incept.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-03 : f32}
       : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// NumPy broadcasting: a size-1 dimension facing a larger one reads index 0,
// missing leading dimensions are not read.
// CHECK: #[[$BCAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @elementwise
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$BCAST]], #{{.*}}]
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @elementwise(%x: tensor<1x3x4x4xf32>, %c: tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32> {
  %a = incept.add %x, %c : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %m = incept.mul %a, %x : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %r = incept.relu %m : tensor<1x3x4x4xf32>
  %y = incept.clip %r {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_reshape
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x5x2x2xf32>
// CHECK: %[[FIRST:.*]] = tensor.insert_slice %{{.*}} into %[[EMPTY]][0, 0, 0, 0] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: %[[BOTH:.*]] = tensor.insert_slice %{{.*}} into %[[FIRST]][0, 2, 0, 0] [1, 3, 2, 2] [1, 1, 1, 1]
// CHECK: tensor.collapse_shape %[[BOTH]] {{\[}}[0, 1, 2, 3]] : tensor<1x5x2x2xf32> into tensor<20xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [1, 20] : tensor<20xf32> into tensor<1x20xf32>
func.func @concat_reshape(%a: tensor<1x2x2x2xf32>, %b: tensor<1x3x2x2xf32>) -> tensor<1x20xf32> {
  %c = incept.concat %a, %b {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>) -> tensor<1x5x2x2xf32>
  %y = incept.reshape %c : tensor<1x5x2x2xf32> -> tensor<1x20xf32>
  return %y : tensor<1x20xf32>
}

// -----

// Negative pads crop first; constant mode is tensor.pad; edge and reflect
// compute each element's source index.
// CHECK-LABEL: func.func @pad
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [3, 3] [1, 1] : tensor<3x4xf32> to tensor<3x3xf32>
// CHECK: tensor.pad %{{.*}} low[1, 0] high[0, 2]
// CHECK: linalg.generic
// CHECK: linalg.index
// CHECK: arith.minsi
// CHECK: tensor.extract
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @pad(%x: tensor<3x4xf32>) -> (tensor<4x5xf32>, tensor<5x6xf32>, tensor<5x6xf32>) {
  %c = incept.pad %x {pads = array<i64: 1, -1, 0, 2>, value = 1.5 : f32} : (tensor<3x4xf32>) -> tensor<4x5xf32>
  %e = incept.pad %x {pads = array<i64: 1, 1, 1, 1>, mode = #incept<pad_mode edge>} : (tensor<3x4xf32>) -> tensor<5x6xf32>
  %r = incept.pad %x {pads = array<i64: 1, 1, 1, 1>, mode = #incept<pad_mode reflect>} : (tensor<3x4xf32>) -> tensor<5x6xf32>
  return %c, %e, %r : tensor<4x5xf32>, tensor<5x6xf32>, tensor<5x6xf32>
}

// -----

// Gemm's transposes are in the maps, over the loops (m, k, n) so that the
// innermost one runs along an output row; a transposed B that is not a
// constant is read transposed. Alpha and beta in one epilogue.
// CHECK: #[[$A_T:.*]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK: #[[$B_T:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK: #[[$C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.generic {indexing_maps = [#[[$A_T]], #[[$B_T]], #[[$C]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: arith.constant 2.000000e+00 : f32
func.func @gemm(%a: tensor<8x2xf32>, %b: tensor<5x8xf32>, %c: tensor<5xf32>) -> tensor<2x5xf32> {
  %y = incept.gemm %a, %b, %c {trans_a = true, trans_b = true, alpha = 0.25 : f32, beta = 2.0 : f32}
       : (tensor<8x2xf32>, tensor<5x8xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// A constant transposed B (the classifier's weight) is transposed once at
// compile time and read along its rows.
// CHECK: #[[$A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK: #[[$B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm_constant_weight
// CHECK: %[[BT:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #{{.*}}], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[BT]] :
func.func @gemm_constant_weight(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = incept.gemm %a, %b {trans_b = true} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Softmax on a middle axis: max and sum reduce that axis only.
// CHECK-LABEL: func.func @softmax
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %y = incept.softmax %x {axis = 1 : i64} : tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// A unit-stride conv at -O1+ runs over whole padded rows: the input (padded by
// the pads plus one zero row for the reads of the dropped columns) is
// flattened per plane, output position p reads p + kh*dh*Wp + kw*dw, and the
// accumulator, Wp = 8 + 1 + 1 wide, is cropped to the output's 8 columns by
// the store generic, which reads output (n, f, oh, ow) at oh*10 + ow and
// writes a tensor.empty of the result (no reshape or slice after it).
// PLANE: #[[$ROWIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d5 + d3 * 20 + d4)>
// PLANE: #[[$CROP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 10 + d3)>
// PLANE-LABEL: func.func @row_conv
// PLANE: tensor.pad %{{.*}} low[0, 0, 2, 1] high[0, 0, 3, 1]
// PLANE: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<1x3x11x10xf32> into tensor<1x3x110xf32>
// PLANE: linalg.generic {indexing_maps = [#[[$ROWIN]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
// PLANE-SAME: outs(%{{.*}} : tensor<1x4x60xf32>)
// PLANE: %[[EMPTY:.*]] = tensor.empty() : tensor<1x4x6x8xf32>
// PLANE: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$CROP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x4x60xf32>) outs(%[[EMPTY]] : tensor<1x4x6x8xf32>)
// PLANE-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// PLANE-NEXT: linalg.yield %[[IN]]
// PLANE: return %[[Y]]
// CHECK-LABEL: func.func @row_conv
// CHECK: linalg.conv_2d_nchw_fchw
func.func @row_conv(%x: tensor<1x3x6x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x8xf32> {
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 2, 1, 2, 1>,
         dilations = array<i64: 2, 1>}
       : (tensor<1x3x6x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x8xf32>
  return %y : tensor<1x4x6x8xf32>
}

// -----

// The epilogue of a row conv is applied by its store: one generic reads the
// accumulator (rows Wp = 5 + 1 + 1 = 7 wide, output (n, f, oh, ow) at
// oh*7 + ow) and the residual, and writes act(residual + 0.5 * acc) into a
// tensor.empty of the result; nothing follows it.
// PLANE: #[[$CROP7:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 7 + d3)>
// PLANE-LABEL: func.func @row_conv_epilogue
// PLANE-SAME: %[[RES:[^:]*]]: tensor<1x2x4x5xf32>)
// PLANE: %[[ACC:.*]] = linalg.generic {{.*}}"reduction"{{.*}} outs(%{{.*}} : tensor<1x2x28xf32>)
// PLANE: %[[EMPTY:.*]] = tensor.empty() : tensor<1x2x4x5xf32>
// PLANE: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$CROP7]], #{{.*}}, #{{.*}}], {{.*}} ins(%[[ACC]], %[[RES]] : tensor<1x2x28xf32>, tensor<1x2x4x5xf32>) outs(%[[EMPTY]] : tensor<1x2x4x5xf32>)
// PLANE: arith.mulf
// PLANE: arith.addf
// PLANE: arith.maximumf
// PLANE: return %[[Y]]
// CHECK-LABEL: func.func @row_conv_epilogue
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @row_conv_epilogue(%x: tensor<1x3x4x5xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<2xf32>,
                             %r: tensor<1x2x4x5xf32>) -> tensor<1x2x4x5xf32> {
  %y = incept.conv %x, %w bias %b residual %r {strides = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>,
         activation = #incept<activation relu>, residual_scale = 0.5 : f32}
       : (tensor<1x3x4x5xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x4x5xf32>
  return %y : tensor<1x2x4x5xf32>
}
