// RUN: incept-opt %s --incept-fuse-conv-chains --split-input-file | FileCheck %s
// The cost rule's limits are options: with none, the chains it refuses form.
// RUN: incept-opt %s --incept-fuse-conv-chains="min-intermediate-bytes=0 max-recompute=1.0" --split-input-file | FileCheck %s --check-prefix=FORCE

// The cost rule (FuseConvChains.cpp): one image's intermediate is larger than
// 1 MiB, consumers have unit strides, and the bands of at most 512 KiB of the
// intermediate recompute at most 10% of its rows. The shapes below are picked
// for it; the numbers in the comments are worked out by hand.

// A 1x7 feeding a 7x1. Intermediate 16x160x120 f32 = 1.2 MB; one row is
// 16*120*4 = 7680 B, 68 rows fit in 512 KiB, a band of T rows needs T + 6,
// so T <= 62: 3 bands of 54 rows, computing 57 + 60 + 55 = 172 rows of 160
// (7.5% recomputed).
// CHECK-LABEL: func.func @one_by_seven_then_seven_by_one
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x160x120xf32>, %[[W1:.*]]: tensor<16x8x1x7xf32>, %[[B1:.*]]: tensor<16xf32>, %[[W2:.*]]: tensor<12x16x7x1xf32>)
// CHECK: %[[C:.*]] = incept.conv_chain %[[X]] : (tensor<1x8x160x120xf32>) -> tensor<1x12x160x120xf32> {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x8x160x120xf32>):
// CHECK-NEXT: %[[M:.*]] = incept.conv %[[IN]], %[[W1]] bias %[[B1]] {{.*}}pads = array<i64: 0, 3, 0, 3>
// CHECK-NEXT: %[[O:.*]] = incept.conv %[[M]], %[[W2]] {{.*}}pads = array<i64: 3, 0, 3, 0>
// CHECK-NEXT: incept.yield %[[O]] : tensor<1x12x160x120xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[C]]
func.func @one_by_seven_then_seven_by_one(%x: tensor<1x8x160x120xf32>, %w1: tensor<16x8x1x7xf32>,
    %b1: tensor<16xf32>, %w2: tensor<12x16x7x1xf32>) -> tensor<1x12x160x120xf32> {
  %m = incept.conv %x, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x8x160x120xf32>, tensor<16x8x1x7xf32>, tensor<16xf32>) -> tensor<1x16x160x120xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x16x160x120xf32>, tensor<12x16x7x1xf32>) -> tensor<1x12x160x120xf32>
  return %o : tensor<1x12x160x120xf32>
}

// -----

// A 7x1 feeding a 1x7: the consumer's window is one row, so the bands
// recompute nothing.
// CHECK-LABEL: func.func @seven_by_one_then_one_by_seven
// CHECK: incept.conv_chain
// CHECK: incept.conv {{.*}}pads = array<i64: 3, 0, 3, 0>
// CHECK: incept.conv {{.*}}pads = array<i64: 0, 3, 0, 3>
// CHECK: incept.yield
func.func @seven_by_one_then_one_by_seven(%x: tensor<1x8x160x120xf32>, %w1: tensor<16x8x7x1xf32>,
    %w2: tensor<12x16x1x7xf32>) -> tensor<1x12x160x120xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x8x160x120xf32>, tensor<16x8x7x1xf32>) -> tensor<1x16x160x120xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x16x160x120xf32>, tensor<12x16x1x7xf32>) -> tensor<1x12x160x120xf32>
  return %o : tensor<1x12x160x120xf32>
}

// -----

// A 1x1 reduction feeding a 3x3, batch 2: the rule looks at one image
// (32x128x128 f32 = 2 MiB). One row is 16 KiB, 32 rows fit, T + 2 <= 32:
// 5 bands of 26 rows, 8 of 128 rows recomputed.
// CHECK-LABEL: func.func @reduction_then_three_by_three
// CHECK: incept.conv_chain %{{.*}} : (tensor<2x64x128x128xf32>) -> tensor<2x48x128x128xf32>
// CHECK: incept.conv {{.*}} -> tensor<2x32x128x128xf32>
// CHECK: incept.conv {{.*}} -> tensor<2x48x128x128xf32>
// CHECK: incept.yield
func.func @reduction_then_three_by_three(%x: tensor<2x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>, %b2: tensor<48xf32>) -> tensor<2x48x128x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<2x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<2x32x128x128xf32>
  %o = incept.conv %m, %w2 bias %b2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<2x32x128x128xf32>, tensor<48x32x3x3xf32>, tensor<48xf32>) -> tensor<2x48x128x128xf32>
  return %o : tensor<2x48x128x128xf32>
}

// -----

// One reduction feeding two parallel convs (Inception v3's split branches):
// one chain with two results, in program order, each replacing its conv.
// CHECK-LABEL: func.func @split_branches
// CHECK: %[[C:.*]]:2 = incept.conv_chain %{{.*}} : (tensor<1x64x128x128xf32>) -> (tensor<1x24x128x128xf32>, tensor<1x20x128x128xf32>)
// CHECK: %[[M:.*]] = incept.conv
// CHECK: %[[A:.*]] = incept.conv %[[M]], {{.*}}pads = array<i64: 0, 1, 0, 1>
// CHECK: %[[B:.*]] = incept.conv %[[M]], {{.*}}pads = array<i64: 1, 0, 1, 0>
// CHECK: incept.yield %[[A]], %[[B]] : tensor<1x24x128x128xf32>, tensor<1x20x128x128xf32>
// CHECK: incept.concat %[[C]]#0, %[[C]]#1
func.func @split_branches(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %wa: tensor<24x32x1x3xf32>, %wb: tensor<20x32x3x1xf32>) -> tensor<1x44x128x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<1x32x128x128xf32>
  %a = incept.conv %m, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<24x32x1x3xf32>) -> tensor<1x24x128x128xf32>
  %b = incept.conv %m, %wb {strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<20x32x3x1xf32>) -> tensor<1x20x128x128xf32>
  %y = incept.concat %a, %b {axis = 1 : i64}
       : (tensor<1x24x128x128xf32>, tensor<1x20x128x128xf32>) -> tensor<1x44x128x128xf32>
  return %y : tensor<1x44x128x128xf32>
}

// -----

// 1x7 -> 7x1 -> 1x7 -> 7x1: greedy from the input side, a consumer does not
// start a chain, so two chains of two.
// CHECK-LABEL: func.func @factorised_sequence
// CHECK: %[[C1:.*]] = incept.conv_chain %{{.*}} : (tensor<1x8x160x120xf32>) -> tensor<1x16x160x120xf32>
// CHECK-COUNT-2: incept.conv
// CHECK: incept.yield
// CHECK: %[[C2:.*]] = incept.conv_chain %[[C1]] : (tensor<1x16x160x120xf32>) -> tensor<1x16x160x120xf32>
// CHECK-COUNT-2: incept.conv
// CHECK: incept.yield
// CHECK: return %[[C2]]
func.func @factorised_sequence(%x: tensor<1x8x160x120xf32>, %w1: tensor<16x8x1x7xf32>,
    %w2: tensor<16x16x7x1xf32>, %w3: tensor<16x16x1x7xf32>) -> tensor<1x16x160x120xf32> {
  %a = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x8x160x120xf32>, tensor<16x8x1x7xf32>) -> tensor<1x16x160x120xf32>
  %b = incept.conv %a, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x16x160x120xf32>, tensor<16x16x7x1xf32>) -> tensor<1x16x160x120xf32>
  %c = incept.conv %b, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x16x160x120xf32>, tensor<16x16x1x7xf32>) -> tensor<1x16x160x120xf32>
  %d = incept.conv %c, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x16x160x120xf32>, tensor<16x16x7x1xf32>) -> tensor<1x16x160x120xf32>
  return %d : tensor<1x16x160x120xf32>
}

// -----

// A consumer's residual defined after the producer: the chain goes where
// the last consumer was, after the residual.
// CHECK-LABEL: func.func @residual_after_producer
// CHECK: %[[R:.*]] = incept.conv %{{.*}} -> tensor<1x48x128x128xf32>
// CHECK: incept.conv_chain
// CHECK: incept.conv
// CHECK: incept.conv %{{.*}}, %{{.*}} residual %[[R]]
func.func @residual_after_producer(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %wr: tensor<48x64x1x1xf32>, %w2: tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<1x32x128x128xf32>
  %r = incept.conv %x, %wr {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<48x64x1x1xf32>) -> tensor<1x48x128x128xf32>
  %o = incept.conv %m, %w2 residual %r {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>, tensor<1x48x128x128xf32>) -> tensor<1x48x128x128xf32>
  return %o : tensor<1x48x128x128xf32>
}

// -----

// Left alone: the producer's result has another user.
// CHECK-LABEL: func.func @producer_with_another_user
// CHECK-NOT: incept.conv_chain
func.func @producer_with_another_user(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>) -> (tensor<1x48x128x128xf32>, tensor<1x32x128x128xf32>) {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<1x32x128x128xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32>
  %r = incept.relu %m : tensor<1x32x128x128xf32>
  return %o, %r : tensor<1x48x128x128xf32>, tensor<1x32x128x128xf32>
}

// -----

// Left alone: a grouped producer.
// CHECK-LABEL: func.func @grouped_producer
// CHECK-NOT: incept.conv_chain
func.func @grouped_producer(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x32x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x64x128x128xf32>, tensor<32x32x1x1xf32>) -> tensor<1x32x128x128xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32>
  return %o : tensor<1x48x128x128xf32>
}

// -----

// Left alone: a merged reduction, read through incept.slice.
// CHECK-LABEL: func.func @sliced_producer
// CHECK-NOT: incept.conv_chain
func.func @sliced_producer(%x: tensor<1x64x128x128xf32>, %w1: tensor<48x64x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>) -> (tensor<1x48x128x128xf32>, tensor<1x16x128x128xf32>) {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<48x64x1x1xf32>) -> tensor<1x48x128x128xf32>
  %a = incept.slice %m {axis = 1 : i64, start = 0 : i64}
       : (tensor<1x48x128x128xf32>) -> tensor<1x32x128x128xf32>
  %b = incept.slice %m {axis = 1 : i64, start = 32 : i64}
       : (tensor<1x48x128x128xf32>) -> tensor<1x16x128x128xf32>
  %o = incept.conv %a, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32>
  return %o, %b : tensor<1x48x128x128xf32>, tensor<1x16x128x128xf32>
}

// -----

// Left alone: an intermediate of 192x17x17 f32 (222 KB, Inception v3's 1x7
// -> 7x1) stays in cache whole.
// CHECK-LABEL: func.func @small_intermediate
// CHECK-NOT: incept.conv_chain
// FORCE-LABEL: func.func @small_intermediate
// FORCE: incept.conv_chain
func.func @small_intermediate(%x: tensor<1x768x17x17xf32>, %w1: tensor<192x768x1x7xf32>,
    %w2: tensor<192x192x7x1xf32>) -> tensor<1x192x17x17xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x768x17x17xf32>, tensor<192x768x1x7xf32>) -> tensor<1x192x17x17xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x192x17x17xf32>, tensor<192x192x7x1xf32>) -> tensor<1x192x17x17xf32>
  return %o : tensor<1x192x17x17xf32>
}

// -----

// Left alone: one row of 64x128 f32 is 32 KiB, 16 rows fit, T + 6 <= 16
// gives bands of 10 rows that recompute 6 each (about 55%).
// CHECK-LABEL: func.func @too_much_recompute
// CHECK-NOT: incept.conv_chain
// FORCE-LABEL: func.func @too_much_recompute
// FORCE: incept.conv_chain
func.func @too_much_recompute(%x: tensor<1x8x160x128xf32>, %w1: tensor<64x8x1x7xf32>,
    %w2: tensor<16x64x7x1xf32>) -> tensor<1x16x160x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x8x160x128xf32>, tensor<64x8x1x7xf32>) -> tensor<1x64x160x128xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x160x128xf32>, tensor<16x64x7x1xf32>) -> tensor<1x16x160x128xf32>
  return %o : tensor<1x16x160x128xf32>
}

// -----

// Left alone: a stride-2 consumer.
// CHECK-LABEL: func.func @strided_consumer
// CHECK-NOT: incept.conv_chain
func.func @strided_consumer(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>) -> tensor<1x48x64x64xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<1x32x128x128xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>) -> tensor<1x48x64x64xf32>
  return %o : tensor<1x48x64x64xf32>
}

// -----

// Left alone: a dilated consumer.
// CHECK-LABEL: func.func @dilated_consumer
// CHECK-NOT: incept.conv_chain
func.func @dilated_consumer(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<1x32x128x128xf32>
  %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>,
         dilations = array<i64: 2, 2>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32>
  return %o : tensor<1x48x128x128xf32>
}

// -----

// Left alone: one consumer's result is the other's residual, which a band
// could not read whole.
// CHECK-LABEL: func.func @consumer_reads_consumer
// CHECK-NOT: incept.conv_chain
func.func @consumer_reads_consumer(%x: tensor<1x64x128x128xf32>, %w1: tensor<32x64x1x1xf32>,
    %w2: tensor<48x32x3x3xf32>, %w3: tensor<48x32x1x1xf32>) -> tensor<1x48x128x128xf32> {
  %m = incept.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x64x128x128xf32>, tensor<32x64x1x1xf32>) -> tensor<1x32x128x128xf32>
  %a = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x3x3xf32>) -> tensor<1x48x128x128xf32>
  %b = incept.conv %m, %w3 residual %a {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         dilations = array<i64: 1, 1>}
       : (tensor<1x32x128x128xf32>, tensor<48x32x1x1xf32>, tensor<1x48x128x128xf32>) -> tensor<1x48x128x128xf32>
  return %b : tensor<1x48x128x128xf32>
}
