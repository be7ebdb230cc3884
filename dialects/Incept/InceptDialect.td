//===- InceptDialect.td - the incept dialect ---------------*- tablegen -*-===//
//
// The dialect, its enums and the base class of its ops.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_DIALECT_TD
#define INCEPT_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Incept_Dialect : Dialect {
  let name = "incept";
  let cppNamespace = "::incept";
  let summary = "High-level ops of Inception-family convolutional networks";
  let description = [{
    One op per ONNX concept that matters for the Inception family, on statically
    shaped `f32` tensors in NCHW layout (the elementwise, pooling and
    structural ops also take the integer tensors ONNX defines them on: `i8`,
    `ui8`, `i32`, `i64` and `i1`). Ops carry ONNX's attribute conventions
    (pads as `[top, left, bottom, right]`, weights as `OIHW`) so that import is
    a one-to-one translation and every graph pass can be checked against the
    ONNX semantics. The convolution carries an optional fused epilogue
    (bias, activation, scaled residual) that graph passes fill in.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect"];
  let useDefaultAttributePrinterParser = 1;
}

def Incept_ActivationKind : I32EnumAttr<"ActivationKind",
    "activation applied in an op's epilogue", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"relu", 1>,
      I32EnumAttrCase<"clip", 2>
    ]> {
  let cppNamespace = "::incept";
  let genSpecializedAttr = 0;
}

def Incept_ActivationKindAttr : EnumAttr<Incept_Dialect, Incept_ActivationKind,
                                         "activation"> {
  let assemblyFormat = "$value";
}

def Incept_PadMode : I32EnumAttr<"PadMode", "how incept.pad fills the border", [
      I32EnumAttrCase<"constant", 0>,
      I32EnumAttrCase<"reflect", 1>,
      I32EnumAttrCase<"edge", 2>
    ]> {
  let cppNamespace = "::incept";
  let genSpecializedAttr = 0;
}

def Incept_PadModeAttr : EnumAttr<Incept_Dialect, Incept_PadMode, "pad_mode"> {
  let assemblyFormat = "$value";
}

def Incept_PrepareStep : I32EnumAttr<"PrepareStep",
    "a weight preparation step (incept/prepare.h's incept_prepare_<step>)", [
      I32EnumAttrCase<"batch_norm", 0>,
      I32EnumAttrCase<"scale_channels", 1>,
      I32EnumAttrCase<"add_channels", 2>,
      I32EnumAttrCase<"concat", 3>,
      I32EnumAttrCase<"copy", 4>,
      I32EnumAttrCase<"broadcast", 5>,
      I32EnumAttrCase<"transpose", 6>,
      I32EnumAttrCase<"pack_blocked", 7>,
      I32EnumAttrCase<"winograd_filters", 8>
    ]> {
  let cppNamespace = "::incept";
  let genSpecializedAttr = 0;
}

def Incept_PrepareStepAttr : EnumAttr<Incept_Dialect, Incept_PrepareStep, "step"> {
  let assemblyFormat = "$value";
}

def Incept_ConvStrategyKind : I32EnumAttr<"ConvStrategyKind",
    "how a convolution is lowered", [
      I32EnumAttrCase<"reference", 0>,
      I32EnumAttrCase<"plane_loops", 1>,
      I32EnumAttrCase<"blocked", 2>,
      I32EnumAttrCase<"winograd", 3>
    ]> {
  let cppNamespace = "::incept";
  let genSpecializedAttr = 0;
}

def Incept_ConvStrategyAttr : AttrDef<Incept_Dialect, "ConvStrategy"> {
  let mnemonic = "conv_strategy";
  let summary = "the lowering chosen for one convolution, with its tiles";
  let description = [{
    Set by `incept-select-conv-strategy`, read by the conv lowering:
    `reference` is the named linalg convolution of -O0, `plane_loops` the
    vectorisable loops over whole output planes, `blocked` the
    register-tiled direct convolution on a channel-blocked layout: `block`
    channels a vector, `tile_f` output-channel blocks × `tile_w` output
    pixels of accumulators held in registers across the whole reduction.
    `winograd` (3x3 stride-1 convs) is Winograd's F(4x4, 3x3) on the same
    layout: its 36 elementwise products run on the blocked kernel, whose
    tiles `tile_f` × `tile_w` (pixels: 4x4 tiles of the output) it gives.

    ```mlir
    #incept.conv_strategy<blocked, block = 16, tile_f = 4, tile_w = 6>
    ```
  }];
  let extraClassDeclaration = [{
    /// Whether the conv is lowered on the channel-blocked layout.
    bool isBlocked() const {
      return getKind() == ConvStrategyKind::blocked ||
             getKind() == ConvStrategyKind::winograd;
    }
  }];
  let parameters = (ins
    EnumParameter<Incept_ConvStrategyKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$block,
    DefaultValuedParameter<"int64_t", "0">:$tile_f,
    DefaultValuedParameter<"int64_t", "0">:$tile_w
  );
  let assemblyFormat = "`<` $kind (`,` struct($block, $tile_f, $tile_w)^)? `>`";
}

def Incept_TargetAttr : AttrDef<Incept_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "what the code is generated for: vectors, registers, caches, cores";
  let description = [{
    The module attribute `incept.target`, set by `incept-compile` from
    `--march` (default: the host) and read by every pass that makes a
    target-dependent choice, instead of constants in the pass: the vector
    width in bits, the number of vector registers, whether there is FMA, the
    data cache sizes per core in bytes, and the cores. Lit tests set it to
    test the AVX2 and AVX-512 forms on any machine.

    ```mlir
    module attributes {incept.target = #incept.target<cpu = "znver4",
        vector_bits = 512, vector_registers = 32, fma = true,
        l1d_bytes = 32768, l2_bytes = 1048576, l3_bytes = 33554432, cores = 2>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"LLVM's CPU name">:$cpu,
    "int64_t":$vector_bits,
    "int64_t":$vector_registers,
    "bool":$fma,
    "int64_t":$l1d_bytes,
    "int64_t":$l2_bytes,
    "int64_t":$l3_bytes,
    "int64_t":$cores
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let extraClassDeclaration = [{
    /// f32 lanes of one vector register.
    int64_t getFloatLanes() const { return getVectorBits() / 32; }
  }];
}

/// Every value the dialect computes on: a statically shaped f32 tensor.
def Incept_Tensor : StaticShapeTensorOf<[F32]>;

/// The element types of the ops that ONNX also defines on integers (Add, Mul,
/// Clip, MaxPool, Pad and the structural ops): f32, and the integer dtypes
/// `i8` (int8), `ui8` (uint8), `i32` (int32), `i64` (int64) and `i1` (bool,
/// stored one byte per element at the ABI). Only uint8 carries its
/// signedness in the type (`ui8`), since max, min and the integer minimum
/// depend on it; the lowering turns `ui8` into signless `i8` and picks the
/// unsigned arith ops for it.
def Incept_AnyTensor : StaticShapeTensorOf<[F32, I1, I8, UI8, I32, I64]>;

/// An NCHW tensor of any of those element types.
def Incept_AnyTensor4D : Type<And<[Incept_AnyTensor.predicate, HasAnyRankOfPred<[4]>]>,
    "statically shaped 4-D tensor of f32, i1, i8, ui8, i32 or i64",
    "::mlir::RankedTensorType">;

/// An NCHW tensor of positions (MaxPool's Indices).
def Incept_IndexTensor4D : Type<And<[StaticShapeTensorOf<[I64]>.predicate,
                                     HasAnyRankOfPred<[4]>]>,
    "statically shaped 4-D i64 tensor", "::mlir::RankedTensorType">;

/// An NCHW activation or an OIHW weight.
def Incept_Tensor4D : Type<And<[Incept_Tensor.predicate, HasAnyRankOfPred<[4]>]>,
    "statically shaped 4-D f32 tensor", "::mlir::RankedTensorType">;

/// A per-channel parameter vector.
def Incept_Tensor1D : Type<And<[Incept_Tensor.predicate, HasAnyRankOfPred<[1]>]>,
    "statically shaped 1-D f32 tensor", "::mlir::RankedTensorType">;

class Incept_Op<string mnemonic, list<Trait> traits = []>
    : Op<Incept_Dialect, mnemonic, traits>;

#endif // INCEPT_DIALECT_TD
