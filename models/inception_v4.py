"""Inception-v4.

Szegedy, Ioffe, Vanhoucke and Alemi, "Inception-v4, Inception-ResNet and the
Impact of Residual Connections on Learning", AAAI 2017 (arXiv:1602.07261),
Figure 9: stem (Figure 3), 4 x Inception-A (Figure 4), Reduction-A (Figure 7,
k=192 l=224 m=256 n=384, Table 1), 7 x Inception-B (Figure 5), Reduction-B
(Figure 8), 3 x Inception-C (Figure 6), average pooling, dropout (keep 0.8),
1000-way linear. Every conv is followed by batch norm (eps 1e-3) and ReLU.

As in the reference implementations (TF-slim `inception_v4`, Cadene's PyTorch
port), average-pool branches do not count the padding
(`nn.AvgPool2d(3, 1, 1, count_include_pad=False)`), and the order of the
factorised 1xn/nx1 convs follows the reference code (stem: 1x7 then 7x1;
Inception-B deep branch: 7x1 192, 1x7 224, 7x1 224, 1x7 256; Inception-C deep
branch: 3x1 448, 1x3 512) where the figures draw another order. The order
changes no tensor shape and no op count.
"""
import torch
from torch import nn

from common import ConvBNReLU as conv, global_pool_flatten


def avg_pool():
    return nn.AvgPool2d(3, 1, 1, count_include_pad=False)


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(conv(3, 32, 3, 2), conv(32, 32, 3), conv(32, 64, 3, 1, 1))
        self.pool3a, self.conv3a = nn.MaxPool2d(3, 2), conv(64, 96, 3, 2)
        self.b4a_0 = nn.Sequential(conv(160, 64, 1), conv(64, 96, 3))
        self.b4a_1 = nn.Sequential(conv(160, 64, 1), conv(64, 64, (1, 7), 1, (0, 3)),
                                   conv(64, 64, (7, 1), 1, (3, 0)), conv(64, 96, 3))
        self.conv5a, self.pool5a = conv(192, 192, 3, 2), nn.MaxPool2d(3, 2)

    def forward(self, x):
        x = self.head(x)
        x = torch.cat([self.pool3a(x), self.conv3a(x)], 1)
        x = torch.cat([self.b4a_0(x), self.b4a_1(x)], 1)
        return torch.cat([self.conv5a(x), self.pool5a(x)], 1)


class InceptionA(nn.Module):
    def __init__(self):
        super().__init__()
        self.b0 = conv(384, 96, 1)
        self.b1 = nn.Sequential(conv(384, 64, 1), conv(64, 96, 3, 1, 1))
        self.b2 = nn.Sequential(conv(384, 64, 1), conv(64, 96, 3, 1, 1), conv(96, 96, 3, 1, 1))
        self.b3 = nn.Sequential(avg_pool(), conv(384, 96, 1))

    def forward(self, x):
        return torch.cat([self.b0(x), self.b1(x), self.b2(x), self.b3(x)], 1)


class ReductionA(nn.Module):
    def __init__(self):
        super().__init__()
        self.b0 = conv(384, 384, 3, 2)
        self.b1 = nn.Sequential(conv(384, 192, 1), conv(192, 224, 3, 1, 1), conv(224, 256, 3, 2))
        self.b2 = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return torch.cat([self.b0(x), self.b1(x), self.b2(x)], 1)


class InceptionB(nn.Module):
    def __init__(self):
        super().__init__()
        self.b0 = conv(1024, 384, 1)
        self.b1 = nn.Sequential(conv(1024, 192, 1), conv(192, 224, (1, 7), 1, (0, 3)),
                                conv(224, 256, (7, 1), 1, (3, 0)))
        self.b2 = nn.Sequential(conv(1024, 192, 1), conv(192, 192, (7, 1), 1, (3, 0)),
                                conv(192, 224, (1, 7), 1, (0, 3)), conv(224, 224, (7, 1), 1, (3, 0)),
                                conv(224, 256, (1, 7), 1, (0, 3)))
        self.b3 = nn.Sequential(avg_pool(), conv(1024, 128, 1))

    def forward(self, x):
        return torch.cat([self.b0(x), self.b1(x), self.b2(x), self.b3(x)], 1)


class ReductionB(nn.Module):
    def __init__(self):
        super().__init__()
        self.b0 = nn.Sequential(conv(1024, 192, 1), conv(192, 192, 3, 2))
        self.b1 = nn.Sequential(conv(1024, 256, 1), conv(256, 256, (1, 7), 1, (0, 3)),
                                conv(256, 320, (7, 1), 1, (3, 0)), conv(320, 320, 3, 2))
        self.b2 = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return torch.cat([self.b0(x), self.b1(x), self.b2(x)], 1)


class InceptionC(nn.Module):
    def __init__(self):
        super().__init__()
        self.b0 = conv(1536, 256, 1)
        self.b1 = conv(1536, 384, 1)
        self.b1a, self.b1b = conv(384, 256, (1, 3), 1, (0, 1)), conv(384, 256, (3, 1), 1, (1, 0))
        self.b2 = nn.Sequential(conv(1536, 384, 1), conv(384, 448, (3, 1), 1, (1, 0)),
                                conv(448, 512, (1, 3), 1, (0, 1)))
        self.b2a, self.b2b = conv(512, 256, (1, 3), 1, (0, 1)), conv(512, 256, (3, 1), 1, (1, 0))
        self.b3 = nn.Sequential(avg_pool(), conv(1536, 256, 1))

    def forward(self, x):
        b1, b2 = self.b1(x), self.b2(x)
        return torch.cat([self.b0(x), self.b1a(b1), self.b1b(b1), self.b2a(b2), self.b2b(b2),
                          self.b3(x)], 1)


class InceptionV4(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            Stem(), *[InceptionA() for _ in range(4)], ReductionA(),
            *[InceptionB() for _ in range(7)], ReductionB(), *[InceptionC() for _ in range(3)])
        self.dropout = nn.Dropout(0.2)  # keep probability 0.8
        self.fc = nn.Linear(1536, 1000)

    def forward(self, x):
        return self.fc(self.dropout(global_pool_flatten(self.features(x))))
