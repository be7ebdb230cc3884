//===- Passes.td - Incept's passes ---------------------------*- tablegen -*-===//

#ifndef INCEPT_PASSES_TD
#define INCEPT_PASSES_TD

include "mlir/Pass/PassBase.td"

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
