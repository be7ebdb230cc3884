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
  }];
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
    other user, and `x` must have the result's shape.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseEpilogue : Pass<"incept-fuse-epilogue", "::mlir::func::FuncOp"> {
  let summary = "Move bias adds, ReLU/Clip and residual adds into the conv's epilogue";
  let description = [{
    The conv computes `act(residual + residual_scale * (conv + bias))` in
    registers as it stores its result; this pass fills that in from the ops
    that follow a conv with no other user: an add of a per-channel constant
    (`[C]`, `[1,C,1,1]` or a scalar) joins the bias; an add of a tensor of the
    result's shape becomes the residual; a relu, or a clip, becomes the
    activation (once the activation is set nothing else can be fused after
    it). What is left standalone after this pass on a family model is an
    elementwise op with no conv producer.
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

    Cost rule: a group is merged only where it is at least two convs and
    the merged conv is 1x1 or the input is read at least as many times as
    it has output pixels per weight (so that one pass over the input is what
    is saved); the backend splits the merged result's stores by slice, so
    a slice that feeds a concat is still written in place.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseConvChains : Pass<"incept-fuse-conv-chains", "::mlir::func::FuncOp"> {
  let summary = "Fuse factorised 1xN/Nx1 pairs and 1x1→KxK chains into conv_chain ops";
  let description = [{
    A conv whose result is read only by convs (as their input) and which
    has no other user becomes the producer of an `incept.conv_chain` with
    those convs as consumers: a 1xN feeding an Nx1 and the reverse (Inception
    v3's and v4's 1x7/7x1 and 1x3/3x1), a 1x1 reduction feeding a KxK, and a
    reduction feeding two parallel convs (v3's split branches). The backend
    then computes the chain band by band, so the intermediate never goes to
    memory as a whole tensor. Chains are formed greedily from the input side;
    a consumer is never a producer of another chain, and a producer whose
    result is sliced (a merged reduction) is left alone.
  }];
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
    can replace one family at a time. An op variant that cannot be lowered is
    an error naming the op's ONNX node.
  }];
  let options = [
    Option<"planeLoops", "plane-loops", "bool", /*default=*/"false",
           "Emit ungrouped convolutions as a linalg.generic whose innermost "
           "loops run over an output plane (vectorisable by LLVM) instead of "
           "the named NCHW op">,
    ListOption<"families", "families", "std::string",
               "Op families to lower (conv, pool, normalization, elementwise, "
               "structure, classifier; default: all). A faster lowering that "
               "has taken over a family runs first and leaves it out here; an "
               "op of a family left out and not lowered before is an error at "
               "its ONNX node">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def ConcatInPlace : Pass<"incept-concat-in-place", "::mlir::ModuleOp"> {
  let summary = "Make producers write straight into concat slices and padded buffers";
  let description = [{
    Runs on linalg on tensors, before bufferization. Every `tensor.pad` with
    a constant value becomes a fill of a new buffer and an insert of its
    source into the interior; then every `tensor.insert_slice` (a concat's
    branch, a pad's interior) whose source is computed into a `tensor.empty`
    gets that empty tensor replaced by the destination's slice (MLIR's
    empty-tensor elimination), so the branch's last op writes into the
    concat's buffer and bufferization emits no copy. A wide conv result read
    through slices (merged siblings) is first split into one store per slice,
    each of which can then be written in place. What still copies: a tensor
    that several destinations want (a block input padded for two different
    convs), and the model's inputs, which the caller owns.
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
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowerCopies : Pass<"incept-lower-copies"> {
  let summary = "Turn memref.copy into linalg.copy, so that copies become loops";
  let description = [{
    Bufferization copies into strided views (a padded buffer's interior, a
    concat slice), and MLIR lowers a `memref.copy` between non-contiguous
    buffers to a call of `memrefCopy` from MLIR's runner utilities, which a
    compiled model must not depend on. As `linalg.copy` the copy becomes
    plain loops (or, later, vectorised code) like every other linalg op.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

#endif // INCEPT_PASSES_TD
