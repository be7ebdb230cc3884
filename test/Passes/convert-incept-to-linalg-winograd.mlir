// RUN: incept-opt %s --split-input-file --convert-incept-to-linalg --canonicalize | FileCheck %s

// The winograd conv strategy, F(4x4, 3x3) on the channel-blocked layout, on
// an AVX2 target (8-channel blocks): a 6x7 plane is 2x2 tiles of 4x4, so the
// input is padded by the conv's 1 plus 2 rows and 1 column to 10x10 and the
// residual by 2 rows and 1 column to 8x8; the extra output pixels are
// sliced away before the result leaves the blocked layout.

// CHECK-LABEL: func.func @winograd_avx2
// U: 36 positions x 2 output blocks x 8 channels x 8 lanes, transformed at
// compile time.
// CHECK-DAG: %[[U:.*]] = arith.constant dense_resource<conv.winograd> : tensor<4608xf32>
// The direct weights (2 output blocks x 9 taps x 8 x 8), for the tiles
// whose Y holds a NaN or an infinity.
// CHECK-DAG: %[[D:.*]] = arith.constant dense_resource<conv.direct> : tensor<1152xf32>
// CHECK: %[[XB:.*]] = scf.for {{.*}} -> (tensor<1x1x6x7x8xf32>)
// CHECK: %[[X:.*]] = tensor.pad %[[XB]] low[0, 0, 1, 1, 0] high[0, 0, 3, 2, 0]
// CHECK: %[[RB:.*]] = scf.for {{.*}} -> (tensor<1x2x6x7x8xf32>)
// CHECK: %[[R:.*]] = tensor.pad %[[RB]] low[0, 0, 0, 0, 0] high[0, 0, 2, 1, 0]
// The input transform, an item per image, input block and row of tiles:
// the 6x6 input pixels of a tile, V = Bᵀ d B in adds, subtracts and FMAs,
// its 36 positions stored as the images of a 1x4 plane.
// CHECK: %[[V:.*]] = scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<36x1x1x4x8xf32>)
// CHECK-COUNT-36: vector.transfer_read %[[X]]
// CHECK: vector.fma
// CHECK-COUNT-36: vector.transfer_write
// CHECK: } {incept.parallel}
// The 36 products: the blocked kernel over 36 images of the 4 tiles, with
// weight set p (offset p x 128) for image p; tiles of 2 blocks x 3 pixels
// and a tail of 1 pixel, an item per image (36: more than the 8 that the
// target's 2 cores get, so no image is split into chunks of tiles); no
// bias (it comes after the transform).
// CHECK: %[[M:.*]] = scf.for %[[I:.*]] = %c0 to %c36 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<36x2x1x4x8xf32>)
// CHECK: %[[SET:.*]] = arith.muli %[[I]], %c128
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args(%{{.*}} = %cst{{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-3: vector.broadcast
// CHECK: vector.transfer_read %[[U]]
// CHECK-COUNT-3: vector.fma
// CHECK: vector.transfer_read %[[U]]
// CHECK-COUNT-3: vector.fma
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>)
// CHECK: } {incept.parallel}
// The output transform, an item per image, output block and row of tiles:
// Y = Aᵀ m A from the 36 products of a tile; if a lane of Y is NaN or
// infinite (Σ (y − y) is NaN), the tile is computed directly from the padded
// input instead, so that NaN and infinities spread as in a direct conv;
// then per pixel the bias, the residual and the ReLU, into the 8x8 plane.
// CHECK: %[[Y:.*]] = scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x2x8x8x8xf32>)
// CHECK-COUNT-36: vector.transfer_read %[[M]]
// CHECK: %[[SUM:.*]] = vector.reduction <add>
// CHECK: %[[BAD:.*]] = arith.cmpf uno, %[[SUM]], %[[SUM]]
// CHECK: scf.if %[[BAD]] -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: vector.transfer_read %[[D]]
// CHECK-COUNT-16: tensor.extract %[[X]]
// CHECK: } else {
// CHECK: arith.addf
// CHECK: vector.transfer_read %[[R]]
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: vector.transfer_write
// CHECK: } {incept.parallel}
// CHECK: %[[S:.*]] = tensor.extract_slice %[[Y]][0, 0, 0, 0, 0] [1, 2, 6, 7, 8] [1, 1, 1, 1, 1]
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<1x2x6x7x8xf32>) outs(%{{.*}} : tensor<1x16x6x7xf32>) attrs = {incept.from_blocked}
// CHECK: return %[[OUT]]
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @winograd_avx2(%x: tensor<1x8x6x7xf32>, %r: tensor<1x16x6x7xf32>) -> tensor<1x16x6x7xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x3x3xf32>
  %b = arith.constant dense<0.25> : tensor<16xf32>
  %y = incept.conv %x, %w bias %b residual %r {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>, strategy = #incept.conv_strategy<winograd, block = 8, tile_f = 2, tile_w = 3>} : (tensor<1x8x6x7xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>, tensor<1x16x6x7xf32>) -> tensor<1x16x6x7xf32>
  return %y : tensor<1x16x6x7xf32>
}
}

// -----

// AVX-512 (16-channel blocks), two images of an 8x8 plane (whole tiles:
// no padding past the conv's, no slice). The 36 positions of image n are
// images p·2 + n of the products, and the kernel picks weight set p =
// image / 2 (36 x 2 blocks x 16 channels x 16 lanes of U).

// CHECK-LABEL: func.func @winograd_avx512
// CHECK-DAG: %[[U:.*]] = arith.constant dense_resource<conv.winograd> : tensor<18432xf32>
// CHECK: %[[X:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<72x1x1x4x16xf32>)
// CHECK: } {incept.parallel}
// CHECK: scf.for %[[I:.*]] = %c0 to %c72 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<72x2x1x4x16xf32>)
// CHECK: %[[P:.*]] = arith.divui %[[I]], %c2
// CHECK: arith.muli %[[P]], %c512
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: } {incept.parallel}
// CHECK: %[[Y:.*]] = scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<2x2x8x8x16xf32>)
// CHECK: } {incept.parallel}
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic {{.*}} ins(%[[Y]] : tensor<2x2x8x8x16xf32>) outs(%{{.*}} : tensor<2x32x8x8xf32>) attrs = {incept.from_blocked}
module attributes {incept.target = #incept.target<cpu = "znver4", vector_bits = 512, vector_registers = 32, fma = true, l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 2>} {
func.func @winograd_avx512(%x: tensor<2x16x8x8xf32>) -> tensor<2x32x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<32x16x3x3xf32>
  %y = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<winograd, block = 16, tile_f = 2, tile_w = 4>} : (tensor<2x16x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<2x32x8x8xf32>
  return %y : tensor<2x32x8x8xf32>
}
}
