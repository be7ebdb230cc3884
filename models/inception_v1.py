"""The original GoogLeNet (Inception v1), 2014.

Szegedy et al., "Going deeper with convolutions", CVPR 2015 (arXiv:1409.4842):
Table 1 for the layers and channel counts, Figure 2(b) for the Inception
module (1x1 | 1x1->3x3 | 1x1->5x5 | 3x3 max pool->1x1), section 5 for the two
auxiliary classifiers. Details the paper leaves open follow Caffe's
bvlc_googlenet, the authors' released model:
- no batch normalisation; every conv has a bias and is followed by ReLU;
- local response normalisation (size 5, alpha 1e-4, beta 0.75, k 1) after the
  first max pool and after conv2 (the 3x3), exported as one ONNX LRN node;
- true 5x5 convs in the Inception modules (torchvision's googlenet uses 3x3);
- 3x3 max pools in ceil mode (stride 2, and stride 1 pad 1 in the modules);
- auxiliary classifiers on 4a and 4d: 5x5/3 average pool (4x4 output), 1x1
  conv 128 + ReLU, FC 1024 + ReLU, dropout 0.7, FC 1000. In eval mode they are
  returned as extra outputs: forward gives (output, aux1, aux2);
- 7x7 global average pooling, dropout 0.4, FC 1000 (logits; no softmax).
"""
import torch
from torch import nn

from common import ConvReLU, global_pool_flatten
from lrn import LRN


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pool):
        super().__init__()
        self.b1 = ConvReLU(cin, c1, 1)
        self.b2 = nn.Sequential(ConvReLU(cin, c3r, 1), ConvReLU(c3r, c3, 3, padding=1))
        self.b3 = nn.Sequential(ConvReLU(cin, c5r, 1), ConvReLU(c5r, c5, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), ConvReLU(cin, pool, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class AuxClassifier(nn.Module):
    def __init__(self, cin):
        super().__init__()
        # No padding, so count_include_pad changes nothing; False keeps torch
        # from exporting a zero Pad in front of the AveragePool.
        self.pool = nn.AvgPool2d(5, 3, count_include_pad=False)
        self.conv = ConvReLU(cin, 128, 1)
        self.fc1 = nn.Linear(128 * 4 * 4, 1024)
        self.fc2 = nn.Linear(1024, 1000)
        self.dropout = nn.Dropout(0.7)

    def forward(self, x):
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


class InceptionV1(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            ConvReLU(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, ceil_mode=True), LRN(),
            ConvReLU(64, 64, 1), ConvReLU(64, 192, 3, padding=1), LRN(),
            nn.MaxPool2d(3, 2, ceil_mode=True))
        self.i3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.i3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.pool3 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.i4a = Inception(480, 192, 96, 208, 16, 48, 64)
        self.i4b = Inception(512, 160, 112, 224, 24, 64, 64)
        self.i4c = Inception(512, 128, 128, 256, 24, 64, 64)
        self.i4d = Inception(512, 112, 144, 288, 32, 64, 64)
        self.i4e = Inception(528, 256, 160, 320, 32, 128, 128)
        self.pool4 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.i5a = Inception(832, 256, 160, 320, 32, 128, 128)
        self.i5b = Inception(832, 384, 192, 384, 48, 128, 128)
        self.aux1 = AuxClassifier(512)
        self.aux2 = AuxClassifier(528)
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        x = self.pool3(self.i3b(self.i3a(self.stem(x))))
        x = self.i4a(x)
        aux1 = self.aux1(x)
        x = self.i4d(self.i4c(self.i4b(x)))
        aux2 = self.aux2(x)
        x = self.i5b(self.i5a(self.pool4(self.i4e(x))))
        return self.fc(self.dropout(global_pool_flatten(x))), aux1, aux2
