// RUN: incept-opt %s --pass-pipeline='builtin.module(func.func(incept-gpu-pools))' --split-input-file | FileCheck %s

#input = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
#window = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#output = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>

// A 3x3 max pool, stride 1, of a buffer padded by one with the lowest
// float (as incept-concat-in-place leaves a pad: four border boxes filled,
// the interior a copy of the input): one kernel, one thread an output
// element (2x8x6x6 = 576: 3 blocks of 256), from the fill's constant, over
// the taps inside the input, which it reads where the copy came from. The
// fills, the copy, the padded buffer and the window operand are gone.
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<2x8x6x6xf32>, %[[OUT:[a-z0-9]+]]: memref<2x8x6x6xf32>
// CHECK: %[[LOWEST:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.copy
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c3, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads({{.*}}) in (%{{.*}} = %c256,
// CHECK: scf.if
// (column, row, then image and channel of the element)
// CHECK: %[[COLUMN:.*]] = arith.remui %{{.*}}, %c6
// CHECK: %[[ROW:.*]] = arith.remui %{{.*}}, %c6
// CHECK: %[[IMAGE:.*]] = arith.divui %{{.*}}, %c8
// CHECK: %[[CHANNEL:.*]] = arith.remui %{{.*}}, %c8
// CHECK: %[[MAX:.*]] = scf.for %{{.*}} = %{{.*}} to %c3{{(_[0-9]+)?}} step %{{.*}} iter_args(%{{.*}} = %[[LOWEST]]) -> (f32)
// CHECK: %[[IN_ROW:.*]] = arith.subi %{{.*}}, %c1{{(_[0-9]+)?}} : index
// CHECK: arith.cmpi ult, %[[IN_ROW]], %c6{{(_[0-9]+)?}} : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %c3{{(_[0-9]+)?}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32)
// CHECK: %[[IN_COLUMN:.*]] = arith.subi %{{.*}}, %c1{{(_[0-9]+)?}} : index
// CHECK: arith.cmpi ult, %[[IN_COLUMN]], %c6{{(_[0-9]+)?}} : index
// CHECK: %[[V:.*]] = memref.load %[[X]][%[[IMAGE]], %[[CHANNEL]], %[[IN_ROW]], %[[IN_COLUMN]]] : memref<2x8x6x6xf32>
// CHECK-NEXT: arith.maxnumf %[[ACC]], %[[V]] : f32
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[ACC]] : f32
// CHECK: memref.store %[[MAX]], %[[OUT]][%[[IMAGE]], %[[CHANNEL]], %[[ROW]], %[[COLUMN]]] : memref<2x8x6x6xf32>
// CHECK: gpu.terminator
// CHECK-NOT: linalg.generic
func.func @max_pool(%x: memref<2x8x6x6xf32>, %out: memref<2x8x6x6xf32>) {
  %lowest = arith.constant -3.40282347E+38 : f32
  %buffer = memref.alloc() : memref<2x8x8x8xf32>
  %top = memref.subview %buffer[0, 0, 0, 0] [2, 8, 1, 8] [1, 1, 1, 1] : memref<2x8x8x8xf32> to memref<2x8x1x8xf32, strided<[512, 64, 8, 1]>>
  linalg.fill ins(%lowest : f32) outs(%top : memref<2x8x1x8xf32, strided<[512, 64, 8, 1]>>)
  %bottom = memref.subview %buffer[0, 0, 7, 0] [2, 8, 1, 8] [1, 1, 1, 1] : memref<2x8x8x8xf32> to memref<2x8x1x8xf32, strided<[512, 64, 8, 1], offset: 56>>
  linalg.fill ins(%lowest : f32) outs(%bottom : memref<2x8x1x8xf32, strided<[512, 64, 8, 1], offset: 56>>)
  %left = memref.subview %buffer[0, 0, 1, 0] [2, 8, 6, 1] [1, 1, 1, 1] : memref<2x8x8x8xf32> to memref<2x8x6x1xf32, strided<[512, 64, 8, 1], offset: 8>>
  linalg.fill ins(%lowest : f32) outs(%left : memref<2x8x6x1xf32, strided<[512, 64, 8, 1], offset: 8>>)
  %right = memref.subview %buffer[0, 0, 1, 7] [2, 8, 6, 1] [1, 1, 1, 1] : memref<2x8x8x8xf32> to memref<2x8x6x1xf32, strided<[512, 64, 8, 1], offset: 15>>
  linalg.fill ins(%lowest : f32) outs(%right : memref<2x8x6x1xf32, strided<[512, 64, 8, 1], offset: 15>>)
  %interior = memref.subview %buffer[0, 0, 1, 1] [2, 8, 6, 6] [1, 1, 1, 1] : memref<2x8x8x8xf32> to memref<2x8x6x6xf32, strided<[512, 64, 8, 1], offset: 9>>
  memref.copy %x, %interior : memref<2x8x6x6xf32> to memref<2x8x6x6xf32, strided<[512, 64, 8, 1], offset: 9>>
  linalg.fill ins(%lowest : f32) outs(%out : memref<2x8x6x6xf32>)
  %taps = memref.alloc() : memref<3x3xf32>
  linalg.generic {indexing_maps = [#input, #window, #output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%buffer, %taps : memref<2x8x8x8xf32>, memref<3x3xf32>) outs(%out : memref<2x8x6x6xf32>) {
  ^bb0(%in: f32, %tap: f32, %acc: f32):
    %m = arith.maxnumf %acc, %in : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// The border's fill after the pool: the pool does not count on the zeros,
// reads the buffer whole, and the fill stays.
// CHECK-LABEL: func.func @border_filled_after
// CHECK: %[[BUFFER:.*]] = memref.alloc() : memref<1x4x8x8xf32>
// CHECK: memref.load %[[BUFFER]]
// CHECK: linalg.fill
func.func @border_filled_after(%x: memref<1x4x7x7xf32>, %out: memref<1x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<1x4x8x8xf32>
  %bottom = memref.subview %buffer[0, 0, 7, 0] [1, 4, 1, 8] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x1x8xf32, strided<[256, 64, 8, 1], offset: 56>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x4x1x8xf32, strided<[256, 64, 8, 1], offset: 56>>)
  %right = memref.subview %buffer[0, 0, 0, 7] [1, 4, 7, 1] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x7x1xf32, strided<[256, 64, 8, 1], offset: 7>>
  %interior = memref.subview %buffer[0, 0, 0, 0] [1, 4, 7, 7] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x7x7xf32, strided<[256, 64, 8, 1]>>
  memref.copy %x, %interior : memref<1x4x7x7xf32> to memref<1x4x7x7xf32, strided<[256, 64, 8, 1]>>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x4x4xf32>)
  %taps = memref.alloc() : memref<2x2xf32>
  linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%buffer, %taps : memref<1x4x8x8xf32>, memref<2x2xf32>) outs(%out : memref<1x4x4x4xf32>)
  linalg.fill ins(%zero : f32) outs(%right : memref<1x4x7x1xf32, strided<[256, 64, 8, 1], offset: 7>>)
  return
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A 2x2 average pool's sum, stride 2, in ceil mode over 7x7: the buffer
// extends the input by a row and a column of zeros at the end, and the
// input's producer writes its interior in place. The kernel reads the
// interior (rows and columns from 0: no offset), skips the eighth row and
// column, and starts from the fill's 0; the interior and its producer stay.
// CHECK-LABEL: func.func @sum_pool
// CHECK: %[[BUFFER:.*]] = memref.alloc() : memref<1x4x8x8xf32>
// CHECK-NOT: linalg.fill
// CHECK: %[[INTERIOR:.*]] = memref.subview %[[BUFFER]][0, 0, 0, 0] [1, 4, 7, 7] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {{.*}} outs(%[[INTERIOR]] :
// CHECK-NOT: linalg.fill
// CHECK-NOT: arith.subi
// CHECK: scf.for %{{.*}} = %{{.*}} to %c2{{(_[0-9]+)?}} step %{{.*}} iter_args(%{{.*}} = %cst) -> (f32)
// CHECK: %[[IN_ROW:.*]] = arith.addi
// CHECK: arith.cmpi ult, %[[IN_ROW]], %c7{{(_[0-9]+)?}} : index
// CHECK: memref.load %[[INTERIOR]]
// CHECK-NEXT: arith.addf
// CHECK-NOT: linalg.pooling_nchw_sum
func.func @sum_pool(%x: memref<1x4x7x7xf32>, %out: memref<1x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<1x4x8x8xf32>
  %bottom = memref.subview %buffer[0, 0, 7, 0] [1, 4, 1, 8] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x1x8xf32, strided<[256, 64, 8, 1], offset: 56>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x4x1x8xf32, strided<[256, 64, 8, 1], offset: 56>>)
  %right = memref.subview %buffer[0, 0, 0, 7] [1, 4, 7, 1] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x7x1xf32, strided<[256, 64, 8, 1], offset: 7>>
  linalg.fill ins(%zero : f32) outs(%right : memref<1x4x7x1xf32, strided<[256, 64, 8, 1], offset: 7>>)
  %interior = memref.subview %buffer[0, 0, 0, 0] [1, 4, 7, 7] [1, 1, 1, 1] : memref<1x4x8x8xf32> to memref<1x4x7x7xf32, strided<[256, 64, 8, 1]>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x4x7x7xf32>) outs(%interior : memref<1x4x7x7xf32, strided<[256, 64, 8, 1]>>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%zero : f32) outs(%out : memref<1x4x4x4xf32>)
  %taps = memref.alloc() : memref<2x2xf32>
  linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%buffer, %taps : memref<1x4x8x8xf32>, memref<2x2xf32>) outs(%out : memref<1x4x4x4xf32>)
  return
}

// -----

#input = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
#window = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#output = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>

// Zeros are no identity of a max: the kernel reads the padded buffer whole
// (no tap skipped but past its end), and the fills stay. Without a fill
// just before, the pool starts from what its output holds. The output row
// of a tap is the output's times the stride plus the tap.
// CHECK-LABEL: func.func @zero_padded_max
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<1x4x6x6xf32>, %[[OUT:[a-z0-9]+]]: memref<1x4x3x3xf32>
// CHECK: %[[BUFFER:.*]] = memref.alloc() : memref<1x4x7x7xf32>
// CHECK-COUNT-2: linalg.fill
// CHECK: memref.copy
// CHECK: gpu.launch
// CHECK-NOT: arith.subi
// CHECK: %[[START:.*]] = memref.load %[[OUT]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %c3{{(_[0-9]+)?}} step %{{.*}} iter_args(%{{.*}} = %[[START]]) -> (f32)
// CHECK: arith.muli %{{.*}}, %c2
// CHECK: cmpi ult, %{{.*}}, %c7
// CHECK: memref.load %[[BUFFER]]
// CHECK-NEXT: arith.maximumf
func.func @zero_padded_max(%x: memref<1x4x6x6xf32>, %out: memref<1x4x3x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<1x4x7x7xf32>
  %bottom = memref.subview %buffer[0, 0, 6, 0] [1, 4, 1, 7] [1, 1, 1, 1] : memref<1x4x7x7xf32> to memref<1x4x1x7xf32, strided<[196, 49, 7, 1], offset: 42>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x4x1x7xf32, strided<[196, 49, 7, 1], offset: 42>>)
  %right = memref.subview %buffer[0, 0, 0, 6] [1, 4, 6, 1] [1, 1, 1, 1] : memref<1x4x7x7xf32> to memref<1x4x6x1xf32, strided<[196, 49, 7, 1], offset: 6>>
  linalg.fill ins(%zero : f32) outs(%right : memref<1x4x6x1xf32, strided<[196, 49, 7, 1], offset: 6>>)
  %interior = memref.subview %buffer[0, 0, 0, 0] [1, 4, 6, 6] [1, 1, 1, 1] : memref<1x4x7x7xf32> to memref<1x4x6x6xf32, strided<[196, 49, 7, 1]>>
  memref.copy %x, %interior : memref<1x4x6x6xf32> to memref<1x4x6x6xf32, strided<[196, 49, 7, 1]>>
  %taps = memref.alloc() : memref<3x3xf32>
  linalg.generic {indexing_maps = [#input, #window, #output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%buffer, %taps : memref<1x4x7x7xf32>, memref<3x3xf32>) outs(%out : memref<1x4x3x3xf32>) {
  ^bb0(%in: f32, %tap: f32, %acc: f32):
    %m = arith.maximumf %in, %acc : f32
    linalg.yield %m : f32
  }
  return
}

// -----

#input = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
#window = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#output = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>

// Not pools: a body that reads the window operand (a weighted window), and
// one that does more than combine.
// CHECK-LABEL: func.func @not_pools
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: gpu.launch
func.func @not_pools(%x: memref<1x4x6x6xf32>, %w: memref<3x3xf32>, %out: memref<1x4x4x4xf32>) {
  linalg.generic {indexing_maps = [#input, #window, #output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<1x4x6x6xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>) {
  ^bb0(%in: f32, %tap: f32, %acc: f32):
    %p = arith.mulf %in, %tap : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %taps = memref.alloc() : memref<3x3xf32>
  linalg.generic {indexing_maps = [#input, #window, #output], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %taps : memref<1x4x6x6xf32>, memref<3x3xf32>) outs(%out : memref<1x4x4x4xf32>) {
  ^bb0(%in: f32, %tap: f32, %acc: f32):
    %e = math.exp %in : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#plane = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#image = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#channels = affine_map<(d0, d1, d2) -> (d0, d1)>

// A global average pool's sums, over the columns and then the rows, each a
// reduction of the last dimension after a fill of zeros, the first's
// result read by the second alone: one kernel, a thread an output element
// (2x4 = 8), from the fill's 0 over the rows and, within each, the columns;
// the fills and the sums between are gone.
// CHECK-LABEL: func.func @global_sums
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<2x4x3x3xf32>, %[[SUMS:[a-z0-9]+]]: memref<2x4xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c256,
// CHECK: arith.cmpi ult, %{{.*}}, %c8
// CHECK: %[[SUM:.*]] = scf.for %[[R:.*]] = %{{.*}} to %c3{{(_[0-9]+)?}} step %{{.*}} iter_args(%[[ACC:.*]] = %cst) -> (f32)
// CHECK: %[[ROW:.*]] = scf.for %[[C:.*]] = %{{.*}} to %c3{{(_[0-9]+)?}} step %{{.*}} iter_args(%[[IN_ROW:.*]] = %[[ACC]]) -> (f32)
// CHECK-NEXT: %[[V:.*]] = memref.load %[[X]][%{{.*}}, %{{.*}}, %[[R]], %[[C]]] : memref<2x4x3x3xf32>
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[IN_ROW]], %[[V]] : f32
// CHECK-NEXT: scf.yield %[[S]] : f32
// CHECK: scf.yield %[[ROW]] : f32
// CHECK: memref.store %[[SUM]], %[[SUMS]]
// CHECK-NOT: gpu.launch
// CHECK-NOT: linalg
func.func @global_sums(%x: memref<2x4x3x3xf32>, %sums: memref<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %rows = memref.alloc() : memref<2x4x3xf32>
  linalg.fill ins(%zero : f32) outs(%rows : memref<2x4x3xf32>)
  linalg.generic {indexing_maps = [#plane, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : memref<2x4x3x3xf32>) outs(%rows : memref<2x4x3xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%sums : memref<2x4xf32>)
  linalg.generic {indexing_maps = [#image, #channels], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%rows : memref<2x4x3xf32>) outs(%sums : memref<2x4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#plane = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#image = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#channels = affine_map<(d0, d1, d2) -> (d0, d1)>
#same = affine_map<(d0, d1) -> (d0, d1)>

// The whole global average pool: the sums, then their division by the 9
// pixels, which alone reads them: one kernel that divides the sum before
// storing it where the division writes.
// CHECK-LABEL: func.func @global_average
// CHECK-SAME: %[[MEAN:[a-z0-9]+]]: memref<2x4xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: %[[SUM:.*]] = scf.for
// CHECK: %[[Q:.*]] = arith.divf %[[SUM]], %cst_0 : f32
// CHECK-NEXT: memref.store %[[Q]], %[[MEAN]]
// CHECK-NOT: gpu.launch
// CHECK-NOT: linalg
// The sums are also a result of the function (a buffer the caller reads):
// the division stays an op of its own, and the two sums are one kernel.
// CHECK-LABEL: func.func @read_twice
// CHECK: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @global_average(%x: memref<2x4x3x3xf32>, %mean: memref<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %pixels = arith.constant 9.0 : f32
  %rows = memref.alloc() : memref<2x4x3xf32>
  linalg.fill ins(%zero : f32) outs(%rows : memref<2x4x3xf32>)
  linalg.generic {indexing_maps = [#plane, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : memref<2x4x3x3xf32>) outs(%rows : memref<2x4x3xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  %sums = memref.alloc() : memref<2x4xf32>
  linalg.fill ins(%zero : f32) outs(%sums : memref<2x4xf32>)
  linalg.generic {indexing_maps = [#image, #channels], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%rows : memref<2x4x3xf32>) outs(%sums : memref<2x4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#same, #same], iterator_types = ["parallel", "parallel"]}
      ins(%sums : memref<2x4xf32>) outs(%mean : memref<2x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %q = arith.divf %v, %pixels : f32
    linalg.yield %q : f32
  }
  return
}
func.func @read_twice(%x: memref<2x4x3x3xf32>, %mean: memref<2x4xf32>, %sums: memref<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %pixels = arith.constant 9.0 : f32
  %rows = memref.alloc() : memref<2x4x3xf32>
  linalg.fill ins(%zero : f32) outs(%rows : memref<2x4x3xf32>)
  linalg.generic {indexing_maps = [#plane, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : memref<2x4x3x3xf32>) outs(%rows : memref<2x4x3xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%sums : memref<2x4xf32>)
  linalg.generic {indexing_maps = [#image, #channels], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%rows : memref<2x4x3xf32>) outs(%sums : memref<2x4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#same, #same], iterator_types = ["parallel", "parallel"]}
      ins(%sums : memref<2x4xf32>) outs(%mean : memref<2x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %q = arith.divf %v, %pixels : f32
    linalg.yield %q : f32
  }
  return
}
