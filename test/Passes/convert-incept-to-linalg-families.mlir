// families= lowers only the named op families (a faster lowering of the others
// runs first). An op that reaches the pass without a lowering is an error at
// the op, whose location is its ONNX node: here the concat 'join'.
// RUN: incept-opt %s --convert-incept-to-linalg=families=elementwise,structure | FileCheck %s --check-prefix=ALL-LOWERED
// RUN: not incept-opt %s --convert-incept-to-linalg=families=elementwise 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not incept-opt %s --convert-incept-to-linalg=families=elementwise,pools 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// ALL-LOWERED-NOT: incept.relu
// ALL-LOWERED-NOT: incept.concat
// MISSING: error: loc("join"): failed to legalize operation 'incept.concat'
// UNKNOWN: error: unknown op family 'pools' in families=

func.func @block(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %r = incept.relu %x : tensor<1x2x4x4xf32> loc("relu1")
  %c = incept.concat %r, %x {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> loc("join")
  return %c : tensor<1x4x4x4xf32>
}
