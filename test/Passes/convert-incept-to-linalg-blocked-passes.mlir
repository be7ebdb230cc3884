// RUN: incept-opt %s --split-input-file --convert-incept-to-linalg --canonicalize | FileCheck %s

// The blocked conv's reduction in passes over the input-channel blocks: when
// a group's weights are more than half of L1 and a work item has several
// pixel tiles, each pass runs over all of the item's tiles with a slice of
// the weights that stays in L1 (half of the 32 KiB: 16 blocks of a 4-block
// group on AVX2, 8 of a 2-block group on AVX-512). The first pass starts
// from the bias, the others from the partial sums the previous one stored;
// only the last applies the epilogue.

// AVX2: 64 input blocks in 4 passes of 16 (the middle two a loop), 9 tiles
// of 3 pixels per item (108 tiles of an 18x18 plane in 12 items, 54 tiles
// for each of the target's 2 cores, where 8 items of 14 tiles would leave
// one 56 and the other 52).
// CHECK-LABEL: func.func @passes_avx2
// CHECK: scf.for %{{.*}} = %c0 to %c12 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x4x18x18x8xf32>)
// CHECK: scf.for
// CHECK: vector.transfer_read %cst{{.*}} : tensor<32xf32>, vector<8xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK-NOT: arith.maximumf
// CHECK: scf.for %[[PASS:.*]] = %c1 to %c3 step %c1
// CHECK: %[[FIRST:.*]] = arith.muli %[[PASS]], %c16
// CHECK: scf.for %{{.*}} iter_args(%[[OUT:[a-z0-9]+]] = %{{[a-z0-9#]+}}) -> (tensor
// CHECK-COUNT-12: vector.transfer_read %[[OUT]]
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %{{.*}} step %c1
// CHECK-NOT: arith.maximumf
// CHECK: scf.for %{{.*}} iter_args(%[[OUT2:[a-z0-9]+]] = %{{[a-z0-9#]+}}) -> (tensor
// CHECK-COUNT-12: vector.transfer_read %[[OUT2]]
// CHECK: scf.for %{{.*}} = %c48 to %c64 step %c1
// CHECK-COUNT-12: arith.maximumf
// CHECK: } {incept.parallel}
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @passes_avx2(%x: tensor<1x512x18x18xf32>) -> tensor<1x32x18x18xf32> {
  %w = arith.constant dense<0.5> : tensor<32x512x1x1xf32>
  %b = arith.constant dense<0.25> : tensor<32xf32>
  %y = incept.conv %x, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 4, tile_w = 3>} : (tensor<1x512x18x18xf32>, tensor<32x512x1x1xf32>, tensor<32xf32>) -> tensor<1x32x18x18xf32>
  return %y : tensor<1x32x18x18xf32>
}
}

// -----

// AVX-512: 16 input blocks in 2 passes of 8, 12 tiles of 6 pixels per item
// (96 tiles in 8 items). Before its FMAs, each tile of a pass prefetches its
// 22 of the 256 lines of the weights that the next pass reads (8 blocks of
// 512 floats from float 4096 on; after the last pass, those past it) into L2,
// each index held below the end of the weights.
// CHECK-LABEL: func.func @passes_avx512
// CHECK: %[[W:.*]] = arith.constant dense_resource<conv.blocked> : tensor<8192xf32>
// CHECK-NEXT: %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK: scf.for %[[ITEM:.*]] = %c0 to %c8 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x2x24x24x16xf32>)
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[ITEM]], %c12
// CHECK: scf.for %[[TILE:.*]] = %[[FIRST]] to
// CHECK-NEXT: %[[IN_ITEM:.*]] = arith.subi %[[TILE]], %[[FIRST]]
// CHECK-NEXT: %[[PART:.*]] = arith.muli %[[IN_ITEM]], %c352
// CHECK-NEXT: %[[FROM:.*]] = arith.addi %[[PART]], %c4096
// CHECK-NEXT: scf.for %[[LINE:.*]] = %c0 to %c22 step %c1
// CHECK-NEXT: %[[AT:.*]] = arith.muli %[[LINE]], %c16
// CHECK-NEXT: %[[NEXT:.*]] = arith.addi %[[AT]], %[[FROM]]
// CHECK-NEXT: %[[HELD:.*]] = arith.minui %[[NEXT]], %c8191
// CHECK-NEXT: memref.prefetch %[[WB]][%[[HELD]]], read, locality<2>, data
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK-NOT: arith.maximumf
// CHECK: scf.for %{{.*}} = %c8 to %c16 step %c1
// CHECK-COUNT-12: arith.maximumf
// CHECK: } {incept.parallel}
module attributes {incept.target = #incept.target<cpu = "znver4", vector_bits = 512, vector_registers = 32, fma = true, l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 2>} {
func.func @passes_avx512(%x: tensor<1x256x24x24xf32>) -> tensor<1x32x24x24xf32> {
  %w = arith.constant dense<0.5> : tensor<32x256x1x1xf32>
  %b = arith.constant dense<0.25> : tensor<32xf32>
  %y = incept.conv %x, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>, strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 2, tile_w = 6>} : (tensor<1x256x24x24xf32>, tensor<32x256x1x1xf32>, tensor<32xf32>) -> tensor<1x32x24x24xf32>
  return %y : tensor<1x32x24x24xf32>
}
}

// -----

// The same conv for a target of 8 cores: 4 items a core (32), 3 tiles each.
// CHECK-LABEL: func.func @passes_avx512_8_cores
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x2x24x24x16xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK: scf.for %{{.*}} = %c8 to %c16 step %c1
// CHECK: } {incept.parallel}
module attributes {incept.target = #incept.target<cpu = "znver4", vector_bits = 512, vector_registers = 32, fma = true, l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 8>} {
func.func @passes_avx512_8_cores(%x: tensor<1x256x24x24xf32>) -> tensor<1x32x24x24xf32> {
  %w = arith.constant dense<0.5> : tensor<32x256x1x1xf32>
  %b = arith.constant dense<0.25> : tensor<32xf32>
  %y = incept.conv %x, %w bias %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>, strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 2, tile_w = 6>} : (tensor<1x256x24x24xf32>, tensor<32x256x1x1xf32>, tensor<32xf32>) -> tensor<1x32x24x24xf32>
  return %y : tensor<1x32x24x24xf32>
}
}
