// RUN: incept-opt %s --convert-incept-to-linalg --split-input-file | FileCheck %s
// RUN: incept-opt %s --convert-incept-to-linalg --split-input-file | FileCheck %s --check-prefix=WHOLE

// The band plan, by hand: the intermediate is 64x128x64 f32, one row of it
// 64*64*4 = 16 KiB, so 32 rows fit in a slab of 512 KiB. A band of T output
// rows of the 3x3 (pad 1) reads T + 2 rows: T <= 30, 5 bands, evened out to
// 26 rows (the last has 24). Band k >= 1 reads rows [26k - 1, 26k + 27) of
// the intermediate, cut to [0, 128); the 1x1 producer reads the same rows of
// its input. Band 0 reads 27 rows and keeps the top pad, bands 1-3 read 28
// and have no row padding (one shape: the loop), band 4 reads 25 rows from
// 103 and keeps the bottom pad.
// CHECK-LABEL: func.func @bands
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x128x64xf32>
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<1x24x128x64xf32>
// CHECK: tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 16, 27, 64] [1, 1, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x64x27x64xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 1]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x24x26x64xf32>
// CHECK: %[[BAND0:.*]] = tensor.insert_slice %{{.*}} into %[[OUT]][0, 0, 0, 0] [1, 24, 26, 64] [1, 1, 1, 1]
// CHECK: %[[INNER:.*]] = scf.for %[[K:.*]] = %c1{{.*}} to %c4{{.*}} step %c1{{.*}} iter_args(%[[ACC:.*]] = %[[BAND0]])
// CHECK: %[[FIRST:.*]] = arith.muli %[[K]], %c26
// CHECK: %[[ROWS:.*]] = arith.muli %[[K]], %c26
// CHECK: %[[BEGIN:.*]] = arith.addi %[[ROWS]], %c-1
// CHECK: tensor.extract_slice %[[X]][0, 0, %[[BEGIN]], 0] [1, 16, 28, 64] [1, 1, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x64x28x64xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK: %[[BAND:.*]] = tensor.insert_slice %{{.*}} into %[[ACC]][0, 0, %[[FIRST]], 0] [1, 24, 26, 64] [1, 1, 1, 1]
// CHECK: scf.yield %[[BAND]]
// CHECK: tensor.extract_slice %[[X]][0, 0, 103, 0] [1, 16, 25, 64] [1, 1, 1, 1]
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 1] high[0, 0, 1, 1]
// CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}} into %[[INNER]][0, 0, 104, 0] [1, 24, 24, 64] [1, 1, 1, 1]
// CHECK: return %[[LAST]]
// No tensor of the intermediate's shape, anywhere in this file's output
// but the last function's (which does not band).
// WHOLE-NOT: tensor<1x64x128x64xf32>
// WHOLE-NOT: tensor<2x64x128x64xf32>
// WHOLE-LABEL: func.func @different_heights
func.func @bands(%x: tensor<1x16x128x64xf32>, %w1: tensor<64x16x1x1xf32>, %b1: tensor<64xf32>,
                 %w2: tensor<24x64x3x3xf32>) -> tensor<1x24x128x64xf32> {
  %y = incept.conv_chain %x : (tensor<1x16x128x64xf32>) -> tensor<1x24x128x64xf32> {
  ^bb0(%in: tensor<1x16x128x64xf32>):
    %m = incept.conv %in, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
         : (tensor<1x16x128x64xf32>, tensor<64x16x1x1xf32>, tensor<64xf32>) -> tensor<1x64x128x64xf32>
    %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
           dilations = array<i64: 1, 1>}
         : (tensor<1x64x128x64xf32>, tensor<24x64x3x3xf32>) -> tensor<1x24x128x64xf32>
    incept.yield %o : tensor<1x24x128x64xf32>
  }
  return %y : tensor<1x24x128x64xf32>
}

// -----

// Two images, two consumers (a 1x3 and a 3x1, the split branches), a
// residual: the bands of each image in a loop over images. The union of the
// consumers' windows is the 3x3's above, so the same bands; in band 0 the
// 1x3 reads intermediate rows [0, 26), the 3x1 [0, 27) with its top pad, and
// the residual's rows [0, 26) of the image.
// CHECK-LABEL: func.func @images_and_branches
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x16x128x64xf32>, {{.*}}, %[[R:[^:]*]]: tensor<2x20x128x64xf32>)
// CHECK: %[[A0:.*]] = tensor.empty() : tensor<2x24x128x64xf32>
// CHECK: %[[B0:.*]] = tensor.empty() : tensor<2x20x128x64xf32>
// CHECK: %[[IMAGES:.*]]:2 = scf.for %[[N:.*]] = %c0{{.*}} to %c2{{.*}} step %c1{{.*}} iter_args(%[[A:.*]] = %[[A0]], %[[B:.*]] = %[[B0]])
// CHECK: tensor.extract_slice %[[X]][%[[N]], 0, 0, 0] [1, 16, 27, 64] [1, 1, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x64x27x64xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 64, 26, 64] [1, 1, 1, 1]
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][%[[N]], 0, 0, 0] [1, 24, 26, 64]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 64, 27, 64] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[R]][%[[N]], 0, 0, 0] [1, 20, 26, 64] [1, 1, 1, 1]
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 0] high[0, 0, 0, 0]
// CHECK: tensor.insert_slice %{{.*}} into %[[B]][%[[N]], 0, 0, 0] [1, 20, 26, 64]
// CHECK: scf.for
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: return %[[IMAGES]]#0, %[[IMAGES]]#1
func.func @images_and_branches(%x: tensor<2x16x128x64xf32>, %w1: tensor<64x16x1x1xf32>,
    %wa: tensor<24x64x1x3xf32>, %wb: tensor<20x64x3x1xf32>, %r: tensor<2x20x128x64xf32>)
    -> (tensor<2x24x128x64xf32>, tensor<2x20x128x64xf32>) {
  %y:2 = incept.conv_chain %x : (tensor<2x16x128x64xf32>) -> (tensor<2x24x128x64xf32>, tensor<2x20x128x64xf32>) {
  ^bb0(%in: tensor<2x16x128x64xf32>):
    %m = incept.conv %in, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>}
         : (tensor<2x16x128x64xf32>, tensor<64x16x1x1xf32>) -> tensor<2x64x128x64xf32>
    %a = incept.conv %m, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>,
           dilations = array<i64: 1, 1>}
         : (tensor<2x64x128x64xf32>, tensor<24x64x1x3xf32>) -> tensor<2x24x128x64xf32>
    %b = incept.conv %m, %wb residual %r {strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>,
           dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
         : (tensor<2x64x128x64xf32>, tensor<20x64x3x1xf32>, tensor<2x20x128x64xf32>) -> tensor<2x20x128x64xf32>
    incept.yield %a, %b : tensor<2x24x128x64xf32>, tensor<2x20x128x64xf32>
  }
  return %y#0, %y#1 : tensor<2x24x128x64xf32>, tensor<2x20x128x64xf32>
}

// -----

// Consumers of different heights have no common bands: the convs are
// lowered one after the other, the intermediate whole.
// CHECK-LABEL: func.func @different_heights
// CHECK-NOT: scf.for
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x8x16x16xf32>
// CHECK-NOT: scf.for
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x4x16x16xf32>
// CHECK-NOT: scf.for
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x4x14x14xf32>
// CHECK-NOT: scf.for
// CHECK: return
func.func @different_heights(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x1x1xf32>,
    %w2: tensor<4x8x3x3xf32>) -> (tensor<1x4x16x16xf32>, tensor<1x4x14x14xf32>) {
  %y:2 = incept.conv_chain %x : (tensor<1x4x16x16xf32>) -> (tensor<1x4x16x16xf32>, tensor<1x4x14x14xf32>) {
  ^bb0(%in: tensor<1x4x16x16xf32>):
    %m = incept.conv %in, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>}
         : (tensor<1x4x16x16xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x16x16xf32>
    %a = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
           dilations = array<i64: 1, 1>}
         : (tensor<1x8x16x16xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x16x16xf32>
    %b = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>}
         : (tensor<1x8x16x16xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x14x14xf32>
    incept.yield %a, %b : tensor<1x4x16x16xf32>, tensor<1x4x14x14xf32>
  }
  return %y#0, %y#1 : tensor<1x4x16x16xf32>, tensor<1x4x14x14xf32>
}
