"""Inception-ResNet v1 and v2.

Szegedy, Ioffe, Vanhoucke and Alemi, "Inception-v4, Inception-ResNet and the
Impact of Residual Connections on Learning", AAAI 2017 (arXiv:1602.07261).

Inception-ResNet-v1 follows the paper: stem of Figure 14; 5 x Inception-ResNet-A
(Figure 10); Reduction-A (Figure 7 with k=192, l=192, m=256, n=384, Table 1);
10 x Inception-ResNet-B (Figure 11); Reduction-B (Figure 12); 5 x
Inception-ResNet-C (Figure 13); the schema of Figure 15 (average pooling,
dropout keep 0.8, 1000-way linear).

Inception-ResNet-v2 follows the reference implementation (TF-slim
`inception_resnet_v2`, and its PyTorch port by Cadene) rather than the paper
where they differ, since that is the network everyone runs: its stem is not
Figure 3's but conv 3x3/2 32, 3x3 32, 3x3 64, max pool, 1x1 80, 3x3 192, max
pool and an Inception-A-like "Mixed_5b" block (96 | 48->5x5 64 | 64->3x3 96->3x3
96 | avg pool->64) giving 320 channels; then 10 x block A (Figure 16, 320
channels), Reduction-A (k=256, l=256, m=384, n=384), 20 x block B (Figure 17),
Reduction-B (Figure 18), 10 x block C (Figure 19) and a final 1x1 conv to 1536
channels. (Figure 15 of the paper says 5/10/5 blocks for both versions.)

Every conv is followed by batch norm (eps 1e-3) and ReLU, except the residual
up-projection: a 1x1 conv with bias and no batch norm (section 3.2). Each block
computes relu(x + scale * up(concat(branches))) with the reference scales 0.17
(A), 0.10 (B), 0.20 (C) (section 3.3 asks for 0.1 to 0.3); as in the reference
implementations the last C block has scale 1.0 and no ReLU.
"""
import torch
from torch import nn

from common import ConvBNReLU as conv, global_pool_flatten


def seq(*layers):
    return nn.Sequential(*layers)


class Residual(nn.Module):
    def __init__(self, branches, width, channels, scale, relu=True):
        super().__init__()
        self.branches = nn.ModuleList(branches)
        self.up = nn.Conv2d(width, channels, 1)
        self.scale, self.relu = scale, relu

    def forward(self, x):
        y = self.up(torch.cat([b(x) for b in self.branches], 1)) * self.scale + x
        return torch.relu(y) if self.relu else y


class Concat(nn.Module):
    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], 1)


# v1 and v2 share each block's topology (Figures 10-13 and 16-19) and differ in
# widths: `channels` is the block's input and output, `tower` the
# (reduce, middle, out) widths of its deepest branch.

def block_a(channels, tower):
    reduce, middle, out = tower
    return Residual([conv(channels, 32, 1), seq(conv(channels, 32, 1), conv(32, 32, 3, 1, 1)),
                     seq(conv(channels, reduce, 1), conv(reduce, middle, 3, 1, 1),
                         conv(middle, out, 3, 1, 1))],
                    64 + out, channels, 0.17)


def block_b(channels, plain, tower):
    reduce, middle, out = tower
    return Residual([conv(channels, plain, 1),
                     seq(conv(channels, reduce, 1), conv(reduce, middle, (1, 7), 1, (0, 3)),
                         conv(middle, out, (7, 1), 1, (3, 0)))], plain + out, channels, 0.10)


def block_c(channels, tower, last=False):
    reduce, middle, out = tower
    return Residual([conv(channels, 192, 1),
                     seq(conv(channels, reduce, 1), conv(reduce, middle, (1, 3), 1, (0, 1)),
                         conv(middle, out, (3, 1), 1, (1, 0)))], 192 + out, channels,
                    1.0 if last else 0.20, relu=not last)


class InceptionResNet(nn.Module):
    def __init__(self, features, channels):
        super().__init__()
        self.features = features
        self.dropout = nn.Dropout(0.2)  # keep probability 0.8
        self.fc = nn.Linear(channels, 1000)

    def forward(self, x):
        return self.fc(self.dropout(global_pool_flatten(self.features(x))))


def inception_resnet_v1():
    stem = seq(conv(3, 32, 3, 2), conv(32, 32, 3), conv(32, 64, 3, 1, 1), nn.MaxPool2d(3, 2),
               conv(64, 80, 1), conv(80, 192, 3), conv(192, 256, 3, 2))
    reduction_a = Concat(conv(256, 384, 3, 2),
                         seq(conv(256, 192, 1), conv(192, 192, 3, 1, 1), conv(192, 256, 3, 2)),
                         nn.MaxPool2d(3, 2))
    reduction_b = Concat(seq(conv(896, 256, 1), conv(256, 384, 3, 2)),
                         seq(conv(896, 256, 1), conv(256, 256, 3, 2)),
                         seq(conv(896, 256, 1), conv(256, 256, 3, 1, 1), conv(256, 256, 3, 2)),
                         nn.MaxPool2d(3, 2))
    return InceptionResNet(seq(
        stem, *[block_a(256, (32, 32, 32)) for _ in range(5)], reduction_a,
        *[block_b(896, 128, (128, 128, 128)) for _ in range(10)], reduction_b,
        *[block_c(1792, (192, 192, 192), last=i == 4) for i in range(5)]), 1792)


def inception_resnet_v2():
    stem = seq(conv(3, 32, 3, 2), conv(32, 32, 3), conv(32, 64, 3, 1, 1), nn.MaxPool2d(3, 2),
               conv(64, 80, 1), conv(80, 192, 3), nn.MaxPool2d(3, 2),
               Concat(conv(192, 96, 1), seq(conv(192, 48, 1), conv(48, 64, 5, 1, 2)),
                      seq(conv(192, 64, 1), conv(64, 96, 3, 1, 1), conv(96, 96, 3, 1, 1)),
                      seq(nn.AvgPool2d(3, 1, 1, count_include_pad=False), conv(192, 64, 1))))
    reduction_a = Concat(conv(320, 384, 3, 2),
                         seq(conv(320, 256, 1), conv(256, 256, 3, 1, 1), conv(256, 384, 3, 2)),
                         nn.MaxPool2d(3, 2))
    reduction_b = Concat(seq(conv(1088, 256, 1), conv(256, 384, 3, 2)),
                         seq(conv(1088, 256, 1), conv(256, 288, 3, 2)),
                         seq(conv(1088, 256, 1), conv(256, 288, 3, 1, 1), conv(288, 320, 3, 2)),
                         nn.MaxPool2d(3, 2))
    return InceptionResNet(seq(
        stem, *[block_a(320, (32, 48, 64)) for _ in range(10)], reduction_a,
        *[block_b(1088, 192, (128, 160, 192)) for _ in range(20)], reduction_b,
        *[block_c(2080, (192, 224, 256), last=i == 9) for i in range(10)],
        conv(2080, 1536, 1)), 1536)
