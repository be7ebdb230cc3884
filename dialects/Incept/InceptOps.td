//===- InceptOps.td - the ops of the incept dialect --------*- tablegen -*-===//
//
// Shapes are inferred (InferTypeOpAdaptor) by the functions in
// InceptOps.cpp; the verifier checks the declared result type against them.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_OPS_TD
#define INCEPT_OPS_TD

include "dialects/Incept/InceptDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

def Incept_ConvOp : Incept_Op<"conv", [Pure, AttrSizedOperandSegments,
                                       InferTypeOpAdaptor]> {
  let summary = "2-D convolution with an optional fused epilogue";
  let description = [{
    ONNX `Conv` on an NCHW input and an OIHW weight (`I = C / group`), with
    ONNX's padding convention `pads = [top, left, bottom, right]`, followed by
    an epilogue that graph passes fill in:

    ```
    y = activation(residual + residual_scale * (conv(input, weight) + bias))
    ```

    `bias` has one value per output channel; `residual` has the result's shape.
    `activation` is `none`, `relu`, or `clip` (then `clip_min`/`clip_max` give
    the bounds). Without a residual, `residual_scale` must be 1. `strategy`,
    once `incept-select-conv-strategy` has run, says how it is lowered.

    ```mlir
    %y = incept.conv %x, %w bias %b {strides = array<i64: 2, 2>,
           pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>,
           group = 1 : i64, activation = #incept<activation relu>}
         : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>)
           -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins
    Incept_Tensor4D:$input,
    Incept_Tensor4D:$weight,
    Optional<Incept_Tensor1D>:$bias,
    Optional<Incept_Tensor4D>:$residual,
    DenseI64ArrayAttr:$strides,
    DenseI64ArrayAttr:$pads,
    DenseI64ArrayAttr:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$group,
    DefaultValuedAttr<Incept_ActivationKindAttr,
                      "::incept::ActivationKind::none">:$activation,
    OptionalAttr<F32Attr>:$clip_min,
    OptionalAttr<F32Attr>:$clip_max,
    DefaultValuedAttr<F32Attr, "1.0f">:$residual_scale,
    OptionalAttr<Incept_ConvStrategyAttr>:$strategy
  );
  let results = (outs Incept_Tensor4D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? (`residual` $residual^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Incept_BatchNormOp : Incept_Op<"batch_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "inference-mode batch normalisation";
  let description = [{
    ONNX `BatchNormalization` in inference mode, per channel `c` of an NCHW
    input:
    `y = scale[c] * (x - mean[c]) / sqrt(variance[c] + epsilon) + bias[c]`.

    ```mlir
    %y = incept.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-03 : f32}
         : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>,
            tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor4D:$input, Incept_Tensor1D:$scale,
                   Incept_Tensor1D:$bias, Incept_Tensor1D:$mean,
                   Incept_Tensor1D:$variance,
                   DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Incept_Tensor4D:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict
    `:` functional-type(operands, results)
  }];
}

def Incept_LrnOp : Incept_Op<"lrn", [Pure, SameOperandsAndResultType]> {
  let summary = "local response normalisation across channels";
  let description = [{
    ONNX `LRN` (GoogLeNet v1): for channel `c` of an NCHW input,
    `y = x / (bias + alpha / size * sum(x[c']^2))^beta` where `c'` runs over
    `[c - floor((size-1)/2), c + ceil((size-1)/2)]` clipped to the channels.

    ```mlir
    %y = incept.lrn %x {size = 5 : i64, alpha = 1.0e-04 : f32, beta = 7.5e-01 : f32,
                        bias = 1.0 : f32} : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor4D:$input,
                   ConfinedAttr<I64Attr, [IntPositive]>:$size,
                   DefaultValuedAttr<F32Attr, "1e-4f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.75f">:$beta,
                   DefaultValuedAttr<F32Attr, "1.0f">:$bias);
  let results = (outs Incept_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Incept_ReluOp : Incept_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise max(x, 0)";
  let description = [{
    ```mlir
    %y = incept.relu %x : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor:$input);
  let results = (outs Incept_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Incept_ClipOp : Incept_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise min(max(x, min), max)";
  let description = [{
    ONNX `Clip`; bounds that the model leaves out are -inf and +inf. On an
    integer tensor the bounds must be integers (or infinite, meaning the
    type's limits) and are compared signed, or unsigned for `ui8`.

    ```mlir
    %y = incept.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins Incept_AnyTensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Incept_MaxPoolOp : Incept_Op<"max_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D max pooling";
  let description = [{
    ONNX `MaxPool` on NCHW. Padding positions never win (they count as -inf,
    or as the integer type's minimum on an integer tensor).
    With `ceil_mode` the output extent rounds up, except that a window may not
    start inside the trailing padding (PyTorch's and ONNX Runtime's rule).

    ```mlir
    %y = incept.max_pool %x {kernel_shape = array<i64: 3, 3>,
           strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>, ceil_mode = true}
         : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Incept_AnyTensor4D:$input,
                   DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Incept_AnyTensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Incept_MaxPoolWithIndicesOp : Incept_Op<"max_pool_with_indices",
                                             [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D max pooling that also returns where each max came from";
  let description = [{
    ONNX `MaxPool` with its second output, `Indices`, used: the same window
    and maxima as `incept.max_pool`, and for each output element the `i64`
    position of its max in the flattened input, batch and channel offsets
    included. With `storage_order = 0` (row-major) that is
    `((n * C + c) * H + h) * W + w`; with `storage_order = 1` the spatial
    part is column-major: `(n * C + c) * H * W + w * H + h`.

    Padding positions never win; on a tie the first max in window order
    (rows, then columns) wins, as in ONNX Runtime. A window whose every
    input value is the lowest value (-inf, or the integer minimum) reports
    its first position inside the input.

    The canonicaliser turns it into `incept.max_pool` when `indices` is
    unused.

    ```mlir
    %y, %i = incept.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>,
               strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
               dilations = array<i64: 1, 1>, storage_order = 1 : i64}
         : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
    ```
  }];
  let arguments = (ins Incept_AnyTensor4D:$input,
                   DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<I64Attr, "0">:$storage_order);
  let results = (outs Incept_AnyTensor4D:$output,
                      Incept_IndexTensor4D:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Incept_AvgPoolOp : Incept_Op<"avg_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D average pooling";
  let description = [{
    ONNX `AveragePool` on NCHW. The divisor of a window is the number of its
    positions inside the input, or, with `count_include_pad`, inside the
    padded input `[-top, H + bottom) x [-left, W + right)`; positions that a
    `ceil_mode` window reaches past the padding never count (PyTorch's and
    ONNX Runtime's rule). Under that rule an explicit zero `Pad` followed by an
    `AveragePool` is exactly an `avg_pool` with those pads and
    `count_include_pad`, which the canonicaliser uses.

    ```mlir
    %y = incept.avg_pool %x {kernel_shape = array<i64: 3, 3>,
           strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
           ceil_mode = true, count_include_pad = true}
         : (tensor<1x192x28x28xf32>) -> tensor<1x192x28x28xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor4D:$input,
                   DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Incept_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Incept_GlobalAvgPoolOp : Incept_Op<"global_avg_pool",
                                       [Pure, InferTypeOpAdaptor]> {
  let summary = "mean over the spatial dimensions";
  let description = [{
    ONNX `GlobalAveragePool`: NCHW to NC11.

    ```mlir
    %y = incept.global_avg_pool %x : (tensor<1x1024x7x7xf32>) -> tensor<1x1024x1x1xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor4D:$input);
  let results = (outs Incept_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Tensor structure
//===----------------------------------------------------------------------===//

def Incept_ConcatOp : Incept_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "concatenation along one axis";
  let description = [{
    ONNX `Concat`; `axis` is non-negative. In Inception blocks it joins the
    branches along the channel axis.

    ```mlir
    %y = incept.concat %a, %b {axis = 1 : i64}
         : (tensor<1x64x28x28xf32>, tensor<1x128x28x28xf32>) -> tensor<1x192x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<Incept_AnyTensor>:$inputs,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Incept_SliceOp : Incept_Op<"slice", [Pure]> {
  let summary = "a contiguous range of one axis";
  let description = [{
    The elements `start .. start + size` of dimension `axis`, where `size` is
    the result's extent along it; every other dimension is kept whole. Graph
    passes make it: the convs merged by `incept-merge-sibling-convs` hand each
    former user its channels of the wide result. It lowers to a view, and a
    slice that goes into a concat makes its producer write straight into the
    concat's buffer (`incept-concat-in-place`).

    ```mlir
    %y = incept.slice %x {axis = 1 : i64, start = 64 : i64}
         : (tensor<1x176x28x28xf32>) -> tensor<1x96x28x28xf32>
    ```
  }];
  let arguments = (ins Incept_AnyTensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$start);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Incept_ReshapeOp : Incept_Op<"reshape", [Pure]> {
  let summary = "same elements, new static shape";
  let description = [{
    ONNX `Reshape` with a constant shape, and `Flatten`: the result type is the
    new shape, with the same number of elements.

    ```mlir
    %y = incept.reshape %x : tensor<1x1024x1x1xf32> -> tensor<1x1024xf32>
    ```
  }];
  let arguments = (ins Incept_AnyTensor:$input);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Incept_PadOp : Incept_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "pad (or, with negative amounts, crop) every dimension";
  let description = [{
    ONNX `Pad`: `pads` holds the amounts added before every dimension, then
    those added after (`[x1_begin, x2_begin, ..., x1_end, x2_end, ...]`).
    `mode` is `constant` (filled with `value`), `reflect` or `edge`. On an
    integer tensor `value` must be an integer that the element type holds.

    ```mlir
    %y = incept.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>,
                        mode = #incept<pad_mode constant>, value = 0.0 : f32}
         : (tensor<1x64x28x28xf32>) -> tensor<1x64x30x30xf32>
    ```
  }];
  let arguments = (ins Incept_AnyTensor:$input,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<Incept_PadModeAttr,
                                     "::incept::PadMode::constant">:$mode,
                   DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic and the classifier
//===----------------------------------------------------------------------===//

class Incept_BroadcastBinaryOp<string mnemonic, string what>
    : Incept_Op<mnemonic, [Pure, Commutative, InferTypeOpAdaptor]> {
  let summary = "elementwise " # what # " with NumPy broadcasting";
  let description = [{
    ONNX's multidirectional (NumPy) broadcasting: shapes are aligned on the
    right and each pair of dimensions must be equal or one of them 1. Both
    operands have one element type; integers wrap around (two's complement).

    ```mlir
    %y = incept.}] # mnemonic # [{ %a, %b : (tensor<1x320x17x17xf32>, tensor<1xf32>)
         -> tensor<1x320x17x17xf32>
    ```
  }];
  let arguments = (ins Incept_AnyTensor:$lhs, Incept_AnyTensor:$rhs);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Incept_AddOp : Incept_BroadcastBinaryOp<"add", "addition">;
def Incept_MulOp : Incept_BroadcastBinaryOp<"mul", "multiplication">;

def Incept_GemmOp : Incept_Op<"gemm", [Pure, InferTypeOpAdaptor]> {
  let summary = "general matrix multiply (fully connected layer)";
  let description = [{
    ONNX `Gemm`: `y = alpha * op(a) * op(b) + beta * c`, where `op` transposes
    when `trans_a`/`trans_b` is set and `c` (optional) broadcasts to `[M, N]`.

    ```mlir
    %y = incept.gemm %a, %b, %c {trans_b = true}
         : (tensor<1x1024xf32>, tensor<1000x1024xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor:$a, Incept_Tensor:$b,
                   Optional<Incept_Tensor>:$c,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta);
  let results = (outs Incept_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Incept_SoftmaxOp : Incept_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let description = [{
    ONNX `Softmax` (opset 13 semantics): `exp(x) / sum(exp(x))` along `axis`,
    which is non-negative.

    ```mlir
    %y = incept.softmax %x {axis = 1 : i64} : tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Incept_Tensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Incept_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused convolution chains
//===----------------------------------------------------------------------===//

def Incept_ConvChainOp : Incept_Op<"conv_chain", [Pure,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "a conv and the convs that read its result, computed tile by tile";
  let description = [{
    A producer conv whose result is read by nothing but one or more consumer
    convs (a factorised 1xN feeding an Nx1, an Nx1 feeding a 1xN, a 1x1
    reduction feeding a KxK, or one reduction feeding two parallel convs as
    in Inception v3's split branches). The body holds the convs themselves:
    its argument is the chain's input, the first op is the producer reading
    it, every other conv reads the producer's result, and `incept.yield`
    returns the consumers' results in order. Weights, biases and residuals
    are read from above.

    The intermediate (the producer's result) is never stored as a whole
    tensor: the backend walks the output by bands of rows, and for each band
    computes the producer on just the rows the consumers' windows need
    (recomputing the overlap between bands) into a small buffer that stays
    in cache, then the consumers on that buffer. `incept-fuse-conv-chains`
    forms it.

    ```mlir
    %y = incept.conv_chain %x : (tensor<1x768x17x17xf32>) -> tensor<1x192x17x17xf32> {
    ^bb0(%in: tensor<1x768x17x17xf32>):
      %m = incept.conv %in, %w1 bias %b1 {...} : ... -> tensor<1x160x17x17xf32>
      %o = incept.conv %m, %w2 bias %b2 {...} : ... -> tensor<1x192x17x17xf32>
      incept.yield %o : tensor<1x192x17x17xf32>
    }
    ```
  }];
  let arguments = (ins Incept_Tensor4D:$input);
  let results = (outs Variadic<Incept_Tensor4D>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The conv that reads the chain's input.
    ConvOp getProducer();
    /// The convs that read the producer's result, in the order of the results.
    ::llvm::SmallVector<ConvOp, 4> getConsumers();
  }];
}

def Incept_YieldOp : Incept_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"ConvChainOp">]> {
  let summary = "the results of a conv chain";
  let arguments = (ins Variadic<Incept_Tensor4D>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, ::mlir::ValueRange()); }]>];
}

//===----------------------------------------------------------------------===//
// External weights (--weights=external)
//===----------------------------------------------------------------------===//

def Incept_ExternalWeightOp : Incept_Op<"external_weight", [Pure]> {
  let summary = "a tensor of the weights file";
  let description = [{
    With `--weights=external`, an f32 initializer of more than 16 elements is
    not a constant but entry `index` of the weights file's manifest (the
    module's `incept.external_weights`, in the order the model first reads
    them), whose values the library reads when a context is created.

    ```mlir
    %w = incept.external_weight 3 : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$index);
  let results = (outs Incept_AnyTensor:$output);
  let assemblyFormat = "$index attr-dict `:` type($output)";
}

def Incept_PrepareOp : Incept_Op<"prepare", [Pure]> {
  let summary = "a weight preparation step on weights that are not constants";
  let description = [{
    The results of `incept_prepare_<step>` (runtime/include/incept/prepare.h)
    on the operands, flattened, with the integer `params` and real `scalars`
    that the step lists. Graph passes and conv lowerings make one where they
    would fold weights that are not constants (external weights); on
    constants they run the step at once (`prepareWeights`). The lowering
    hoists every prepare into the library's `<name>_prepare`, which `create`
    runs (incept-hoist-weight-preparation).

    ```mlir
    %w2, %b2 = incept.prepare batch_norm (%w, %s, %t, %m, %v)
        {params = array<i64: 64, 147, 0, 0>, scalars = array<f64: 1.0e-5>}
        : (tensor<64x3x7x7xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>) -> (tensor<64x3x7x7xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Incept_PrepareStepAttr:$step,
                   Variadic<Incept_AnyTensor>:$inputs,
                   DenseI64ArrayAttr:$params,
                   DefaultValuedAttr<DenseF64ArrayAttr, "{}">:$scalars);
  let results = (outs Variadic<Incept_AnyTensor>:$outputs);
  let assemblyFormat = [{
    $step `(` $inputs `)` attr-dict `:` functional-type($inputs, results)
  }];
  let hasVerifier = 1;
}

#endif // INCEPT_OPS_TD
