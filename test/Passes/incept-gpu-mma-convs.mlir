// With one multiprocessor to fill, every conv takes 64x64 tiles; the tile
// choice for A100 and H100 (108 and 132 SMs) is the last cases', A100 and
// H100.
// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-mma-convs{multiprocessors=1}))' --split-input-file | FileCheck %s
// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-mma-convs))' --split-input-file | FileCheck %s --check-prefix=A100
// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-mma-convs{multiprocessors=132}))' --split-input-file | FileCheck %s --check-prefix=H100
// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-mma-convs{multiprocessors=1 precision=fp16}))' --split-input-file | FileCheck %s --check-prefix=FP16 --implicit-check-not=nvgpu.ldmatrix --implicit-check-not=f2tf32
// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-mma-convs{multiprocessors=1 precision=bf16}))' --split-input-file | FileCheck %s --check-prefix=BF16 --implicit-check-not=nvgpu.ldmatrix --implicit-check-not=f2tf32
// RUN: not incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-mma-convs{precision=fp8}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: incept-gpu-mma-convs: precision 'fp8' is not one of tf32, fp16, bf16

// A 3x3 conv (M = 64 pixels, N = 24 channels, K = 72) writing into a view
// with an offset (a concat slice): one block of 128 threads covers M and N;
// K takes 5 steps of 16 through a 3-stage ring of shared tiles, padded rows
// of 16+4 floats. Two steps are in flight before the loop; in it, wait for
// the step's group (one younger may pend), a barrier, the copies of step
// s+2 where there is one and a group either way, then per 8 of k: two A fragments
// (ldmatrix x4) and four B fragments (x2), each element rounded to TF32,
// and 2x4 mma.sync; at the end the accumulators are added to the output.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: %[[IN:.*]]: memref<1x8x10x10xf32>, %[[W:.*]]: memref<24x8x3x3xf32>, %[[OUT:.*]]: memref<1x24x8x8xf32, strided<[3072, 64, 8, 1], offset: 512>>
// CHECK-NOT: linalg.conv
// (The printer names each constant index by its value: %c1, %c1_0, ...)
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) workgroup(%[[A:.*]] : memref<3x64x20xf32, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<3x64x20xf32, #gpu.address_space<workgroup>>)
// CHECK-COUNT-8: nvgpu.device_async_copy %[[IN]][{{.*}}], %[[A]][{{.*}}], 1, %{{.*}} : memref<1x8x10x10xf32> to memref<3x64x20xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-8: nvgpu.device_async_copy %[[W]][{{.*}}], %[[B]][{{.*}}], 1, %{{.*}} : memref<24x8x3x3xf32> to memref<3x64x20xf32, #gpu.address_space<workgroup>>
// CHECK: nvgpu.device_async_create_group
// CHECK: %[[LAST:.*]] = nvgpu.device_async_create_group
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: nvgpu.device_async_wait %[[LAST]] {numGroups = 1 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK: scf.if
// CHECK-COUNT-16: nvgpu.device_async_copy
// CHECK: }
// CHECK-NEXT: nvgpu.device_async_create_group
// CHECK: nvgpu.ldmatrix %[[A]][{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<3x64x20xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
// CHECK-COUNT-4: llvm.call_intrinsic "llvm.nvvm.f2tf32.rna"
// CHECK: nvgpu.ldmatrix %[[B]][{{.*}}] {numTiles = 2 : i32, transpose = false} : memref<3x64x20xf32, #gpu.address_space<workgroup>> -> vector<2x1xf32>
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.nvvm.f2tf32.rna"
// CHECK: nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-COUNT-15: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK-COUNT-32: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
//
// In FP16 (and BF16), each step of 16 is one mma.sync m16n8k16; a lane
// reads its fragments' pairs of fp32 from the tiles (rows padded by 8
// floats: the 8-byte reads of a half-warp's 4 rows fall in distinct banks)
// and converts them to nearest: A four pairs a tile, B two.
// FP16-LABEL: func.func @conv
// FP16: workgroup(%[[A:.*]] : memref<3x64x24xf32, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<3x64x24xf32, #gpu.address_space<workgroup>>)
// FP16: scf.for
// FP16-COUNT-8: vector.load %[[A]][{{.*}}] : memref<3x64x24xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// FP16-COUNT-8: vector.load %[[B]][{{.*}}] : memref<3x64x24xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// FP16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// FP16-COUNT-7: nvgpu.mma.sync
// FP16-NOT: nvgpu.mma.sync
// FP16: scf.yield
// FP16: gpu.terminator
// BF16-LABEL: func.func @conv
// BF16: scf.for
// BF16: %[[PAIR:.*]] = arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// BF16: vector.bitcast %[[PAIR]] : vector<2xbf16> to vector<1xi32>
// (nvgpu.mma.sync has no bf16 form, so NVVM's op, on 32-bit registers)
// BF16: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// BF16-COUNT-7: nvvm.mma.sync
// BF16-NOT: nvvm.mma.sync
// BF16: scf.yield
func.func @conv(%in: memref<1x8x10x10xf32>, %w: memref<24x8x3x3xf32>, %out: memref<1x24x8x8xf32, strided<[3072, 64, 8, 1], offset: 512>>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x10x10xf32>, memref<24x8x3x3xf32>)
    outs(%out : memref<1x24x8x8xf32, strided<[3072, 64, 8, 1], offset: 512>>)
  return
}

// -----

// A strided 7x7 conv over a batch of 2 (M = 2x4x4 = 32, K = 3x49 = 147): the
// grid is M/64 by N/64, rounded up (2 blocks along N); the input row of a
// pixel is its row times the stride plus the tap's row times the dilation.
// CHECK-LABEL: func.func @strided
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c2, %{{.*}} = %c1{{(_[0-9]+)?}}) threads
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK: nvgpu.mma.sync
func.func @strided(%in: memref<2x3x13x13xf32>, %w: memref<65x3x7x7xf32>, %out: memref<2x65x4x4xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%in, %w : memref<2x3x13x13xf32>, memref<65x3x7x7xf32>)
    outs(%out : memref<2x65x4x4xf32>)
  return
}

// -----

// Tensors, or shapes not static, are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: gpu.launch
func.func @dynamic(%in: memref<?x8x10x10xf32>, %w: memref<24x8x3x3xf32>, %out: memref<?x24x8x8xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<?x8x10x10xf32>, memref<24x8x3x3xf32>)
    outs(%out : memref<?x24x8x8xf32>)
  return
}

// -----

#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// The epilogue in registers: the bias's broadcast just before the conv and
// the scaled residual add and ReLU just after it, in place, become the
// kernel's: each output element is bias[n] + the sum, times the scale, plus
// the residual, max 0, stored once; both ops are gone.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: %[[BIAS:[a-z0-9]+]]: memref<24xf32>, %[[RES:[a-z0-9]+]]: memref<1x24x8x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: scf.if
// CHECK-NEXT: %[[SUM:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// (the output pixel of the row)
// CHECK: %[[B:.*]] = memref.load %[[BIAS]][%{{.*}}] : memref<24xf32>
// CHECK-NEXT: %[[V:.*]] = arith.addf %[[B]], %[[SUM]] : f32
// CHECK-NEXT: %[[R:.*]] = memref.load %[[RES]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x24x8x8xf32>
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[V]], %{{.*}} : f32
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[S]], %[[R]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[A]], %{{.*}} : f32
// CHECK-NEXT: memref.store %[[M]], %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x24x8x8xf32>
// CHECK-NOT: linalg.generic
func.func @epilogue(%in: memref<1x8x10x10xf32>, %w: memref<24x8x3x3xf32>, %bias: memref<24xf32>, %res: memref<1x24x8x8xf32>, %out: memref<1x24x8x8xf32>) {
  %scale = arith.constant 0.17 : f32
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<24xf32>) outs(%out : memref<1x24x8x8xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x10x10xf32>, memref<24x8x3x3xf32>) outs(%out : memref<1x24x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %res : memref<1x24x8x8xf32>, memref<1x24x8x8xf32>) outs(%out : memref<1x24x8x8xf32>) {
  ^bb0(%c: f32, %r: f32, %o: f32):
    %s = arith.mulf %c, %scale : f32
    %a = arith.addf %s, %r : f32
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// An op between the conv and the elementwise op keeps the latter out of the
// epilogue: the sum is added to the output as it is.
// CHECK-LABEL: func.func @not_adjacent
// CHECK: memref.load
// CHECK: arith.addf
// CHECK: gpu.terminator
// CHECK: memref.copy
// CHECK: linalg.generic
func.func @not_adjacent(%in: memref<1x8x10x10xf32>, %w: memref<24x8x3x3xf32>, %out: memref<1x24x8x8xf32>, %copy: memref<1x24x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x10x10xf32>, memref<24x8x3x3xf32>) outs(%out : memref<1x24x8x8xf32>)
  memref.copy %out, %copy : memref<1x24x8x8xf32> to memref<1x24x8x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out : memref<1x24x8x8xf32>) outs(%out : memref<1x24x8x8xf32>) {
  ^bb0(%c: f32, %o: f32):
    %m = arith.maximumf %c, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A 1x1 conv at 35x35 (M = 1225, N = 192): 64x64 tiles make 20x3 = 60
// blocks, too few for either GPU; 64x32 make 120, enough for A100's 108
// SMs but not H100's 132, which takes 32x32 (39x6 = 234 blocks).
// A100-LABEL: func.func @wide
// A100: gpu.launch blocks({{.*}}) in (%{{.*}} = %c20, %{{.*}} = %c6, %{{.*}} = %c1{{(_[0-9]+)?}}) threads({{.*}}) in (%{{.*}} = %c128, {{.*}} workgroup(%{{.*}} : memref<3x64x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<3x32x20xf32, #gpu.address_space<workgroup>>)
// A100-NOT: memref.alloc
// H100-LABEL: func.func @wide
// H100: gpu.launch blocks({{.*}}) in (%{{.*}} = %c39, %{{.*}} = %c6, %{{.*}} = %c1{{(_[0-9]+)?}}) threads({{.*}}) in (%{{.*}} = %c128, {{.*}} workgroup(%{{.*}} : memref<3x32x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<3x32x20xf32, #gpu.address_space<workgroup>>)
func.func @wide(%in: memref<1x8x35x35xf32>, %w: memref<192x8x1x1xf32>, %out: memref<1x192x35x35xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x35x35xf32>, memref<192x8x1x1xf32>) outs(%out : memref<1x192x35x35xf32>)
  return
}

// -----

#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A 3x3 conv at 8x8 (M = 64, N = 384, K = 4032: 252 steps of 16): 32x32
// tiles make 2x12 = 24 blocks, so k is split among 5 blocks a tile on A100
// (120 blocks; 51 steps each, the last 48) and 6 on H100 (144; 42 steps
// each). Each block stores its partial sums into the workspace, [split][n]
// [m], fences them and counts its split done in the tile's count (zeroed at
// the function's start, one for each of the 24 tiles, which the conv sees
// as a view of its own, apart from other convs'); the block that
// finds the other splits done (it tells its threads through shared memory)
// resets the count, and each of its threads adds up the splits' sums of its
// elements, in split order, read volatile (from L2), and does the
// epilogue: the bias, the sum, ReLU, one store. One kernel.
// A100-LABEL: func.func @split
// A100-SAME: %[[BIAS:[a-z0-9]+]]: memref<384xf32>, %[[OUT:[a-z0-9]+]]: memref<1x384x8x8xf32>
// The tiles, by ONNX node, for --profile's strategy column.
// A100-SAME: attributes {incept.gpu_conv_strategies = {split_conv = "mma 32x32 k/5"}}
// A100: %[[DONE:.*]] = memref.alloc() : memref<24xi32>
// A100: linalg.fill ins(%{{.*}} : i32) outs(%[[DONE]] : memref<24xi32>)
// A100: %[[COUNTS:.*]] = memref.subview %[[DONE]][0] [24] [1] : memref<24xi32> to memref<24xi32, strided<[1]>>
// A100: %[[PARTIAL:.*]] = memref.alloc() : memref<5x384x64xf32>
// A100: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %[[SPLIT:.*]]) in (%{{.*}} = %c2, %{{.*}} = %c12, %{{.*}} = %c5) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, {{.*}} workgroup(%{{.*}} : memref<3x32x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<3x32x20xf32, #gpu.address_space<workgroup>>, %[[LAST:.*]] : memref<1xi32, #gpu.address_space<workgroup>>)
// A100: %[[FIRST:.*]] = arith.muli %[[SPLIT]], %c51
// A100: %[[REST:.*]] = arith.subi %c252, %[[FIRST]]
// A100: %[[COUNT:.*]] = arith.minui %c51{{(_[0-9]+)?}}, %[[REST]]
// A100: scf.for %{{.*}} = %{{.*}} to %[[COUNT]]
// A100: nvgpu.mma.sync
// A100: scf.yield
// A100-COUNT-8: memref.store %{{.*}}, %[[PARTIAL]][%[[SPLIT]], %{{.*}}, %{{.*}}] : memref<5x384x64xf32>
// A100: llvm.fence acq_rel
// A100-NEXT: gpu.barrier
// A100: scf.if
// A100: %[[DONE_BEFORE:.*]] = memref.atomic_rmw addi %{{.*}}, %[[COUNTS]][%{{.*}}] : (i32, memref<24xi32, strided<[1]>>) -> i32
// A100: %[[IS_LAST:.*]] = arith.cmpi eq, %[[DONE_BEFORE]], %c4_i32
// A100: scf.if %[[IS_LAST]] {
// A100: memref.store %{{.*}}, %[[COUNTS]]
// A100: memref.store %{{.*}}, %[[LAST]]
// A100: gpu.barrier
// A100: memref.load %[[LAST]]
// A100: scf.if
// A100-NEXT: llvm.fence acq_rel
// A100: memref.extract_aligned_pointer_as_index %[[PARTIAL]]
// A100: %[[P0:.*]] = llvm.load volatile
// A100: %[[P1:.*]] = llvm.load volatile
// A100-NEXT: %[[S1:.*]] = arith.addf %[[P0]], %[[P1]]
// A100-COUNT-3: llvm.load volatile
// A100: %[[S4:.*]] = arith.addf
// A100: %[[B:.*]] = memref.load %[[BIAS]]
// A100: %[[V:.*]] = arith.addf %[[B]], %[[S4]]
// A100: %[[R:.*]] = arith.maximumf %[[V]]
// A100: memref.store %[[R]], %[[OUT]]
// A100: gpu.terminator
// A100-NOT: gpu.launch
// A100-NOT: linalg.generic
// H100-LABEL: func.func @split
// H100-SAME: attributes {incept.gpu_conv_strategies = {split_conv = "mma 32x32 k/6"}}
// H100: memref.alloc() : memref<24xi32>
// H100: memref.alloc() : memref<6x384x64xf32>
// H100: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c12, %{{.*}} = %c6)
// H100: arith.muli %{{.*}}, %c42
// H100: arith.cmpi eq, %{{.*}}, %c5_i32
// H100-COUNT-6: llvm.load volatile
func.func @split(%in: memref<1x448x10x10xf32>, %w: memref<384x448x3x3xf32>, %bias: memref<384xf32>, %out: memref<1x384x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<384xf32>) outs(%out : memref<1x384x8x8xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x448x10x10xf32>, memref<384x448x3x3xf32>) outs(%out : memref<1x384x8x8xf32>) loc("split_conv")
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out : memref<1x384x8x8xf32>) outs(%out : memref<1x384x8x8xf32>) {
  ^bb0(%c: f32, %o: f32):
    %m = arith.maximumf %c, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Few blocks but a short reduction (K = 8: one step): not worth splitting.
// A100-LABEL: func.func @short
// A100-NOT: memref.alloc
// A100: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// A100-NOT: gpu.launch
func.func @short(%in: memref<1x8x8x8xf32>, %w: memref<24x8x1x1xf32>, %out: memref<1x24x8x8xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x8x8xf32>, memref<24x8x1x1xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A pad as incept-concat-in-place leaves it: a buffer whose border boxes
// are filled with zeros and whose interior its producer writes in place.
// The conv reads the interior, one row and column in (the unsigned range
// test zero-fills the row and column before it, as past its end); nothing
// reads the border any more, so its fills are gone.
// CHECK-LABEL: func.func @padded
// A100-LABEL: func.func @padded
// CHECK: %[[INTERIOR:.*]] = memref.subview %{{.*}}[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {{.*}} outs(%[[INTERIOR]] :
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch
// CHECK: %[[ROW:.*]] = arith.subi %{{.*}}, %c1{{(_[0-9]+)?}} : index
// CHECK: %[[COLUMN:.*]] = arith.subi %{{.*}}, %c1{{(_[0-9]+)?}} : index
// CHECK: arith.cmpi ult, %[[ROW]], %c8{{(_[0-9]+)?}} : index
// CHECK: arith.cmpi ult, %[[COLUMN]], %c8{{(_[0-9]+)?}} : index
// CHECK-COUNT-8: nvgpu.device_async_copy %[[INTERIOR]][{{.*}}], %{{.*}}[{{.*}}], 1, %{{.*}} : memref<1x8x8x8xf32, strided<[800, 100, 10, 1], offset: 11>> to
// CHECK-NOT: linalg.fill
func.func @padded(%x: memref<1x8x8x8xf32>, %w: memref<24x8x3x3xf32>, %out: memref<1x24x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<1x8x10x10xf32>
  %top = memref.subview %buffer[0, 0, 0, 0] [1, 8, 1, 10] [1, 1, 1, 1] : memref<1x8x10x10xf32> to memref<1x8x1x10xf32, strided<[800, 100, 10, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x8x1x10xf32, strided<[800, 100, 10, 1]>>)
  %bottom = memref.subview %buffer[0, 0, 9, 0] [1, 8, 1, 10] [1, 1, 1, 1] : memref<1x8x10x10xf32> to memref<1x8x1x10xf32, strided<[800, 100, 10, 1], offset: 90>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x8x1x10xf32, strided<[800, 100, 10, 1], offset: 90>>)
  %left = memref.subview %buffer[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x10x10xf32> to memref<1x8x8x1xf32, strided<[800, 100, 10, 1], offset: 10>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x8x8x1xf32, strided<[800, 100, 10, 1], offset: 10>>)
  %right = memref.subview %buffer[0, 0, 1, 9] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x10x10xf32> to memref<1x8x8x1xf32, strided<[800, 100, 10, 1], offset: 19>>
  linalg.fill ins(%zero : f32) outs(%right : memref<1x8x8x1xf32, strided<[800, 100, 10, 1], offset: 19>>)
  %interior = memref.subview %buffer[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x10x10xf32> to memref<1x8x8x8xf32, strided<[800, 100, 10, 1], offset: 11>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x8x8x8xf32>) outs(%interior : memref<1x8x8x8xf32, strided<[800, 100, 10, 1], offset: 11>>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%buffer, %w : memref<1x8x10x10xf32>, memref<24x8x3x3xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

// The interior a copy of a slice (a merged 1x1 conv's channels): the conv
// reads the slice itself, and the padded buffer, its fills and the copy are
// gone. Only the top and left are padded here (an asymmetric pad).
// CHECK-LABEL: func.func @padded_copy
// CHECK-SAME: %[[MERGED:[a-z0-9]+]]: memref<1x24x8x8xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.copy
// CHECK: %[[SLICE:.*]] = memref.subview %[[MERGED]][0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1]
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.copy
// CHECK: gpu.launch
// CHECK-COUNT-8: nvgpu.device_async_copy %[[SLICE]][{{.*}}], %{{.*}}[{{.*}}], 1, %{{.*}} : memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>> to
// CHECK-NOT: memref.copy
func.func @padded_copy(%merged: memref<1x24x8x8xf32>, %w: memref<24x8x2x2xf32>, %out: memref<1x24x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %slice = memref.subview %merged[0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x24x8x8xf32> to memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>>
  %buffer = memref.alloc() : memref<1x8x9x9xf32>
  %top = memref.subview %buffer[0, 0, 0, 0] [1, 8, 1, 9] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>)
  %left = memref.subview %buffer[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>)
  %interior = memref.subview %buffer[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  memref.copy %slice, %interior : memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%buffer, %w : memref<1x8x9x9xf32>, memref<24x8x2x2xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

// The copy's source is written between the copy and the conv: the conv
// reads the copy in the interior, which stays; the border's fills go.
// CHECK-LABEL: func.func @source_overwritten
// CHECK: %[[INTERIOR:.*]] = memref.subview %{{.*}}[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1]
// CHECK-NEXT: memref.copy %{{.*}}, %[[INTERIOR]]
// CHECK-NEXT: linalg.fill
// CHECK-NOT: linalg.fill
// CHECK: nvgpu.device_async_copy %[[INTERIOR]][
func.func @source_overwritten(%merged: memref<1x24x8x8xf32>, %w: memref<24x8x2x2xf32>, %out: memref<1x24x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %slice = memref.subview %merged[0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x24x8x8xf32> to memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>>
  %buffer = memref.alloc() : memref<1x8x9x9xf32>
  %top = memref.subview %buffer[0, 0, 0, 0] [1, 8, 1, 9] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>)
  %left = memref.subview %buffer[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>)
  %interior = memref.subview %buffer[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  memref.copy %slice, %interior : memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  linalg.fill ins(%one : f32) outs(%merged : memref<1x24x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%buffer, %w : memref<1x8x9x9xf32>, memref<24x8x2x2xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A border of another value than zero (a max pool's) is the conv's to
// read as it is; a zero border that something else reads whole stays
// filled, though the conv reads the interior.
// CHECK-LABEL: func.func @border_kept
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<1x8x8x8xf32>
// CHECK: %[[NEGATIVE:.*]] = memref.alloc() : memref<1x8x9x9xf32>
// CHECK: linalg.fill
// CHECK: linalg.fill
// CHECK: memref.copy %[[X]]
// CHECK: %[[ZERO:.*]] = memref.alloc() : memref<1x8x9x9xf32>
// CHECK: linalg.fill
// CHECK: linalg.fill
// CHECK: %[[INTERIOR:.*]] = memref.subview %[[ZERO]][0, 0, 1, 1]
// CHECK: memref.copy %[[X]], %[[INTERIOR]]
// CHECK: nvgpu.device_async_copy %[[NEGATIVE]][
// CHECK: nvgpu.device_async_copy %[[X]][
// CHECK: linalg.generic {{.*}} ins(%[[ZERO]] :
func.func @border_kept(%x: memref<1x8x8x8xf32>, %w: memref<24x8x2x2xf32>, %out: memref<1x24x8x8xf32>, %out2: memref<1x24x8x8xf32>, %whole: memref<1x8x9x9xf32>) {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %negative = memref.alloc() : memref<1x8x9x9xf32>
  %top = memref.subview %negative[0, 0, 0, 0] [1, 8, 1, 9] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>
  linalg.fill ins(%lowest : f32) outs(%top : memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>)
  %left = memref.subview %negative[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>
  linalg.fill ins(%lowest : f32) outs(%left : memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>)
  %interior = memref.subview %negative[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  memref.copy %x, %interior : memref<1x8x8x8xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  %zeros = memref.alloc() : memref<1x8x9x9xf32>
  %top2 = memref.subview %zeros[0, 0, 0, 0] [1, 8, 1, 9] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>
  linalg.fill ins(%zero : f32) outs(%top2 : memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>)
  %left2 = memref.subview %zeros[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%left2 : memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>)
  %interior2 = memref.subview %zeros[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  memref.copy %x, %interior2 : memref<1x8x8x8xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%negative, %w : memref<1x8x9x9xf32>, memref<24x8x2x2xf32>) outs(%out : memref<1x24x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%zeros, %w : memref<1x8x9x9xf32>, memref<24x8x2x2xf32>) outs(%out2 : memref<1x24x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%zeros : memref<1x8x9x9xf32>) outs(%whole : memref<1x8x9x9xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A merged 1x1 conv whose channels 8-15 a copy moves into another buffer
// after its ReLU, and then channels 0-7 into a concat slice (the first copy
// reads other channels than the second moves, and writes elsewhere): the
// kernel stores those channels there (the slice's view moves before it),
// the others into its output; the copies are gone.
// CHECK-LABEL: func.func @channel_copy
// CHECK-SAME: %[[CONCAT:[a-z0-9]+]]: memref<1x32x8x8xf32>, %[[OTHER:[a-z0-9]+]]: memref<1x8x8x8xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<1x24x8x8xf32>
// CHECK: %[[SLOT:.*]] = memref.subview %[[CONCAT]][0, 16, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1]
// CHECK: gpu.launch
// CHECK: %[[SECOND:.*]] = arith.subi %[[N:.*]], %c8{{(_[0-9]+)?}} : index
// CHECK: %[[IN_SECOND:.*]] = arith.cmpi ult, %[[SECOND]], %c8{{(_[0-9]+)?}} : index
// CHECK: scf.if %[[IN_SECOND]] {
// CHECK-NEXT: memref.store %{{.*}}, %[[OTHER]][%{{.*}}, %[[SECOND]], %{{.*}}, %{{.*}}] : memref<1x8x8x8xf32>
// CHECK-NEXT: } else {
// CHECK: %[[FIRST:.*]] = arith.subi %[[N]], %c0{{(_[0-9]+)?}} : index
// CHECK: %[[IN_FIRST:.*]] = arith.cmpi ult, %[[FIRST]], %c8{{(_[0-9]+)?}} : index
// CHECK: scf.if %[[IN_FIRST]] {
// CHECK-NEXT: memref.store %{{.*}}, %[[SLOT]][%{{.*}}, %[[FIRST]], %{{.*}}, %{{.*}}] : memref<1x8x8x8xf32, strided<[2048, 64, 8, 1], offset: 1024>>
// CHECK-NEXT: } else {
// CHECK-NEXT: memref.store %{{.*}}, %[[OUT]][%{{.*}}, %[[N]], %{{.*}}, %{{.*}}] : memref<1x24x8x8xf32>
// CHECK: gpu.terminator
// CHECK-NOT: memref.copy
func.func @channel_copy(%in: memref<1x8x8x8xf32>, %w: memref<24x8x1x1xf32>, %concat: memref<1x32x8x8xf32>, %other: memref<1x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<1x24x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x24x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x8x8xf32>, memref<24x8x1x1xf32>) outs(%out : memref<1x24x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out : memref<1x24x8x8xf32>) outs(%out : memref<1x24x8x8xf32>) {
  ^bb0(%c: f32, %o: f32):
    %m = arith.maximumf %c, %zero : f32
    linalg.yield %m : f32
  }
  %first = memref.subview %out[0, 0, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x24x8x8xf32> to memref<1x8x8x8xf32, strided<[1536, 64, 8, 1]>>
  %second = memref.subview %out[0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x24x8x8xf32> to memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>>
  memref.copy %second, %other : memref<1x8x8x8xf32, strided<[1536, 64, 8, 1], offset: 512>> to memref<1x8x8x8xf32>
  %slot = memref.subview %concat[0, 16, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x32x8x8xf32> to memref<1x8x8x8xf32, strided<[2048, 64, 8, 1], offset: 1024>>
  memref.copy %first, %slot : memref<1x8x8x8xf32, strided<[1536, 64, 8, 1]>> to memref<1x8x8x8xf32, strided<[2048, 64, 8, 1], offset: 1024>>
  return
}

// -----

// Between the conv and the copy, something writes the target's buffer:
// the copy stays where it is, after the kernel.
// CHECK-LABEL: func.func @channel_copy_kept
// CHECK: gpu.launch
// CHECK: gpu.terminator
// CHECK: linalg.fill
// CHECK-NEXT: memref.subview
// CHECK-NEXT: memref.copy
func.func @channel_copy_kept(%in: memref<1x8x8x8xf32>, %w: memref<24x8x1x1xf32>, %concat: memref<1x32x8x8xf32>) {
  %one = arith.constant 1.0 : f32
  %out = memref.alloc() : memref<1x24x8x8xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x8x8xf32>, memref<24x8x1x1xf32>) outs(%out : memref<1x24x8x8xf32>)
  %first = memref.subview %out[0, 0, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x24x8x8xf32> to memref<1x8x8x8xf32, strided<[1536, 64, 8, 1]>>
  linalg.fill ins(%one : f32) outs(%concat : memref<1x32x8x8xf32>)
  %slot = memref.subview %concat[0, 16, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x32x8x8xf32> to memref<1x8x8x8xf32, strided<[2048, 64, 8, 1], offset: 1024>>
  memref.copy %first, %slot : memref<1x8x8x8xf32, strided<[1536, 64, 8, 1]>> to memref<1x8x8x8xf32, strided<[2048, 64, 8, 1], offset: 1024>>
  return
}

// -----

// A filter that is a weight (a constant, which incept-plan-weights places at
// 64 bytes) with k = 8*3*3 = 72, a multiple of 4: cp.async copies 16 bytes
// of its rows at once, from the filter as rows of k (L2 only, as for data
// read once per block), the tail of k zero-filled: 4 threads a row, 32 rows
// a pass, two passes for 64 rows (where the sixteen single floats of a
// thread were). A filter of k = 3*3*3 = 27 copies float by float still, as
// does one that is not a weight (the cases above).
// CHECK-LABEL: func.func @weight_rows
// CHECK: %[[W:.*]] = memref.get_global @w : memref<24x8x3x3xf32>
// CHECK: %[[ROWS:.*]] = memref.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : memref<24x8x3x3xf32> into memref<24x72xf32>
// CHECK: gpu.launch
// CHECK: %[[REST:.*]] = arith.subi %c72{{(_[0-9]+)?}}, %{{.*}} : index
// CHECK: %[[FLOATS:.*]] = arith.minui %c4{{(_[0-9]+)?}}, %[[REST]] : index
// CHECK: %[[SOURCE:.*]] = arith.select %{{.*}}, %[[FLOATS]], %c0{{(_[0-9]+)?}} : index
// CHECK: nvgpu.device_async_copy %[[ROWS]][{{.*}}], %{{.*}}[{{.*}}], 4, %[[SOURCE]] {bypassL1} : memref<24x72xf32> to memref<3x64x20xf32, #gpu.address_space<workgroup>>
// CHECK: nvgpu.device_async_copy %[[ROWS]][{{.*}}], %{{.*}}[{{.*}}], 4, %{{.*}} {bypassL1}
// CHECK-NOT: nvgpu.device_async_copy %[[ROWS]]
// CHECK: nvgpu.device_async_create_group
// CHECK-LABEL: func.func @weight_rows_odd
// CHECK-NOT: memref.collapse_shape
// CHECK-NOT: bypassL1
// CHECK: nvgpu.device_async_copy %{{.*}}[{{.*}}], %{{.*}}[{{.*}}], 1, %{{.*}} : memref<24x3x3x3xf32>
memref.global "private" constant @w : memref<24x8x3x3xf32> = dense<1.0>
memref.global "private" constant @w_odd : memref<24x3x3x3xf32> = dense<1.0>
func.func @weight_rows(%in: memref<1x8x10x10xf32>, %out: memref<1x24x8x8xf32>) {
  %w = memref.get_global @w : memref<24x8x3x3xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x10x10xf32>, memref<24x8x3x3xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}
func.func @weight_rows_odd(%in: memref<1x3x10x10xf32>, %out: memref<1x24x8x8xf32>) {
  %w = memref.get_global @w_odd : memref<24x3x3x3xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x3x10x10xf32>, memref<24x3x3x3xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

// The prepared weights of --weights=external (the `prepared` argument),
// each at a multiple of 16 floats: a filter at such an offset, k a multiple
// of 4, has rows 16-byte aligned; one at an offset of 2 floats has not.
// CHECK-LABEL: func.func @prepared_rows
// CHECK: %[[ROWS:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : memref<24x8x1x1xf32, strided<[8, 1, 1, 1], offset: 32>> into memref<24x8xf32, strided<[8, 1], offset: 32>>
// CHECK: nvgpu.device_async_copy %[[ROWS]][{{.*}}], %{{.*}}[{{.*}}], 4, %{{.*}} {bypassL1}
// CHECK-LABEL: func.func @prepared_misaligned
// CHECK-NOT: bypassL1
func.func @prepared_rows(%prepared: memref<512xf32> {incept.name = "prepared"}, %in: memref<1x8x8x8xf32>, %out: memref<1x24x8x8xf32>) {
  %flat = memref.subview %prepared[32] [192] [1] : memref<512xf32> to memref<192xf32, strided<[1], offset: 32>>
  %w = memref.expand_shape %flat [[0, 1, 2, 3]] output_shape [24, 8, 1, 1] : memref<192xf32, strided<[1], offset: 32>> into memref<24x8x1x1xf32, strided<[8, 1, 1, 1], offset: 32>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x8x8xf32>, memref<24x8x1x1xf32, strided<[8, 1, 1, 1], offset: 32>>) outs(%out : memref<1x24x8x8xf32>)
  return
}
func.func @prepared_misaligned(%prepared: memref<512xf32> {incept.name = "prepared"}, %in: memref<1x8x8x8xf32>, %out: memref<1x24x8x8xf32>) {
  %flat = memref.subview %prepared[2] [192] [1] : memref<512xf32> to memref<192xf32, strided<[1], offset: 2>>
  %w = memref.expand_shape %flat [[0, 1, 2, 3]] output_shape [24, 8, 1, 1] : memref<192xf32, strided<[1], offset: 2>> into memref<24x8x1x1xf32, strided<[8, 1, 1, 1], offset: 2>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x8x8x8xf32>, memref<24x8x1x1xf32, strided<[8, 1, 1, 1], offset: 2>>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

// The border read as zeros only where its fills leave it so at the conv: a
// fill after the conv, or a copy over the whole buffer between the fills
// and the conv, and the conv reads the buffer whole, its fills kept.
// CHECK-LABEL: func.func @border_filled_after
// CHECK: %[[BUFFER:.*]] = memref.alloc() : memref<1x8x9x9xf32>
// CHECK: nvgpu.device_async_copy %[[BUFFER]][
// CHECK: linalg.fill
// CHECK-LABEL: func.func @border_overwritten
// CHECK: %[[BUFFER:.*]] = memref.alloc() : memref<1x8x9x9xf32>
// CHECK: linalg.fill
// CHECK: linalg.fill
// CHECK: memref.copy %{{.*}}, %[[BUFFER]]
// CHECK: nvgpu.device_async_copy %[[BUFFER]][
func.func @border_filled_after(%x: memref<1x8x8x8xf32>, %w: memref<24x8x2x2xf32>, %out: memref<1x24x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<1x8x9x9xf32>
  %top = memref.subview %buffer[0, 0, 0, 0] [1, 8, 1, 9] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>)
  %left = memref.subview %buffer[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>
  %interior = memref.subview %buffer[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  memref.copy %x, %interior : memref<1x8x8x8xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%buffer, %w : memref<1x8x9x9xf32>, memref<24x8x2x2xf32>) outs(%out : memref<1x24x8x8xf32>)
  linalg.fill ins(%zero : f32) outs(%left : memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>)
  return
}
func.func @border_overwritten(%x: memref<1x8x8x8xf32>, %whole: memref<1x8x9x9xf32>, %w: memref<24x8x2x2xf32>, %out: memref<1x24x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<1x8x9x9xf32>
  %top = memref.subview %buffer[0, 0, 0, 0] [1, 8, 1, 9] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x8x1x9xf32, strided<[648, 81, 9, 1]>>)
  %left = memref.subview %buffer[0, 0, 1, 0] [1, 8, 8, 1] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x8x8x1xf32, strided<[648, 81, 9, 1], offset: 9>>)
  memref.copy %whole, %buffer : memref<1x8x9x9xf32> to memref<1x8x9x9xf32>
  %interior = memref.subview %buffer[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x8x9x9xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  memref.copy %x, %interior : memref<1x8x8x8xf32> to memref<1x8x8x8xf32, strided<[648, 81, 9, 1], offset: 10>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%buffer, %w : memref<1x8x9x9xf32>, memref<24x8x2x2xf32>) outs(%out : memref<1x24x8x8xf32>)
  return
}

// -----

// The classifier (a 1x1 conv of [1, 64, 1, 1] by [40, 64]) whose output,
// collapsed to [1, 40], is copied into the model's output: the kernel
// stores each element there too ([n][c * 1 * 1 + h * 1 + w]), and the copy
// is gone. Its own output is still stored (something else might read it).
// CHECK-LABEL: func.func @classifier
// CHECK-SAME: %[[RESULT:[a-z0-9]+]]: memref<1x40xf32>
// CHECK-NOT: memref.copy
// CHECK: gpu.launch
// CHECK: memref.store %[[V:.*]], %[[RESULT]][%{{.*}}, %{{.*}}] : memref<1x40xf32>
// CHECK-NEXT: memref.store %[[V]], %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x40x1x1xf32>
// CHECK: gpu.terminator
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.collapse_shape
func.func @classifier(%x: memref<1x64x1x1xf32>, %w: memref<40x64x1x1xf32>, %result: memref<1x40xf32>) {
  %zero = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<1x40x1x1xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x40x1x1xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x64x1x1xf32>, memref<40x64x1x1xf32>) outs(%out : memref<1x40x1x1xf32>)
  %collapsed = memref.collapse_shape %out [[0], [1, 2, 3]] : memref<1x40x1x1xf32> into memref<1x40xf32>
  memref.copy %collapsed, %result : memref<1x40xf32> to memref<1x40xf32>
  return
}
