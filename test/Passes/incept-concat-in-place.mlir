// RUN: incept-opt %s --incept-concat-in-place --split-input-file | FileCheck %s
// RUN: incept-opt %s --incept-concat-in-place --incept-bufferize --split-input-file | FileCheck %s --check-prefix=BUF

// Two branches of a concat: each computes straight into its channel range of
// the concat's tensor; after bufferization nothing is copied.
// CHECK-LABEL: func.func @concat
// CHECK: %[[CONCAT:.*]] = tensor.empty() : tensor<1x5x4x4xf32>
// CHECK: %[[SLOT0:.*]] = tensor.extract_slice %[[CONCAT]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK: %[[A:.*]] = linalg.generic {{.*}} outs(%[[SLOT0]] : tensor<1x2x4x4xf32>)
// CHECK: %[[WITH_A:.*]] = tensor.insert_slice %[[A]] into %[[CONCAT]][0, 0, 0, 0] [1, 2, 4, 4]
// CHECK: %[[SLOT1:.*]] = tensor.extract_slice %[[WITH_A]][0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1]
// CHECK: %[[B:.*]] = linalg.generic {{.*}} outs(%[[SLOT1]] : tensor<1x3x4x4xf32>)
// CHECK: tensor.insert_slice %[[B]] into %[[WITH_A]][0, 2, 0, 0] [1, 3, 4, 4]
// BUF-LABEL: func.func @concat
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @concat(%x: tensor<1x2x4x4xf32>, %y: tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x2x4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4xf32>) outs(%e0 : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e1 = tensor.empty() : tensor<1x3x4x4xf32>
  %b = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x3x4x4xf32>) outs(%e1 : tensor<1x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x3x4x4xf32>
  %c = tensor.empty() : tensor<1x5x4x4xf32>
  %c0 = tensor.insert_slice %a into %c[0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
      : tensor<1x2x4x4xf32> into tensor<1x5x4x4xf32>
  %c1 = tensor.insert_slice %b into %c0[0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1]
      : tensor<1x3x4x4xf32> into tensor<1x5x4x4xf32>
  return %c1 : tensor<1x5x4x4xf32>
}

// -----

// A conv's store (reading its 3 rows of Wp = 4 accumulator columns, output
// (n, f, oh, ow) at oh*4 + ow) padded by 1 all round: the pad becomes fills
// of the 5x5 tensor's border alone (the top and bottom rows whole, then the
// left and right columns of the interior rows: no element twice) and the
// store writes the 3x3 interior at [1, 1], each in place.
// CHECK-LABEL: func.func @padded_conv_result
// CHECK-NOT: tensor.pad
// CHECK: %[[PADDED:.*]] = tensor.empty() : tensor<1x2x5x5xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[PADDED]][0, 0, 0, 0] [1, 2, 1, 5] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<1x2x1x5xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 4, 0] [1, 2, 1, 5] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 0] [1, 2, 3, 1] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 4] [1, 2, 3, 1] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: %[[FILLED:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 4] [1, 2, 3, 1] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[FILLED]][0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2x12xf32>) outs(%[[INTERIOR]] : tensor<1x2x3x3xf32>)
// CHECK: tensor.insert_slice %[[Y]] into %[[FILLED]][0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// BUF-LABEL: func.func @padded_conv_result
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
#crop = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 4 + d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @padded_conv_result(%acc: tensor<1x2x12xf32>) -> tensor<1x2x5x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %y = linalg.generic {indexing_maps = [#crop, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%acc : tensor<1x2x12xf32>) outs(%e : tensor<1x2x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x3x3xf32>
  %p = tensor.pad %y low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x3x3xf32> to tensor<1x2x5x5xf32>
  return %p : tensor<1x2x5x5xf32>
}

// -----

// A merged conv's store of 6 channels read as channels 0-1 (a concat's
// branch) and 2-5 (padded for the next conv): one store per slice, each
// reading its channels of the accumulator (a view) and writing its own place.
// The accumulator slice spans rows 0-2 of width 4, columns 0-2 of the last:
// (3 - 1) * 4 + (3 - 1) + 1 = 11 elements.
// CHECK-LABEL: func.func @merged_conv_slices
// CHECK-SAME: (%[[ACC:[^:]*]]: tensor<1x6x12xf32>
// CHECK: %[[ACC01:.*]] = tensor.extract_slice %[[ACC]][0, 0, 0] [1, 2, 11] [1, 1, 1]
// CHECK: %[[CONCAT:.*]] = tensor.empty() : tensor<1x5x3x3xf32>
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[CONCAT]][0, 0, 0, 0] [1, 2, 3, 3]
// CHECK: linalg.generic {{.*}} ins(%[[ACC01]] : tensor<1x2x11xf32>) outs(%[[SLOT]] : tensor<1x2x3x3xf32>)
// CHECK: %[[ACC25:.*]] = tensor.extract_slice %[[ACC]][0, 2, 0] [1, 4, 11] [1, 1, 1]
// CHECK: linalg.fill {{.*}} -> tensor<1x4x3x1xf32>
// CHECK: %[[FILLED:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 4] [1, 4, 3, 1]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[FILLED]][0, 0, 1, 1] [1, 4, 3, 3]
// CHECK: linalg.generic {{.*}} ins(%[[ACC25]] : tensor<1x4x11xf32>) outs(%[[INTERIOR]] : tensor<1x4x3x3xf32>)
// CHECK-NOT: tensor<1x6x3x3xf32>
// BUF-LABEL: func.func @merged_conv_slices
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
#crop = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 4 + d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @merged_conv_slices(%acc: tensor<1x6x12xf32>, %other: tensor<1x3x3x3xf32>)
    -> (tensor<1x5x3x3xf32>, tensor<1x4x5x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x3x3xf32>
  %y = linalg.generic {indexing_maps = [#crop, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%acc : tensor<1x6x12xf32>) outs(%e : tensor<1x6x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x6x3x3xf32>
  %branch = tensor.extract_slice %y[0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 1, 1]
      : tensor<1x6x3x3xf32> to tensor<1x2x3x3xf32>
  %reduce = tensor.extract_slice %y[0, 2, 0, 0] [1, 4, 3, 3] [1, 1, 1, 1]
      : tensor<1x6x3x3xf32> to tensor<1x4x3x3xf32>
  %c = tensor.empty() : tensor<1x5x3x3xf32>
  %c0 = tensor.insert_slice %branch into %c[0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 1, 1]
      : tensor<1x2x3x3xf32> into tensor<1x5x3x3xf32>
  %e_b = tensor.empty() : tensor<1x3x3x3xf32>
  %b = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%other : tensor<1x3x3x3xf32>) outs(%e_b : tensor<1x3x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x3x3x3xf32>
  %c1 = tensor.insert_slice %b into %c0[0, 2, 0, 0] [1, 3, 3, 3] [1, 1, 1, 1]
      : tensor<1x3x3x3xf32> into tensor<1x5x3x3xf32>
  %p = tensor.pad %reduce low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x3x3xf32> to tensor<1x4x5x5xf32>
  return %c1, %p : tensor<1x5x3x3xf32>, tensor<1x4x5x5xf32>
}

// -----

// A concat padded for a pool (-inf all round): the branches compute straight
// into the padded buffer's interior, the first branch too (its slot, a slice
// of the concat's tensor, moves into the padded buffer with the rest).
// CHECK-LABEL: func.func @padded_concat
// CHECK: linalg.fill {{.*}} -> tensor<1x5x4x1xf32>
// CHECK: %[[FILLED:.*]] = tensor.insert_slice %{{.*}}[0, 0, 1, 5] [1, 5, 4, 1]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[FILLED]][0, 0, 1, 1] [1, 5, 4, 4]
// CHECK: %[[SLOT0:.*]] = tensor.extract_slice %[[INTERIOR]][0, 0, 0, 0] [1, 2, 4, 4]
// CHECK: linalg.generic {{.*}} outs(%[[SLOT0]] : tensor<1x2x4x4xf32>)
// CHECK-NOT: tensor.pad
// BUF-LABEL: func.func @padded_concat
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @padded_concat(%x: tensor<1x2x4x4xf32>, %y: tensor<1x3x4x4xf32>) -> tensor<1x5x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<1x2x4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4xf32>) outs(%e0 : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e1 = tensor.empty() : tensor<1x3x4x4xf32>
  %b = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x3x4x4xf32>) outs(%e1 : tensor<1x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x3x4x4xf32>
  %c = tensor.empty() : tensor<1x5x4x4xf32>
  %c0 = tensor.insert_slice %a into %c[0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
      : tensor<1x2x4x4xf32> into tensor<1x5x4x4xf32>
  %c1 = tensor.insert_slice %b into %c0[0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1]
      : tensor<1x3x4x4xf32> into tensor<1x5x4x4xf32>
  %p = tensor.pad %c1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %lowest : f32
  } : tensor<1x5x4x4xf32> to tensor<1x5x6x6xf32>
  return %p : tensor<1x5x6x6xf32>
}

// -----

// One tensor inserted into two concats keeps its copies: computed in the
// first concat's slot, it would be read for the second concat after the first
// concat's next branch writes that buffer, which bufferization cannot prove
// disjoint, so it computes %a aside and copies it into both.
// BUF-LABEL: func.func @two_concats
// BUF-SAME: %[[FIRST:[^:]*]]: memref<1x5x4x4xf32>, %[[SECOND:[^:]*]]: memref<1x3x4x4xf32>)
// BUF: %[[A:.*]] = memref.view
// BUF: linalg.generic {{.*}} outs(%[[A]] : memref<1x2x4x4xf32>)
// BUF: %[[SLOT1:.*]] = memref.subview %[[FIRST]][0, 0, 0, 0] [1, 2, 4, 4]
// BUF: memref.copy %[[A]], %[[SLOT1]]
// BUF: %[[SLOT2:.*]] = memref.subview %[[SECOND]][0, 1, 0, 0] [1, 2, 4, 4]
// BUF: memref.copy %[[A]], %[[SLOT2]]
// BUF-NOT: memref.copy
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @two_concats(%x: tensor<1x2x4x4xf32>, %y: tensor<1x3x4x4xf32>,
                       %z: tensor<1x1x4x4xf32>)
    -> (tensor<1x5x4x4xf32>, tensor<1x3x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x2x4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4xf32>) outs(%e0 : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e_b = tensor.empty() : tensor<1x3x4x4xf32>
  %b = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x3x4x4xf32>) outs(%e_b : tensor<1x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x3x4x4xf32>
  %e_c = tensor.empty() : tensor<1x1x4x4xf32>
  %c = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%z : tensor<1x1x4x4xf32>) outs(%e_c : tensor<1x1x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x1x4x4xf32>
  %cat = tensor.empty() : tensor<1x5x4x4xf32>
  %c0 = tensor.insert_slice %a into %cat[0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
      : tensor<1x2x4x4xf32> into tensor<1x5x4x4xf32>
  %c1 = tensor.insert_slice %b into %c0[0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1]
      : tensor<1x3x4x4xf32> into tensor<1x5x4x4xf32>
  %d = tensor.empty() : tensor<1x3x4x4xf32>
  %d0 = tensor.insert_slice %c into %d[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1]
      : tensor<1x1x4x4xf32> into tensor<1x3x4x4xf32>
  %d1 = tensor.insert_slice %a into %d0[0, 1, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1]
      : tensor<1x2x4x4xf32> into tensor<1x3x4x4xf32>
  return %c1, %d1 : tensor<1x5x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// A tensor both padded (for a pool) and flattened (for a 1x1 conv) stays in
// a buffer of its own: in the padded interior, whose rows are not adjacent,
// the flattening could not be a view and would copy once per reader. The pad
// copies it once instead.
// CHECK-LABEL: func.func @padded_and_flattened
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x2x4x4xf32>
// CHECK: %[[A:.*]] = linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<1x2x4x4xf32>)
// CHECK: tensor.collapse_shape %[[A]]
// BUF-LABEL: func.func @padded_and_flattened
// BUF: memref.collapse_shape %{{.*}} : memref<1x2x4x4xf32> into memref<1x2x16xf32>
// BUF-COUNT-1: memref.copy
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @padded_and_flattened(%x: tensor<1x2x4x4xf32>)
    -> (tensor<1x2x16xf32>, tensor<1x2x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<1x2x4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4xf32>) outs(%e0 : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %flat = tensor.collapse_shape %a [[0], [1], [2, 3]]
      : tensor<1x2x4x4xf32> into tensor<1x2x16xf32>
  %e1 = tensor.empty() : tensor<1x2x16xf32>
  %conv = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                           affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                          iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%flat : tensor<1x2x16xf32>) outs(%e1 : tensor<1x2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x2x16xf32>
  %p = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %lowest : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  return %conv, %p : tensor<1x2x16xf32>, tensor<1x2x6x6xf32>
}

// -----

// A concat's branch flattened for a 1x1 conv (read before the next branch
// writes the concat) is computed in place even with two images: its slot in
// the concat keeps every row whole, so the flattening of each plane is still
// a view.
// CHECK-LABEL: func.func @flattened_branch
// CHECK: %[[CONCAT:.*]] = tensor.empty() : tensor<2x5x4x4xf32>
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[CONCAT]][0, 0, 0, 0] [2, 2, 4, 4]
// CHECK: linalg.generic {{.*}} outs(%[[SLOT]] : tensor<2x2x4x4xf32>)
// BUF-LABEL: func.func @flattened_branch
// BUF: memref.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : memref<2x2x4x4xf32, strided<[80, 16, 4, 1]>> into memref<2x2x16xf32, strided<[80, 16, 1]>>
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @flattened_branch(%x: tensor<2x2x4x4xf32>, %y: tensor<2x3x4x4xf32>)
    -> (tensor<2x5x4x4xf32>, tensor<2x2x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x2x4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x2x4x4xf32>) outs(%e0 : tensor<2x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x2x4x4xf32>
  %flat = tensor.collapse_shape %a [[0], [1], [2, 3]]
      : tensor<2x2x4x4xf32> into tensor<2x2x16xf32>
  %e2 = tensor.empty() : tensor<2x2x16xf32>
  %conv = linalg.generic {indexing_maps = [#id3, #id3],
                          iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%flat : tensor<2x2x16xf32>) outs(%e2 : tensor<2x2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<2x2x16xf32>
  %e1 = tensor.empty() : tensor<2x3x4x4xf32>
  %b = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<2x3x4x4xf32>) outs(%e1 : tensor<2x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x3x4x4xf32>
  %c = tensor.empty() : tensor<2x5x4x4xf32>
  %c0 = tensor.insert_slice %a into %c[0, 0, 0, 0] [2, 2, 4, 4] [1, 1, 1, 1]
      : tensor<2x2x4x4xf32> into tensor<2x5x4x4xf32>
  %c1 = tensor.insert_slice %b into %c0[0, 2, 0, 0] [2, 3, 4, 4] [1, 1, 1, 1]
      : tensor<2x3x4x4xf32> into tensor<2x5x4x4xf32>
  return %c1, %conv : tensor<2x5x4x4xf32>, tensor<2x2x16xf32>
}

// -----

// The model's input belongs to the caller: padding it copies it.
// CHECK-LABEL: func.func @padded_input
// CHECK: linalg.fill
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// BUF-LABEL: func.func @padded_input
// BUF-COUNT-1: memref.copy
// BUF-NOT: memref.copy
func.func @padded_input(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  return %p : tensor<1x2x6x6xf32>
}
