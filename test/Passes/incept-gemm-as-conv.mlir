// RUN: incept-opt %s --incept-gemm-as-conv | FileCheck %s

// A classifier's Gemm (transposed constant weight, per-output bias) becomes
// the 1x1 conv of the [M, K, 1, 1] batch, between two reshapes; the ReLU
// that reads it moves above the reshape, next to the conv.
// CHECK-LABEL: func.func @classifier
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]], {{\[\[}}3.000000e+00]]], {{\[\[\[}}4.000000e+00]], {{\[\[}}5.000000e+00]], {{\[\[}}6.000000e+00]]]]> : tensor<2x3x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK: %[[X:.*]] = incept.reshape %[[A]] : tensor<2x3xf32> -> tensor<2x3x1x1xf32>
// CHECK: %[[Y:.*]] = incept.conv %[[X]], %[[W]] bias %[[B]] {{.*}} -> tensor<2x2x1x1xf32>
// CHECK: %[[R:.*]] = incept.relu %[[Y]] : tensor<2x2x1x1xf32>
// CHECK: %[[O:.*]] = incept.reshape %[[R]] : tensor<2x2x1x1xf32> -> tensor<2x2xf32>
// CHECK: return %[[O]]
func.func @classifier(%a: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %c = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = incept.gemm %a, %w, %c {trans_b = true} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %r = incept.relu %y : tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// An untransposed weight [K, N] is transposed into OIHW.
// CHECK-LABEL: func.func @untransposed
// CHECK: arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}3.000000e+00]]], {{\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK: incept.conv
func.func @untransposed(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = incept.gemm %a, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// What a conv cannot compute stays a Gemm: a scaled product, a transposed
// input, a computed weight, a bias scaled by beta.
// CHECK-LABEL: func.func @stays
// CHECK-COUNT-4: incept.gemm
// CHECK-NOT: incept.conv
func.func @stays(%a: tensor<1x2xf32>, %at: tensor<2x1xf32>, %wv: tensor<2x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = incept.gemm %a, %w {alpha = 2.0 : f32} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %1 = incept.gemm %at, %w {trans_a = true} : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %2 = incept.gemm %a, %wv : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %3 = incept.gemm %a, %w, %c {beta = 0.5 : f32} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0, %1, %2, %3 : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>
}

// A classifier of external weights: trans_b's [N, K] is already OIHW (a
// copy, which the hoisting turns into the prepared weights), [K, N] is
// transposed; the bias is copied.
// CHECK-LABEL: func.func @external_weights
// CHECK-DAG: %[[B:.*]] = incept.external_weight 0 : tensor<3x2xf32>
// CHECK-DAG: %[[C:.*]] = incept.external_weight 1 : tensor<3xf32>
// CHECK-DAG: incept.prepare copy(%[[C]]) {params = array<i64: 3, 3>} : (tensor<3xf32>) -> tensor<3xf32>
// CHECK-DAG: incept.prepare copy(%[[B]]) {params = array<i64: 6, 6>} : (tensor<3x2xf32>) -> tensor<3x2x1x1xf32>
// CHECK-DAG: incept.prepare transpose(%{{.*}}) {params = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<3x2x1x1xf32>
// CHECK-NOT: incept.gemm
func.func @external_weights(%a: tensor<1x2xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>) {
  %b = incept.external_weight 0 : tensor<3x2xf32>
  %c = incept.external_weight 1 : tensor<3xf32>
  %bt = incept.external_weight 2 : tensor<2x3xf32>
  %0 = incept.gemm %a, %b, %c {trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %1 = incept.gemm %a, %bt, %c : (tensor<1x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %0, %1 : tensor<1x3xf32>, tensor<1x3xf32>
}
