"""BN-Inception (Inception v2).

Ioffe and Szegedy, "Batch Normalization", ICML 2015, Figure 5 (the
appendix's table): batch norm after every conv, each 5x5 replaced by two 3x3,
average-pool branches (3x3, stride 1, pad 1, counting the padding, ceil mode,
as in the Caffe model and its PyTorch ports) and stride-2 reduction blocks
3c and 4e with a max-pool branch.
"""
import torch
from torch import nn

from common import ConvBNReLU


def conv(cin, cout, k, s=1, p=0):
    return ConvBNReLU(cin, cout, k, s, p, eps=1e-5)


class Inception(nn.Module):
    """`c1` may be 0 (reduction blocks); `pool` None means a max pool branch."""

    def __init__(self, cin, c1, c3r, c3, d3r, d3, pool, stride=1):
        super().__init__()
        self.b1 = conv(cin, c1, 1) if c1 else None
        self.b2 = nn.Sequential(conv(cin, c3r, 1), conv(c3r, c3, 3, stride, 1))
        self.b3 = nn.Sequential(conv(cin, d3r, 1), conv(d3r, d3, 3, 1, 1), conv(d3, d3, 3, stride, 1))
        if stride == 2:
            self.b4 = nn.MaxPool2d(3, 2, ceil_mode=True)
        elif pool == "max":
            self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), conv(cin, 128, 1))
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
            Inception(320, 0, 128, 160, 64, 96, None, stride=2),   # 3c -> 576
            Inception(576, 224, 64, 96, 96, 128, 128),   # 4a -> 576
            Inception(576, 192, 96, 128, 96, 128, 128),  # 4b -> 576
            Inception(576, 160, 128, 160, 128, 160, 96),  # 4c -> 576
            Inception(576, 96, 128, 192, 160, 192, 96),   # 4d -> 576
            Inception(576, 0, 128, 192, 192, 256, None, stride=2),  # 4e -> 1024
            Inception(1024, 352, 192, 320, 160, 224, 128),  # 5a -> 1024
            Inception(1024, 352, 192, 320, 192, 224, "max"))  # 5b -> 1024
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))
