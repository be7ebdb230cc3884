// incept.conv_chain: printing and parsing, and its verifier.
// RUN: incept-opt %s --split-input-file --verify-diagnostics | FileCheck %s
// RUN: incept-opt %s --split-input-file --verify-diagnostics | incept-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x8x17x17xf32>, %[[W1:[^:]*]]: tensor<4x8x1x7xf32>, %[[B1:[^:]*]]: tensor<4xf32>, %[[W2:[^:]*]]: tensor<6x4x7x1xf32>, %[[W3:[^:]*]]: tensor<5x4x1x1xf32>, %[[R:[^:]*]]: tensor<1x5x17x17xf32>)
// CHECK: %[[C:.*]]:2 = incept.conv_chain %[[X]] : (tensor<1x8x17x17xf32>) -> (tensor<1x6x17x17xf32>, tensor<1x5x17x17xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x8x17x17xf32>):
// CHECK-NEXT: %[[M:.*]] = incept.conv %[[IN]], %[[W1]] bias %[[B1]] {activation = #incept<activation relu>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>, strides = array<i64: 1, 1>} : (tensor<1x8x17x17xf32>, tensor<4x8x1x7xf32>, tensor<4xf32>) -> tensor<1x4x17x17xf32>
// CHECK-NEXT: %[[A:.*]] = incept.conv %[[M]], %[[W2]] {{{.*}}} : (tensor<1x4x17x17xf32>, tensor<6x4x7x1xf32>) -> tensor<1x6x17x17xf32>
// CHECK-NEXT: %[[B:.*]] = incept.conv %[[M]], %[[W3]] residual %[[R]] {{{.*}}} : (tensor<1x4x17x17xf32>, tensor<5x4x1x1xf32>, tensor<1x5x17x17xf32>) -> tensor<1x5x17x17xf32>
// CHECK-NEXT: incept.yield %[[A]], %[[B]] : tensor<1x6x17x17xf32>, tensor<1x5x17x17xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[C]]#0, %[[C]]#1
func.func @chain(%x: tensor<1x8x17x17xf32>, %w1: tensor<4x8x1x7xf32>, %b1: tensor<4xf32>,
                 %w2: tensor<6x4x7x1xf32>, %w3: tensor<5x4x1x1xf32>, %r: tensor<1x5x17x17xf32>)
    -> (tensor<1x6x17x17xf32>, tensor<1x5x17x17xf32>) {
  %y:2 = incept.conv_chain %x : (tensor<1x8x17x17xf32>) -> (tensor<1x6x17x17xf32>, tensor<1x5x17x17xf32>) {
  ^bb0(%in: tensor<1x8x17x17xf32>):
    %m = incept.conv %in, %w1 bias %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 3, 0, 3>,
           dilations = array<i64: 1, 1>, activation = #incept<activation relu>}
         : (tensor<1x8x17x17xf32>, tensor<4x8x1x7xf32>, tensor<4xf32>) -> tensor<1x4x17x17xf32>
    %a = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 3, 0>,
           dilations = array<i64: 1, 1>}
         : (tensor<1x4x17x17xf32>, tensor<6x4x7x1xf32>) -> tensor<1x6x17x17xf32>
    %b = incept.conv %m, %w3 residual %r {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>}
         : (tensor<1x4x17x17xf32>, tensor<5x4x1x1xf32>, tensor<1x5x17x17xf32>) -> tensor<1x5x17x17xf32>
    incept.yield %a, %b : tensor<1x6x17x17xf32>, tensor<1x5x17x17xf32>
  }
  return %y#0, %y#1 : tensor<1x6x17x17xf32>, tensor<1x5x17x17xf32>
}

// -----

func.func @argument_type(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{body must take one argument of the input's type}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x8xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x8xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x8xf32>
    incept.yield %m : tensor<1x4x9x8xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @producer_first(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{body must start with the producer conv reading the argument}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %r = incept.relu %in : tensor<1x8x9x9xf32>
    %m = incept.conv %r, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %o : tensor<1x4x9x9xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @no_results(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>) {
  // expected-error @+1 {{must yield one value per result, and at least one}}
  incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> () {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    incept.yield
  }
  return
}

// -----

func.func @not_a_conv(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{body may hold only convs, found incept.relu}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %r = incept.relu %m : tensor<1x4x9x9xf32>
    %o = incept.conv %r, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %o : tensor<1x4x9x9xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @consumer_of_other(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>,
                             %other: tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{every consumer conv must read the producer's result}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %o = incept.conv %other, %w2 residual %m {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>, tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %o : tensor<1x4x9x9xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @consumer_reads_input(%x: tensor<1x8x9x9xf32>, %w: tensor<8x8x1x1xf32>) -> tensor<1x8x9x9xf32> {
  // expected-error @+1 {{consumer convs may not read the chain's input}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x8x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x9x9xf32>
    %o = incept.conv %m, %w residual %in {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<8x8x1x1xf32>, tensor<1x8x9x9xf32>) -> tensor<1x8x9x9xf32>
    incept.yield %o : tensor<1x8x9x9xf32>
  }
  return %y : tensor<1x8x9x9xf32>
}

// -----

func.func @yields_producer(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{must yield each consumer conv's result once}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %m : tensor<1x4x9x9xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @yields_twice(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>)
    -> (tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) {
  // expected-error @+1 {{must yield each consumer conv's result once}}
  %y:2 = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> (tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %o, %o : tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>
  }
  return %y#0, %y#1 : tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>
}

// -----

func.func @result_type(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x3x3xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{result types must be the yielded values' types}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
    incept.yield %o : tensor<1x4x7x7xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @consumer_not_yielded(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{every consumer conv's result must be yielded exactly once}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %o = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32>
    %p = incept.conv %m, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %o : tensor<1x4x9x9xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}

// -----

func.func @producer_read_twice(%x: tensor<1x8x9x9xf32>, %w: tensor<4x8x1x1xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{the producer's result may be read only as the input of consumer convs}}
  %y = incept.conv_chain %x : (tensor<1x8x9x9xf32>) -> tensor<1x4x9x9xf32> {
  ^bb0(%in: tensor<1x8x9x9xf32>):
    %m = incept.conv %in, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x8x9x9xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x9x9xf32>
    %o = incept.conv %m, %w2 residual %m {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
         : (tensor<1x4x9x9xf32>, tensor<4x4x1x1xf32>, tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
    incept.yield %o : tensor<1x4x9x9xf32>
  }
  return %y : tensor<1x4x9x9xf32>
}
