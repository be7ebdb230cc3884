// RUN: incept-opt %s --convert-incept-to-linalg --canonicalize | FileCheck %s

// The blocked conv strategy on an AVX2 target (8-channel blocks): a 1x1 conv
// (2 output blocks, tiles of 2 blocks x 4 pixels) with bias and ReLU, a 3x3
// conv reading it (1 block x 5 pixels, a tail tile of 1 pixel), a max pool of
// each and a concat of the pools. The model input is converted to the
// blocked layout once and the result back once; in between every op reads
// the blocked tensor its producer wrote.

// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x6x6xf32>)
// The input, a pixel at a time: its 8 channels gathered into one vector,
// each image row an item of a parallel loop.
// CHECK: %[[XB:.*]] = scf.for {{.*}} -> (tensor<1x1x6x6x8xf32>)
// CHECK-COUNT-8: tensor.extract %[[X]]
// CHECK: vector.from_elements {{.*}} : vector<8xf32>
// CHECK: } {incept.parallel}
// The 1x1 conv: 5 items of 2 tiles (2 blocks x 36 pixels in 9 tiles of 4)
// for the threads (4 items for each of the target's 2 cores, rounded to
// whole tiles),
// bias-initialised accumulators carried across the 8 input channels; per
// channel 4 broadcasts, then each output block's weights loaded right before
// its 4 FMAs (the order that keeps the register allocator from spilling);
// ReLU in registers before each store.
// CHECK: %[[A:.*]] = scf.for %{{.*}} = %c0 to %c5 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x2x6x6x8xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-4: vector.broadcast
// CHECK: vector.transfer_read %{{.*}} : tensor<{{[0-9]+}}xf32>, vector<8xf32>
// CHECK-COUNT-4: vector.fma
// CHECK: vector.transfer_read %{{.*}} : tensor<{{[0-9]+}}xf32>, vector<8xf32>
// CHECK-COUNT-4: vector.fma
// CHECK-NEXT: scf.yield
// CHECK-COUNT-8: arith.maximumf
// CHECK: } {incept.parallel}
// CHECK-NOT: incept.from_blocked
// CHECK: %[[PADDED:.*]] = tensor.pad %[[A]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// The 3x3 conv: 2 channel blocks x 3 x 3 taps x 8 channels of 5 FMAs, and a
// peeled tail tile of one pixel.
// CHECK: scf.for {{.*}} -> (tensor<1x1x6x6x8xf32>)
// CHECK: tensor.extract %[[PADDED]]
// CHECK-COUNT-5: vector.fma
// CHECK: scf.if
// CHECK: vector.fma
// CHECK: } {incept.parallel}
// CHECK-NOT: incept.from_blocked
// The pools take the maximum of whole channel vectors, window by window (a
// NaN never wins, as in ONNX Runtime).
// CHECK: %[[P:.*]] = scf.for {{.*}} -> (tensor<1x2x3x3x8xf32>)
// CHECK: arith.maxnumf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: } {incept.parallel}
// CHECK: %[[Q:.*]] = scf.for {{.*}} -> (tensor<1x1x3x3x8xf32>)
// CHECK-NOT: incept.from_blocked
// CHECK: %[[C0:.*]] = tensor.insert_slice %[[P]] into %{{.*}}[0, 0, 0, 0, 0] [1, 2, 3, 3, 8]
// CHECK: %[[C1:.*]] = tensor.insert_slice %[[Q]] into %[[C0]][0, 2, 0, 0, 0] [1, 1, 3, 3, 8]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[C1]] : tensor<1x3x3x3x8xf32>) outs(%{{.*}} : tensor<1x24x3x3xf32>) attrs = {incept.from_blocked}
// CHECK: return %[[Y]]
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @block(%x: tensor<1x8x6x6xf32>) -> tensor<1x24x3x3xf32> {
  %w1 = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %b1 = arith.constant dense<0.25> : tensor<16xf32>
  %w2 = arith.constant dense<0.5> : tensor<8x16x3x3xf32>
  %a = incept.conv %x, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, activation = #incept<activation relu>, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 2, tile_w = 4>} : (tensor<1x8x6x6xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<1x16x6x6xf32>
  %c = incept.conv %a, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 1, tile_w = 5>} : (tensor<1x16x6x6xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x6x6xf32>
  %p = incept.max_pool %a {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x16x6x6xf32>) -> tensor<1x16x3x3xf32>
  %q = incept.max_pool %c {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
  %r = incept.concat %p, %q {axis = 1 : i64} : (tensor<1x16x3x3xf32>, tensor<1x8x3x3xf32>) -> tensor<1x24x3x3xf32>
  return %r : tensor<1x24x3x3xf32>
}
}

// An LRN between a blocked conv and a blocked pool stays blocked: 12
// channels in two blocks of 8 (AVX2), the last one partial. Per pixel the
// squares of the block and of its neighbours (zeros past the first and the
// last block, and in the 4 lanes past channel 12), the 5 terms of the window
// shifted in by shuffles and added in order, then x / (1 + 0.5/5 * sum)^0.75
// as two square roots; each (image, block, row) one item of the parallel
// loop. No NCHW form between the ops.
// CHECK-LABEL: func.func @lrn
// CHECK: %[[DATA:.*]] = arith.constant dense<[true, true, true, true, false, false, false, false]> : vector<8xi1>
// CHECK-NOT: incept.from_blocked
// CHECK: scf.for %{{.*}} = %c0 to %c12 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x2x6x6x8xf32>)
// CHECK: scf.for
// CHECK: arith.select %[[DATA]]
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [6, 7, 8, 9, 10, 11, 12, 13] : vector<8xf32>, vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [7, 8, 9, 10, 11, 12, 13, 14] : vector<8xf32>, vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [1, 2, 3, 4, 5, 6, 7, 8] : vector<8xf32>, vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [2, 3, 4, 5, 6, 7, 8, 9] : vector<8xf32>, vector<8xf32>
// CHECK: math.sqrt
// CHECK: math.sqrt
// CHECK: arith.divf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: } {incept.parallel}
// CHECK-NOT: incept.from_blocked
// CHECK: arith.maxnumf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: incept.from_blocked
// CHECK-NOT: incept.from_blocked
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @lrn(%x: tensor<1x8x6x6xf32>) -> tensor<1x12x3x3xf32> {
  %w = arith.constant dense<0.5> : tensor<12x8x1x1xf32>
  %a = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 2, tile_w = 4>} : (tensor<1x8x6x6xf32>, tensor<12x8x1x1xf32>) -> tensor<1x12x6x6xf32>
  %n = incept.lrn %a {size = 5 : i64, alpha = 0.5 : f32, beta = 0.75 : f32, bias = 1.0 : f32} : tensor<1x12x6x6xf32>
  %p = incept.max_pool %n {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x12x6x6xf32>) -> tensor<1x12x3x3xf32>
  return %p : tensor<1x12x3x3xf32>
}
}

// A narrower last group of output blocks: 3 blocks in groups of 2 (AVX2, 2
// cores), 36 pixels in 9 tiles of 4. The full group's items are runs of 2
// tiles (5 of them), the last group's, of one block, runs of 3 (3 of them),
// so that the 8 items cost about the same and each of the two threads' shares
// of 4 (items 0-3 and 4-7) holds about half of the work: equal runs for both
// groups left one share with half the other's.
// CHECK-LABEL: func.func @narrow_last_group
// CHECK: scf.for %[[ITEM:.*]] = %c0 to %c8 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x3x6x6x8xf32>)
// CHECK-NEXT: %[[FULL:.*]] = arith.cmpi ult, %[[ITEM]], %c5 : index
// CHECK-NEXT: scf.if %[[FULL]]
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[ITEM]], %c2 : index
// CHECK-NEXT: arith.addi %[[FIRST]], %c2 : index
// CHECK-COUNT-8: vector.fma
// CHECK: } else {
// CHECK-NEXT: %[[INDEX:.*]] = arith.addi %[[ITEM]], %c-5 : index
// CHECK-NEXT: %[[FIRST3:.*]] = arith.muli %[[INDEX]], %c3 : index
// CHECK-NEXT: arith.addi %[[FIRST3]], %c3 : index
// CHECK-COUNT-4: vector.fma
// CHECK-NOT: vector.fma
// CHECK: } {incept.parallel}
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @narrow_last_group(%x: tensor<1x8x6x6xf32>) -> tensor<1x24x6x6xf32> {
  %w = arith.constant dense<0.5> : tensor<24x8x1x1xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 2, tile_w = 4>} : (tensor<1x8x6x6xf32>, tensor<24x8x1x1xf32>) -> tensor<1x24x6x6xf32>
  return %c : tensor<1x24x6x6xf32>
}
}

// A stem conv: 3 input channels, a partial block of 8 (AVX2). Its packed
// weights hold only the 3 channels there are, each tap's 3 × 8 weights right
// after the last tap's (a stride of 24 floats, not 64): padded to 8 channels,
// a 7x7 stem's taps would be 1 KB apart and fall on a quarter of L1's sets.
// The 4 taps × 3 channels of 0.5 are the packed constant's first 96 floats,
// the room of the other 5 channels after them zero; the reduction runs over
// the 3 channels only. The kernel reads the image's planes, not a blocked
// copy of 8 lanes a pixel for its 3 channels: they are viewed as blocks of
// one channel and zero-padded by a parallel loop, a padded row an item (a
// pixel of one lane at a time: 3 planes x 7 rows), which --stats counts as
// a copy of the image's 300 bytes.
// CHECK-LABEL: func.func @stem
// CHECK: %[[W:.*]] = arith.constant dense_resource<[[BLOB:.*]]> : tensor<256xf32>
// CHECK: %[[PLANES:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 3, 5, 5, 1]
// CHECK: %[[X:.*]] = scf.for %{{.*}} = %c0 to %c21 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x3x7x7x1xf32>)
// CHECK: vector.transfer_read %[[PLANES]]{{.*}} : tensor<1x3x5x5x1xf32>, vector<1xf32>
// CHECK: } {incept.copy_bytes = 300 : i64, incept.parallel}
// CHECK: scf.for %[[KH:.*]] = %c0 to %c2
// CHECK-NEXT: scf.for %[[KW:.*]] = %c0 to %c2
// CHECK-NEXT: %[[ROW:.*]] = arith.muli %[[KH]], %c2 : index
// CHECK-NEXT: %[[TAP:.*]] = arith.addi %[[ROW]], %[[KW]] : index
// CHECK-NEXT: %[[TAPW:.*]] = arith.muli %[[TAP]], %c24 : index
// CHECK: scf.for %[[CI:.*]] = %c0 to %c3 step %c1
// CHECK: tensor.extract %[[X]][%{{.*}}, %[[CI]], %{{.*}}, %{{.*}}, %c0] : tensor<1x3x7x7x1xf32>
// CHECK-COUNT-4: vector.broadcast
// CHECK: %[[AT:.*]] = arith.muli %[[CI]], %c8 : index
// CHECK-NEXT: %[[WI:.*]] = arith.addi %[[AT]], %[[TAPW]] : index
// CHECK-NEXT: vector.transfer_read %[[W]][%[[WI]]]
// CHECK-COUNT-4: vector.fma
// CHECK: [[BLOB]]: "0x40000000{{(0000003F){96}(00000000){160}"}}
module attributes {incept.target = #incept.target<cpu = "znver3", vector_bits = 256, vector_registers = 16, fma = true, l1d_bytes = 32768, l2_bytes = 524288, l3_bytes = 33554432, cores = 2>} {
func.func @stem(%x: tensor<1x3x5x5xf32>) -> tensor<1x8x6x6xf32> {
  %w = arith.constant dense<0.5> : tensor<8x3x2x2xf32>
  %c = incept.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, strategy = #incept.conv_strategy<blocked, block = 8, tile_f = 1, tile_w = 4>} : (tensor<1x3x5x5xf32>, tensor<8x3x2x2xf32>) -> tensor<1x8x6x6xf32>
  return %c : tensor<1x8x6x6xf32>
}
}
