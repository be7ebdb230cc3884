//===- ConvLowerings.h - the conv strategies, side by side -------*- C++ -*-===//
//
// One builder per `#incept.conv_strategy` kind; ConvToLinalg.cpp's pattern
// picks one by the conv's strategy attribute. A new strategy (Winograd, a GPU
// kernel) is one more builder here and one more case there.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_CONV_CONVLOWERINGS_H
#define INCEPT_PASSES_LOWERING_CONV_CONVLOWERINGS_H

#include "dialects/Incept/InceptOps.h"

#include "mlir/IR/Builders.h"

namespace incept {

/// Bytes a cycle one core reads weights at from beyond L2 (L3 or DRAM), in
/// the cost models of the strategy pass and of the blocked kernel's work
/// items: at batch 1 a model's weights are read once an inference and stay
/// in no cache. 4 is what one Zen 3 core got (Inception v3's 8x8 F(4x4, 3x3)
/// products, 24.8 MB of U in 2.2 ms: 11 GB/s).
inline constexpr double kWeightStreamBytesPerCycle = 4;

/// `reference` (the named linalg convolution) or, with `planeLoops`,
/// `plane_loops`. The operands are the conv's, converted.
mlir::Value lowerReferenceConv(mlir::OpBuilder &builder, ConvOp op,
                               mlir::Value input, mlir::Value weight,
                               mlir::Value bias, mlir::Value residual,
                               bool planeLoops);

/// `blocked`: the register-tiled direct convolution on the channel-blocked
/// layout. Fails (and creates nothing) unless the conv is ungrouped and its
/// weights and bias are constants, which the strategy pass checks.
mlir::FailureOr<mlir::Value>
lowerBlockedConv(mlir::OpBuilder &builder, ConvOp op, ConvStrategyAttr strategy,
                 mlir::Value input, mlir::Value weight, mlir::Value bias,
                 mlir::Value residual);

/// Whether `conv` has the shape of a `winograd` conv: ungrouped, 3x3,
/// stride 1, dilation 1.
bool isWinogradConv(ConvOp conv);

/// `winograd`: F(4x4, 3x3) on the channel-blocked layout, its products on
/// the blocked kernel. Fails (and creates nothing) unless isWinogradConv and
/// the weights and bias are constants, which the strategy pass checks.
mlir::FailureOr<mlir::Value>
lowerWinogradConv(mlir::OpBuilder &builder, ConvOp op, ConvStrategyAttr strategy,
                  mlir::Value input, mlir::Value weight, mlir::Value bias,
                  mlir::Value residual);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_CONV_CONVLOWERINGS_H
