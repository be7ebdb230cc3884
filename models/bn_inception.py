"""BN-Inception (often called Inception v2).

Ioffe and Szegedy, "Batch Normalization: Accelerating Deep Network Training by
Reducing Internal Covariate Shift", ICML 2015, appendix, Figure 5 (the table of
the "Inception" network used with batch normalisation):
- batch norm after every conv (eps 1e-5; the convs keep their biases, as in the
  released Caffe model and its PyTorch port, Cadene's `bninception`);
- every 5x5 of GoogLeNet replaced by two stacked 3x3 ("double 3x3");
- 3x3 average-pool branches, stride 1, pad 1, counting the padding, ceil mode
  (`nn.AvgPool2d(3, 1, 1, ceil_mode=True, count_include_pad=True)`), except 5b,
  whose pool branch is a max pool;
- reduction blocks 3c and 4e: stride-2 3x3 and double-3x3 branches next to a
  3x3/2 max pool passing the input through; ceil-mode max pools throughout.
Channel counts are the table's columns. The table's "output size" column says
576 after 4c and 4d and 1024 after 4e, which does not match the columns' sums;
like the Caffe model we follow the columns (608, 608, 1056).
"""
import torch
from torch import nn

from common import ConvBNReLU, global_pool_flatten


def conv(cin, cout, k, s=1, p=0):
    return ConvBNReLU(cin, cout, k, s, p, eps=1e-5, bias=True)


class Inception(nn.Module):
    """One row of the table: #1x1, #3x3 reduce, #3x3, #double 3x3 reduce,
    #double 3x3, pool projection (`pool_kind` "avg" or "max"). Reduction blocks
    (stride 2) have no 1x1 branch and pass the max-pooled input through."""

    def __init__(self, cin, c1, c3r, c3, d3r, d3, pool, pool_kind="avg", stride=1):
        super().__init__()
        self.b1 = conv(cin, c1, 1) if c1 else None
        self.b2 = nn.Sequential(conv(cin, c3r, 1), conv(c3r, c3, 3, stride, 1))
        self.b3 = nn.Sequential(conv(cin, d3r, 1), conv(d3r, d3, 3, 1, 1), conv(d3, d3, 3, stride, 1))
        if stride == 2:
            self.b4 = nn.MaxPool2d(3, 2, ceil_mode=True)
        elif pool_kind == "max":
            self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), conv(cin, pool, 1))
        else:
            self.b4 = nn.Sequential(
                nn.AvgPool2d(3, 1, 1, ceil_mode=True, count_include_pad=True), conv(cin, pool, 1))

    def forward(self, x):
        branches = [self.b2(x), self.b3(x), self.b4(x)]
        return torch.cat(([self.b1(x)] if self.b1 is not None else []) + branches, 1)


class BNInception(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            conv(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, ceil_mode=True),
            conv(64, 64, 1), conv(64, 192, 3, 1, 1), nn.MaxPool2d(3, 2, ceil_mode=True))
        self.blocks = nn.Sequential(
            Inception(192, 64, 64, 64, 64, 96, 32),      # 3a -> 256
            Inception(256, 64, 64, 96, 64, 96, 64),      # 3b -> 320
            Inception(320, 0, 128, 160, 64, 96, 0, stride=2),      # 3c -> 576
            Inception(576, 224, 64, 96, 96, 128, 128),   # 4a -> 576
            Inception(576, 192, 96, 128, 96, 128, 128),  # 4b -> 576
            Inception(576, 160, 128, 160, 128, 160, 128),  # 4c -> 608
            Inception(608, 96, 128, 192, 160, 192, 128),   # 4d -> 608
            Inception(608, 0, 128, 192, 192, 256, 0, stride=2),     # 4e -> 1056
            Inception(1056, 352, 192, 320, 160, 224, 128),  # 5a -> 1024
            Inception(1024, 352, 192, 320, 192, 224, 128, "max"))  # 5b -> 1024
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(global_pool_flatten(x))
