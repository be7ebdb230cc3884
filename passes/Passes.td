//===- Passes.td - Incept's passes ---------------------------*- tablegen -*-===//

#ifndef INCEPT_PASSES_TD
#define INCEPT_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph passes: incept → incept, in the order of the -O1+ pipeline
//===----------------------------------------------------------------------===//

def SimplifyGraph : Pass<"incept-simplify-graph", "::mlir::func::FuncOp"> {
  let summary = "Canonicalise, fold constants and remove dead code in the graph";
  let description = [{
    Runs the incept ops' canonicalisation patterns and folders (reshape
    chains become one reshape, a reshape or slice to the same type
    disappears, a pad absorbed by a pool), folds elementwise arithmetic whose
    operands are all constants into a new constant, and erases ops whose
    results nobody uses (what is left of pruned outputs, Identity and Dropout
    after import). Constants are deduplicated. It runs first and last in the
    graph pipeline, so every other pass sees and leaves a tidy graph.

    On the family models as exported it changes no op count (the import
    already canonicalises); its second run removes the weights and
    batch-norm parameters the folds left behind (Inception-ResNet v2: 1106
    constants to 494), which keeps compile time and memory down.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FoldBatchNorm : Pass<"incept-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch-norm into the producing conv's weights and bias";
  let description = [{
    `batch_norm(conv(x, w, b))` with `k = scale / sqrt(var + eps)` becomes
    `conv(x, w * k, (b - mean) * k + bias)`, scaled per output channel (a
    conv without a bias gets one). The conv must have no epilogue yet and no
    other user: a conv whose raw output is also read elsewhere keeps its
    batch_norm. A batch_norm after a concat of such convs is folded slice by
    slice into each conv, with the concat moved after them. Any other
    batch_norm (no conv producer) stays and lowers on its own.

    Measured (bench/passes.py, batch 1, one thread): turning it off costs
    0–4% (Inception v3 4%, GoogLeNet 2%): each batch-norm was one pass over
    a conv's output (GoogLeNet: 12.9 MB in all), while the plane-loop convs
    take over 90% of the time. Its share grows as the convs get faster.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FoldResidualScale : Pass<"incept-fold-residual-scale", "::mlir::func::FuncOp"> {
  let summary = "Fold Inception-ResNet's residual scaling into the branch's last conv";
  let description = [{
    `add(x, mul(conv(...), s))`, in either operand order, with `s` a
    constant scalar or per-channel scale (an initializer or a Constant
    node), becomes one conv with `w * s`, `b * s` and `x` as its residual:
    `conv'(...) + x`, computed in the conv's epilogue. The mul and add
    disappear; `incept-fuse-epilogue` then takes the ReLU that follows (the
    last block of a network has none). The conv must have no epilogue and no
    other user, and `x` must have the result's shape. A per-channel scale is
    `[C,1,1]` or `[1,C,1,1]`; a scalar may have any all-ones shape. Where the
    weights are not constants, a scalar `s` becomes the conv's
    `residual_scale` instead.

    Measured: 0–1% on the Inception-ResNets today (the 40 mul/add pairs of
    Inception-ResNet v2 are 92 MB of traffic against convs that take over
    90% of the time); what it mostly buys is that the add runs in the conv's
    epilogue, in registers, once the conv kernels are fast.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def GemmAsConv : Pass<"incept-gemm-as-conv", "::mlir::func::FuncOp"> {
  let summary = "Turn a classifier's Gemm into the 1x1 conv it is";
  let description = [{
    `gemm(a, b, c)` with `a` of shape [M, K] (not transposed), a constant `b`
    (transposed or not), alpha 1, and no `c` or a constant per-output `c`
    ([N], [1, N] or a scalar) with beta 1, becomes

    ```mlir
    %x = incept.reshape %a : tensor<MxKxf32> -> tensor<MxKx1x1xf32>
    %y = incept.conv %x, %w bias %c {...} -> tensor<MxNx1x1xf32>   // w: [N, K, 1, 1]
    %r = incept.reshape %y : tensor<MxNx1x1xf32> -> tensor<MxNxf32>
    ```

    so that it is lowered by the conv's strategy (the blocked kernel on its
    threads, instead of a scalar dot product per output) and takes an
    epilogue: a ReLU or Clip that reads the reshape of a conv's result is
    moved above the reshape, where `incept-fuse-epilogue` fuses it (the two
    ReLUs after the original GoogLeNet's auxiliary Gemms). The reshape of
    `a` folds into that of the global pool before it.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseEpilogue : Pass<"incept-fuse-epilogue", "::mlir::func::FuncOp"> {
  let summary = "Move bias adds, ReLU/Clip and residual adds into the conv's epilogue";
  let description = [{
    The conv computes `act(residual + residual_scale * (conv + bias))` in
    registers as it stores its result; this pass fills that in from the ops
    that follow a conv with no other user: an add of a per-channel constant
    (`[C,1,1]`, `[1,C,1,1]` or a scalar of any all-ones shape; a `[C]` vector
    broadcasts along the width and is not one) joins the bias; an add of a tensor of the
    result's shape becomes the residual; a relu, or a clip, becomes the
    activation (once the activation is set nothing else can be fused after
    it). What is left standalone after this pass on a family model is an
    elementwise op with no conv producer.

    Measured: turning it off costs 0–3% (Inception-ResNet v1 3%, v4 2%),
    for the same reason as the batch-norm fold: a ReLU is one cheap pass
    over memory next to convs that take over 90% of the time.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def MergeSiblingConvs : Pass<"incept-merge-sibling-convs", "::mlir::func::FuncOp"> {
  let summary = "Merge convs that read the same tensor into one wider conv";
  let description = [{
    Convs that read the same input with the same kernel size, strides, pads,
    dilations, group 1, activation and no residual (the 1x1 reductions at the
    head of every Inception block; KxK ones too when all of that matches)
    become one conv whose weights and biases are theirs concatenated along
    the output channels; each former user reads its channels through an
    `incept.slice`. Other users of the shared input (the pool branch) do not
    matter. Output widths may differ.

    Cost rule: a group of at least two convs is merged when its kernel is
    1x1, whatever the size of the merged weight; a KxK group only when the
    merged weight (the siblings' O·C·K·K f32 weights together) is at most
    4 MiB. A 1x1 conv is a matrix product [pixels×C]·[C×O]: stacking the
    siblings' output channels only adds columns, which a blocked kernel
    tiles as it would tile them apart, while the input is read once instead
    of once per sibling. A KxK conv reuses its weight for every output
    pixel; once the merged weight no longer fits a core's share of the cache,
    every tile of output pixels streams it from memory again, which costs
    more than the input reads saved. The backend splits the merged result's
    stores by slice (`incept-concat-in-place`), so a slice that feeds a
    concat is still written in place.

    What it buys: the plane-loop conv lowering re-reads the input for every
    output channel, merged or not, so there the merged conv costs what its
    parts cost. The blocked kernel loads an input tile once for all the
    output blocks of a group, and its wider layer fills whole 4-block
    groups where a 16- or 32-channel sibling alone would not (its effect
    with the blocked kernels has not been measured on its own yet).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseConvChains : Pass<"incept-fuse-conv-chains", "::mlir::func::FuncOp"> {
  let summary = "Fuse a conv and the convs that read its result into conv_chain ops, where banding pays";
  let description = [{
    A conv P whose result is read by nothing but one or more convs C1..Ck,
    each reading it once as its input, becomes an `incept.conv_chain` with P
    as producer and C1..Ck, in program order, as consumers: a 1xN feeding an
    Nx1 and the reverse, a 1x1 reduction feeding a KxK, one reduction
    feeding two parallel convs. The backend computes the chain one image at
    a time, band by band of output rows, recomputing the intermediate rows
    that neighbouring bands share, so the intermediate never goes to memory
    whole and the conv loops sweep a band's rows rather than a whole
    image's.

    Only convs whose strategy (incept-select-conv-strategy runs first) is
    not `blocked` are chained: the blocked kernel already tiles its whole
    plane in registers, and each band would convert its slab to and from the
    blocked layout (Inception v3: 125 ms with the stem chains, 117 ms
    without). With the default pipeline on an FMA target no chain forms;
    with the strategy pass disabled (plane loops) the rule below applies.

    Chains are formed greedily in program order: a consumer never starts a
    chain (1x7→7x1→1x7→7x1 is two chains), and a producer whose result is
    sliced (a merged reduction) is left alone. All convs are ungrouped f32
    with unit dilations; consumers have unit strides and one output height;
    nothing reads a consumer's result before the last consumer or from
    inside the chain.

    Cost rule: a chain is formed only where it pays: one image's
    intermediate exceeds `min-intermediate-bytes` (1 MiB, about a core's
    L2), and bands holding at most 512 KiB of it recompute at most
    `max-recompute` (10%) of its rows. Measured (batch 1, one chain at a
    time): the stem's 3x3/2 → 3x3 at 32x149x149 went from 11.9 to 8.4 ms,
    the 73x73 stem chains gained 5–7%; below L2 banding only cut the loops
    shorter (1x1 → 3x3 at 64x56x56: 13% slower; v3's 1x7→7x1 at 17x17: no
    change), stride-2 consumers lost 7–13%, and recomputing 25% of the rows
    lost 3%. So on the family models the chains are the stems' (two each in
    v3, v4 and the Inception-ResNets) and the factorised 17x17 pairs are not
    fused: at that size their intermediate stays in cache whole anyway.
  }];
  let options = [
    Option<"minIntermediateBytes", "min-intermediate-bytes", "int64_t",
           /*default=*/"1048576",
           "Fuse only chains whose intermediate, per image, is larger than this">,
    Option<"maxRecompute", "max-recompute", "double", /*default=*/"0.10",
           "The most of the intermediate's rows that bands may compute twice, "
           "as a fraction">
  ];
}

//===----------------------------------------------------------------------===//
// Code generation decisions: made once, written into the IR
//===----------------------------------------------------------------------===//

def SelectConvStrategy : Pass<"incept-select-conv-strategy", "::mlir::func::FuncOp"> {
  let summary = "Choose each conv's lowering and its register tiles from the target";
  let description = [{
    Sets `strategy` on every `incept.conv` (those inside conv chains too),
    reading the module's `#incept.target`; the conv lowering only reads it.

    ```mlir
    %y = incept.conv %x, %w bias %b {...,
           strategy = #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>}
    ```

    An ungrouped conv with constant weights gets `blocked`: the direct
    convolution on the channel-blocked layout, with `block` = the f32 lanes
    of a vector (16 on AVX-512, 8 on AVX2). A grouped one, or one whose
    weights are computed, gets `plane_loops`.

    Cost model for the tile (`tile_f` output-channel blocks × `tile_w`
    output pixels, numbered over the whole output plane): the accumulators,
    one broadcast per pixel and one weight vector must fit the vector
    registers, `tile_f·tile_w + tile_w + 1 <= registers`, with `tile_f <= 4`
    and at most a quarter of the registers holding broadcasts, `tile_w <=
    registers / 4`: with more, LLVM's scheduler hoists the next weight load
    above the FMAs and spills (2×5 of the 16 ymm spilled two registers a
    step; 4×3 and 4×6 of 32 zmm spill none, which
    test/Driver/blocked_kernel_asm.test checks).
    One step of the reduction (one input channel of one tap) issues
    `tile_f·tile_w` FMAs, `tile_f` weight loads and `tile_w` broadcasts.
    Counted in 256-bit halves (a 512-bit op is two on Zen 4), with two FMA
    and two load pipes, it takes `max(FMAs/2, loads/2, 5)` cycles: 5 is the
    time each accumulator waits between two steps, the FMA's latency of 4
    plus one, so that a tile needs 10 accumulators to keep both pipes busy
    (measured on Zen 3: tiles of 8, 2×4 and 4×2, ran GoogLeNet's 1x1 convs
    10-28% slower than 4×3, in runs paired by `incept-run --against`). When a group's
    weights (`tile_f` blocks × `C·KH·KW` vectors) are larger than L1, every
    tile streams them from L2 again, at 64 bytes a cycle: that cost is what
    makes the wide pixel tiles pay. The cost of a
    tiling is the sum over its tiles, the peeled tails (a last group of
    fewer blocks, a last tile of fewer pixels) included, of the steps times
    the reduction length `C·KH·KW`, plus its stores and 4 cycles of index
    arithmetic per pixel. The cheapest tiling wins; ties go to more output
    blocks, which read the input fewer times. That gives 4×6 on AVX-512 and
    4×3 on AVX2 for wide layers, and wider pixel tiles for a layer of one
    output block (16 channels).

    A 3x3 stride-1 conv of that kind gets `winograd` instead (F(4x4, 3x3),
    Winograd.cpp) when its estimate is lower than the direct one's. Its
    products are 36 GEMMs of the blocked kernel over the T = ⌈OH/4⌉·⌈OW/4⌉
    tiles with the C input channels as the reduction, their tile chosen
    as above; to them it adds, per tile, 192 vector ops of the input
    transform and 36 stores of V per input block, and about 172 (the output
    transform's 140, bias, epilogue, 16 stores) per output block, at two
    ops a cycle. Both sides also pay for their weights when they are larger
    than L2 (at batch 1 they are read once an inference, from memory, at 4
    bytes a cycle: what one Zen 3 core measured), Winograd's being 36/9 of
    the direct ones. What stays direct: a conv of few input channels (the
    input transform of its one block costs more than the products save),
    one of a plane much smaller than a tile (at 2x2, three quarters of the
    4x4 tile is padding), and a wide one of an 8x8 plane (4 tiles of
    products, bound by streaming U from memory). On Inception v3 at batch 1
    on Zen 3 the 10 convs it lowers this way take 21.2 ms against 47.5 ms
    direct at one thread (`incept-run --profile`).

    Option `kind` forces one strategy for every conv that can take it
    (`reference`, `plane_loops`, `blocked`, or `winograd`, which leaves the
    convs that are not 3x3 stride 1 `blocked`), to compare them.
  }];
  let options = [
    Option<"kind", "kind", "std::string", /*default=*/"\"auto\"",
           "auto (the cost model), or a strategy kind for every conv (reference, "
           "plane_loops, blocked, winograd)">
  ];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def ConvertInceptToLinalg : Pass<"convert-incept-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower every incept op to linalg, tensor, arith and math";
  let description = [{
    The simple, obviously right lowering of the whole dialect on tensors:
    named linalg convolutions and pools on NCHW, `linalg.generic` for
    elementwise ops, reductions, LRN, Gemm and softmax, `tensor.pad`,
    `tensor.insert_slice` and reshapes for structure. Each op family has its
    own pattern file (passes/Lowering/*ToLinalg.cpp), so a faster lowering
    can replace one family at a time. `incept.conv_chain` is computed band
    by band of rows: an `scf.for` over `incept.conv` ops on slices, which
    the conv patterns then lower. An op variant that cannot be lowered is
    an error naming the op's ONNX node.
  }];
  let options = [
    Option<"planeLoops", "plane-loops", "bool", /*default=*/"false",
           "Emit ungrouped convolutions as a linalg.generic whose innermost "
           "loops run over an output plane (vectorisable by LLVM) instead of "
           "the named NCHW op; float max and average pools read their input "
           "unpadded, one region of outputs with the same in-bounds taps at a "
           "time">,
    ListOption<"families", "families", "std::string",
               "Op families to lower (conv, pool, normalization, elementwise, "
               "structure, classifier; default: all). A faster lowering that "
               "has taken over a family runs first and leaves it out here; an "
               "op of a family left out and not lowered before is an error at "
               "its ONNX node">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect"
  ];
}

def ConcatInPlace : Pass<"incept-concat-in-place", "::mlir::ModuleOp"> {
  let summary = "Make producers write straight into concat slices and padded buffers";
  let description = [{
    Runs on linalg on tensors, before bufferization. Every `tensor.pad` with
    a constant value becomes fills of a new buffer's border (one box per
    padded side, none overlapping) and an insert of its source into the
    interior, which the source's producer writes: a fill of the whole buffer
    wrote the interior twice, on one thread (1.5% of GoogLeNet's samples at
    two threads). Then every `tensor.insert_slice` (a concat's
    branch, a pad's interior) whose source is computed into a `tensor.empty`
    gets that empty tensor replaced by the destination's slice (MLIR's
    empty-tensor elimination), so the branch's last op writes into the
    concat's buffer and bufferization emits no copy. A wide conv result read
    through slices (merged siblings) is first split into one store per slice,
    each of which can then be written in place. What still copies: a tensor
    that several destinations want (a 1x1 conv's output padded for both a
    1x3 and a 3x1 conv), and the model's inputs, which the caller owns.
    Pools need no padded input from -O1 on (they pool region by region,
    reading only the taps inside the input), so a block's input that its 1x1
    convs read flattened stays in a buffer of its own and is not copied.
    Lowering the convs that read the copied tensors unpadded, region by
    region as the pools are, removed these copies too but was measured 2–7%
    slower (the 0.6 MB input and 98 KB 8x8 copies cost less than the narrow
    border loops). With blocked convs the same holds in the blocked layout:
    a blocked kernel, a blocked pool and a concat of blocks write into their
    concat slice or padded buffer; what still copies is a slice of a merged
    conv that both a padded conv input and a concat want (GoogLeNet on AVX-512:
    41 copies of 4.9 MB in all, the image's 0.6 MB among them, in `--stats`).

    Measured: turning it off costs 0–3% (Inception v4 3%): the copies were
    a few percent of the traffic next to the convs' time.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def PlanArena : Pass<"incept-plan-arena", "::mlir::ModuleOp"> {
  let summary = "Place every activation buffer at a planned offset of one arena";
  let description = [{
    After bufferization, every `memref.alloc` of a function with a body
    becomes a `memref.view` into a new leading argument, the arena
    (`memref<Nxi8>`), which the caller (the runtime's context) owns. Offsets
    are planned from liveness: a buffer lives from its allocation to the last
    use of it or of any view of it, and buffers whose lives overlap never
    share bytes. Buffers are placed largest first at the lowest offset that
    fits (a best-fit heuristic as in TFLite's arena planner), each aligned to
    64 bytes. The arena size is recorded on the function as
    `incept.scratch_bytes`. Every allocation must have a static shape; any
    `memref.dealloc` of a planned buffer is removed.

    Where the function launches GPU kernels (`gpu.launch_func`), launches
    that do not depend on each other through memory may run at the same
    time (`incept-gpu-streams`): a buffer then also lives until the first
    launch from which on every launch comes after all of its own, so that
    no buffer takes bytes that a launch running beside it still uses.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DistinctResults : Pass<"incept-distinct-results", "::mlir::ModuleOp"> {
  let summary = "Give a value that a function returns twice a copy of its own";
  let description = [{
    On linalg on tensors, before bufferization: a `func.return` operand that
    an earlier operand of the same return already returns (a graph whose
    outputs are one tensor twice) becomes a copy of it,
    `bufferization.alloc_tensor() copy(...)` (an allocation, which CSE leaves
    alone), so that every result has a buffer of its own when results become
    the caller's output buffers.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def HoistWeightPreparation : Pass<"incept-hoist-weight-preparation",
                                  "::mlir::ModuleOp"> {
  let summary = "Move the preparation of external weights out of the model function";
  let description = [{
    With `--weights=external` the model function computes its prepared
    weights (folded, merged, packed) from the weights file's tensors with
    `incept.prepare` steps. This pass, on linalg on tensors, takes every
    `incept.external_weight` and `incept.prepare` out of each function into
    a program recorded on it (`incept.preparation`: the steps in order, each
    with its params and the slots it reads and writes: a tensor of the file,
    a place in the prepared weights or in the scratch, or one of the
    constants of `incept.preparation_constants`), which the library's
    generated `<name>_prepare` runs when a context is created. The values
    the function still reads become slices of a new first argument,
    `prepared` (`tensor<Nxf32>`, each at a multiple of 16 floats); the other
    steps' results go to a scratch freed after the preparation, each placed
    first-fit and its place reused after its last reader. The sizes are
    recorded as `incept.prepared_floats` and `incept.scratch_floats`.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def PlanWeights : Pass<"incept-plan-weights", "::mlir::ModuleOp"> {
  let summary = "Gather the weights a function reads into one blob passed as an argument";
  let description = [{
    After the arena is planned, every `memref.get_global` of a constant
    global in a function with a body becomes a `memref.view` into a new
    argument after the arena, `weights` (`memref<Nxi8>`), at the global's
    offset in one blob, each aligned to 64 bytes; the blob becomes the public
    constant global `<function>_weights` (a resource blob), the globals no
    longer read are erased, and the blob's size is recorded on the function
    as `incept.weights_bytes`. A GPU library uploads the blob once per
    context and passes the device copy: its kernels cannot read the host's
    globals. Splat constants are expanded, i1 ones stored a byte per element
    (as LLVM stores i1); a global that is not a constant of whole bytes is
    an error.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def MergeGpuModules : Pass<"incept-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Merge the one-kernel gpu.modules of gpu-kernel-outlining into one";
  let description = [{
    Moves every kernel into the first `gpu.module`, names each after the
    module it came from (unique in the model), points every
    `gpu.launch_func` at its new place, and erases the emptied modules: a
    model's kernels become one PTX module, loaded into the driver once. A
    `gpu.module` holding anything but one kernel is an error.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def CheckGpuHost : Pass<"incept-check-gpu-host", "::mlir::ModuleOp"> {
  let summary = "Refuse a GPU library whose host code would touch device memory";
  let description = [{
    After `gpu-kernel-outlining`: in every function of the host that
    launches kernels, nothing may read or write memory but the launches
    (views, allocations, the runtime's calls and the waits do not): the
    buffers are the GPU's, and an op left on the host, such as a loop that
    `convert-parallel-loops-to-gpu` did not map, would read and write them
    as the host's memory. (The kernel emulator, whose device memory is host
    memory, would run such a library; a GPU would not.) Such an op is an
    error that names the op and its ONNX node.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def AlignWorkgroupMemory : Pass<"incept-align-workgroup-memory", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Align every kernel's shared buffers to 16 bytes";
  let description = [{
    After outlining, before `convert-gpu-to-nvvm`: every workgroup
    attribution of every kernel gets `llvm.align = 16`, which becomes the
    `.align` of its `.shared` array. Without it an array of floats is
    aligned to 4 bytes, and the tensor-core convs' 16-byte accesses (the
    row addresses of `ldmatrix`, and `cp.async` of 16 bytes) would be
    misaligned wherever ptxas placed it so. An alignment already larger is
    kept.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::LLVM::LLVMDialect"];
}

def TileGpuLoops : Pass<"incept-tile-gpu-loops", "::mlir::func::FuncOp"> {
  let summary = "Make each parallel loop a grid of blocks of threads along its last dimension";
  let description = [{
    In the CUDA pipeline, between `convert-linalg-to-parallel-loops` and
    `gpu-map-parallel-loops`, which gives a loop's first three dimensions
    to x, y and z and makes the rest sequential: each innermost
    `scf.parallel` without reductions becomes a grid loop over the tiles of
    its last dimension (the one contiguous in memory; with the one before
    it, flattened, where that is shorter than a tile, so that a block spans
    rows) and then its other dimensions, last to first, around a loop over
    the `threads` (or fewer, the whole extent) of a tile, whose threads past
    the end of a partial last tile do nothing. So a kernel's threads read
    and write neighbouring elements, whatever its rank, and a 7x7 plane is
    one block of 49 threads rather than 7 blocks of 7. (Upstream's `scf-parallel-loop-tiling`
    with the sizes `1,1,1,128` left a 4-D loop's last dimension sequential
    in blocks of one thread, and a 1-D or 2-D loop one thread a block.) A
    loop of dynamic bounds is an error: the kernels are compiled for one
    batch.

    ```mlir
    scf.parallel (%n, %c, %h, %w) = (%c0, ...) to (%c1, %c64, %c7, %c7) step (%c1, ...) {
      BODY(%n, %c, %h, %w)
    }
    // becomes
    scf.parallel (%t, %c, %n) = (%c0, ...) to (%c1, %c64, %c1) step (%c1, ...) {
      scf.parallel (%x) = (%c0) to (%c49) step (%c1) {
        %p = %t * 49 + %x
        %w = %p mod 7
        %h = %p div 7
        BODY(%n, %c, %h, %w)
    ```
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"128",
           "Threads of a block: the tile of the last dimension">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect"];
}

def GpuConvOutputsInPlace : Pass<"incept-gpu-conv-outputs-in-place", "::mlir::func::FuncOp"> {
  let summary = "Elementwise ops on a conv's result write it in place (GPU, TF32)";
  let description = [{
    On tensors, before bufferization: an elementwise `linalg.generic`
    (parallel loops, identity output map, no `linalg.index`) whose init is a
    `tensor.empty` it does not read, and one of whose inputs is the result
    of a `linalg.conv_2d_nchw_fchw` read by nothing else, of the same type
    and with an identity map, takes that result as its init. Bufferized, the
    op then works in place on the conv's output, just after the conv, where
    `incept-gpu-mma-convs` folds it into the conv kernel's epilogue (an
    activation, a scaled residual add).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GpuMmaConvs : Pass<"incept-gpu-mma-convs", "::mlir::func::FuncOp"> {
  let summary = "Convolutions as implicit GEMM on tensor cores (mma.sync in TF32, FP16, BF16)";
  let description = [{
    On buffers, before the other linalg ops become parallel loops: every
    `linalg.conv_2d_nchw_fchw` of static f32 memrefs becomes a `gpu.launch`
    computing it as an implicit GEMM (output pixels x output channels,
    reduced over input channels x filter taps) with `nvgpu.mma.sync`
    m16n8k8 in TF32: tiles of 4 warps (below), a 3-stage ring of shared
    tiles filled by `nvgpu.device_async_copy` (cp.async, zero-filled out of
    range) and read with `nvgpu.ldmatrix`, the accumulators in registers.
    The epilogue: the fill or bias broadcast just before the conv that
    writes its output is evaluated in registers instead, and the elementwise
    op just after it that reads and writes the output in place (see
    `incept-gpu-conv-outputs-in-place`) applied there; both are erased.
    Otherwise the accumulators are added to the output. A conv whose input
    is a buffer that a zero pad became (its border filled box by box,
    `incept-concat-in-place`) reads the interior instead, the copies
    zero-filling the padding, or the source of the one copy into the
    interior; the border's fills, and the buffer where only that copy
    wrote it, go once nothing else reads them. A copy of a whole channel
    range of a conv's output elsewhere (a merged 1x1 conv's branch into its
    concat slice), with nothing between that reads or writes either place
    differently, becomes the kernel's store of those channels there. TF32
    keeps
    10 bits of each operand's mantissa: the results differ from fp32 by
    about 1e-3 relative.

    With `precision=fp16` or `bf16`, each step of 16 is one mma.sync
    m16n8k16 instead: the tiles stay fp32, and each lane reads its
    fragments' pairs from them and converts them to nearest (`arith.truncf`;
    for BF16, which `nvgpu.mma.sync` lacks, `nvvm.mma.sync` on the pairs as
    32-bit registers).

    Each conv's block tile is the largest of 64x64, 64x32, 32x64 and 32x32
    whose grid gives each of the GPU's `multiprocessors` a block. Where not
    even 32x32 does (the 8x8 and 17x17 layers at small batches), the
    reduction is split among up to 16 blocks a tile (split-K, each at least
    4 steps of 16 long): they store partial sums into a workspace (a
    `memref.alloc`, for the arena planner after this pass), fence them and
    count the split done in the tile's count (a buffer of counts zeroed at
    the function's start); the block that finds the other splits done adds
    up the tile's sums, in split order (the result does not depend on which
    block came last), read volatile, and does the epilogue, in the same
    kernel.
  }];
  let options = [
    Option<"multiprocessors", "multiprocessors", "int64_t", /*default=*/"108",
           "streaming multiprocessors to fill (A100: 108, H100 SXM: 132)">,
    Option<"precision", "precision", "std::string", /*default=*/"\"tf32\"",
           "the operands' type: tf32 (m16n8k8), fp16 or bf16 (m16n8k16)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::LLVM::LLVMDialect", "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def GpuPools : Pass<"incept-gpu-pools", "::mlir::func::FuncOp"> {
  let summary = "Pools as one GPU kernel each, the padding skipped as they read";
  let description = [{
    On buffers, before the other linalg ops become parallel loops: every
    pool of static f32 memrefs (a linalg op over (n, c, oh, ow, kh, kw)
    reading its input at (oh*s + kh*d, ow*s + kw*d) through a window
    operand, whose body combines the output with the input by one op, such
    as a max or a sum) becomes a `gpu.launch` of one thread an output
    element, which reduces over the window's taps inside the input.
    Where the input is a buffer that a pad became (its border filled box by
    box, `incept-concat-in-place`) with the combining op's identity (0 for a
    sum; for a max, the lowest float or -inf), the kernel reads the interior
    (or the source of the one copy into it) and skips the taps outside; the
    border's fills go once nothing else reads them. The fill of the output
    with a constant just before the pool is the kernel's starting value
    instead. So a padded pool is one kernel where it was up to six (four
    border boxes, the start, the pool). Reductions of an input's last
    dimension with such a body (a global average pool's sums, over the
    columns and then the rows) become one kernel each the same way, from
    the fill of their output.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def GpuStreams : Pass<"incept-gpu-streams", "::mlir::ModuleOp"> {
  let summary = "Launch independent GPU kernels on streams of their own";
  let description = [{
    On a function of `gpu.launch_func` ops (after outlining and
    `incept-plan-arena`): each launch depends on the earlier launches that
    write the bytes it reads or writes, or read the bytes it writes (through
    views with static offsets of the function's arguments and allocations;
    what a kernel reads and writes of each argument from its body). Launches
    are then given streams in issue order: a launch continues the stream
    whose last launch it depends on, else takes a stream whose last launch
    it comes after anyway, or a new one, up to `max-streams`. It waits for
    its other dependencies through events: `incept_cuda_record_event(stream,
    i)` after the producing launch and `incept_cuda_wait_event(stream, i)`
    before it, functions of the CUDA runtime. The streams are `gpu.wait
    async` at the function's start (the runtime's run stream, then branch
    streams that start after it) and are joined by one `gpu.wait` at its
    end. So an Inception block's branches run at the same time, in one
    stream capture that becomes a graph with parallel branches. A function
    that does anything else with memory on the host, or whose launches all
    fall on one stream, is left as it is. The function records what was
    found in `incept.gpu_streams` (launches, the longest chain of launches
    that depend on each other, streams, events), which `incept-compile
    --stats` prints.
  }];
  let options = [
    Option<"maxStreams", "max-streams", "unsigned", /*default=*/"8",
           "Streams at most: the run's own and the runtime's branch streams">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowerGpuMath : Pass<"incept-lower-gpu-math", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Lower the math ops of GPU kernels without libdevice";
  let description = [{
    Runs on each `gpu.module` before `convert-gpu-to-nvvm`, which would call
    libdevice's `__nv_*` functions (linked only where a CUDA toolkit is
    found, so the PTX would depend on the machine; NVPTX itself has no exp,
    log or pow). On f32: `math.sqrt` becomes the intrinsic
    `llvm.nvvm.sqrt.rn.f` (IEEE, `sqrt.rn.f32`; convert-gpu-to-nvvm would
    send `llvm.intr.sqrt` to libdevice too), `math.rsqrt` one divided by
    it, `math.exp` an
    `llvm.intr.exp2` of x·log2(e); `arith.maxnumf` and `arith.minnumf`
    (which convert-gpu-to-nvvm also sends to libdevice) become
    `llvm.nvvm.fmax.f` and `llvm.nvvm.fmin.f`, PTX's `max.f32`/`min.f32`, which
    return the operand that is not NaN. Any other math op, or another type,
    is an error naming the op (and, through its location, the ONNX node).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect"];
}

def LowerCopies : Pass<"incept-lower-copies"> {
  let summary = "Turn memref.copy into linalg.copy, so that copies become loops";
  let description = [{
    Bufferization copies into strided views (a padded buffer's interior, a
    concat slice), and MLIR lowers a `memref.copy` between non-contiguous
    buffers to a call of `memrefCopy` from MLIR's runner utilities, which a
    compiled model must not depend on. As `linalg.copy` the copy becomes
    plain loops (or, later, vectorised code) like every other linalg op.

    With `parallel`, a copy of a function's body (a layer of its own: a
    concat that could not be written in place, a merged conv's slice) of
    64 KiB or more becomes a loop marked `incept.parallel` over its
    leading dimensions, each item a `linalg.copy` of one slice, so that
    the context's threads share it instead of one copying while the others
    wait; the items are as many as the target's cores get for a layer
    (KernelBuilders.h: parallelItemsFor), or the first dimensions' extent:

    ```mlir
    memref.copy %src, %dst : memref<1x12x71x71x16xf32> to memref<1x12x71x71x16xf32, strided<…>>
    // becomes
    scf.for %i = %c0 to %c12 step %c1 {
      %s = memref.subview %src[0, %i, 0, 0, 0] [1, 1, 71, 71, 16] [1, 1, 1, 1, 1]
      %d = memref.subview %dst[0, %i, 0, 0, 0] [1, 1, 71, 71, 16] [1, 1, 1, 1, 1]
      linalg.copy ins(%s : …) outs(%d : …)
    } {incept.parallel}
    ```
  }];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "split a function's copies of 64 KiB or more into the items of a "
           "parallel loop (CPU)">,
  ];
  // The incept dialect for the target description's attribute, which the
  // module may not carry.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect", "::incept::InceptDialect"];
}

def OutlineKernels : Pass<"incept-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Give every loop nest of a planned function its own function";
  let description = [{
    After the arena is planned, each linalg op of a function (one layer's
    loop nest) moves into a private, never-inlined function with the same
    arguments as its caller (the arena, the inputs, the outputs); the views
    and constants it reads are cloned in with it, and the caller becomes a
    sequence of calls. LLVM then optimises hundreds of small functions
    instead of one function the size of the network, which keeps compile
    time and memory linear in the model (Inception-ResNet v2 at -O3 took
    minutes and gigabytes as one function), and names each layer's code in
    profiles. The kernel is named after the ONNX node of the op when it has
    one.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def InstrumentKernels : Pass<"incept-instrument-kernels", "::mlir::ModuleOp"> {
  let summary = "Time every kernel of the model's entry point (--profile)";
  let description = [{
    A CPU library, after incept-outline-kernels: kernel call number k of the
    entry point is bracketed by `incept_profile_begin(k)` and
    `incept_profile_end(k)`, which the runtime's profiled context turns into
    times. A GPU library, after incept-gpu-streams: launch number k is
    bracketed by `incept_cuda_profile_begin(stream, k)` and
    `incept_cuda_profile_end(stream, k)` on its stream, which record CUDA
    timing events there (a launch on no stream gets one for its duration,
    the run's). Either way the module gets `incept.profiled_kernels`, the
    ONNX node of each kernel in that order, from which the compiler writes
    the model's table of layers.

    ```mlir
    call @net_forward_3_conv(%arena, %x, %y)
    // becomes
    call @incept_profile_begin(%c3_i32) : (i32) -> ()
    call @net_forward_3_conv(%arena, %x, %y)
    call @incept_profile_end(%c3_i32) : (i32) -> ()

    %t = gpu.launch_func async [%stream] @kernels::@conv ...
    // becomes
    call @incept_cuda_profile_begin(%stream, %c3_i32) : (!gpu.async.token, i32) -> ()
    %t = gpu.launch_func async [%stream] @kernels::@conv ...
    call @incept_cuda_profile_end(%stream, %c3_i32) : (!gpu.async.token, i32) -> ()
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect"];
}

def OutlineParallelLoops : Pass<"incept-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Run the kernels' parallel loops on the context's threads";
  let description = [{
    After incept-outline-kernels: each top-level `scf.for` of a kernel that
    is marked `incept.parallel` (its iterations are independent; it starts
    at 0 with step 1) becomes a function of an item range,
    `@K_items(%begin, %end, <the kernel's arguments>)`, and the kernel calls
    `@<forward>_parallel_for(@K_items, %count, <its arguments>)` instead:

    ```mlir
    scf.for %i = %c0 to %c32 step %c1 { ... } {incept.parallel}
    // becomes
    %items = func.constant @K_items : (index, index, memref<...>, ...) -> ()
    call @forward_parallel_for(%items, %c32, %arena, %input, %output)
    ```

    The model's wrapper defines `<forward>_parallel_for`; it calls the
    runtime, which splits [0, count) into one contiguous range per thread of
    the context. The views and constants the loop reads are cloned into the
    items function, which has the kernel's arguments, so nothing is captured.
    A loop that reads anything else stays serial.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif // INCEPT_PASSES_TD
