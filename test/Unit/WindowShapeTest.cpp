//===- WindowShapeTest.cpp - extents of conv and pool windows -------------===//
//
// Expected values are PyTorch's documented output-size formula
// (torch.nn.MaxPool2d / Conv2d), worked out by hand for each case.
//
//===----------------------------------------------------------------------===//

#include "dialects/Incept/WindowShape.h"

#include <gtest/gtest.h>

using incept::samePadding;
using incept::windowOutputSize;
using Pads = std::pair<int64_t, int64_t>;

TEST(WindowOutputSize, FloorModeMatchesConvolutionFormula) {
  // GoogLeNet's stem: 224, 7x7, stride 2, pad 3 -> 112.
  EXPECT_EQ(windowOutputSize(224, 7, 2, 3, 3, 1, false), 112);
  // Inception v3's stem: 299, 3x3, stride 2, no pad -> 149.
  EXPECT_EQ(windowOutputSize(299, 3, 2, 0, 0, 1, false), 149);
  // 1x7 factorised conv keeps the extent with pad 3.
  EXPECT_EQ(windowOutputSize(17, 7, 1, 3, 3, 1, false), 17);
}

TEST(WindowOutputSize, CeilModeRoundsUp) {
  // GoogLeNet's max pools: 112 -> 56, 56 -> 28, 14 -> 7 (2x2 stride 2).
  EXPECT_EQ(windowOutputSize(112, 3, 2, 0, 0, 1, true), 56);
  EXPECT_EQ(windowOutputSize(56, 3, 2, 0, 0, 1, true), 28);
  EXPECT_EQ(windowOutputSize(14, 2, 2, 0, 0, 1, true), 7);
  // floor((5-3)/2)+1 = 2 but ceil mode gives 3 on 6: ceil((6-3)/2)+1 = 3.
  EXPECT_EQ(windowOutputSize(6, 3, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(windowOutputSize(6, 3, 2, 0, 0, 1, true), 3);
}

TEST(WindowOutputSize, CeilModeWindowMayNotStartInTrailingPadding) {
  // in 4, k 2, s 2, pads 1/1: ceil(4/2)+1 = 3; the third window starts at
  // padded index 4, real index 3, inside the input: kept.
  // in 3, same window: ceil(3/2)+1 = 3; the third window starts at padded
  // index 4, real index 3 = in: only padding, dropped -> 2.
  EXPECT_EQ(windowOutputSize(4, 2, 2, 1, 1, 1, true), 3);
  EXPECT_EQ(windowOutputSize(3, 2, 2, 1, 1, 1, true), 2);
}

TEST(WindowOutputSize, DilationWidensTheWindow) {
  // 3x3 with dilation 2 spans 5: 7 -> 3.
  EXPECT_EQ(windowOutputSize(7, 3, 1, 0, 0, 2, false), 3);
}

TEST(WindowOutputSize, TooSmallInputHasNoWindow) {
  EXPECT_EQ(windowOutputSize(2, 3, 1, 0, 0, 1, false), 0);
}

TEST(SamePadding, UpperPutsTheOddPixelAtTheEnd) {
  // ONNX auto_pad SAME_UPPER: 32, k 2, s 1 needs 1 pad: (0, 1).
  EXPECT_EQ(samePadding(32, 2, 1, 1, true), Pads(0, 1));
  EXPECT_EQ(samePadding(32, 2, 1, 1, false), Pads(1, 0));
  // 5, k 3, s 2: out 3, total (3-1)*2+3-5 = 2 -> (1, 1).
  EXPECT_EQ(samePadding(5, 3, 2, 1, true), Pads(1, 1));
}
