"""Local response normalisation that exports as one ONNX LRN node (PyTorch
decomposes F.local_response_norm into 3-D pooling and padding).

Both compute x / (k + alpha / size * sum of x^2 over `size` channels)^beta,
which is also Caffe's across-channel LRN (bvlc_googlenet: size 5, alpha 1e-4,
beta 0.75, k 1).
"""
import warnings

import torch
from torch import nn
from torch.nn import functional as F


class _LRNFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return F.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        with warnings.catch_warnings():  # torch 1.13 flags g.op as deprecated; it is not in 2.x
            warnings.simplefilter("ignore", FutureWarning)
            return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LRN(nn.Module):
    def __init__(self, size=5, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x):
        return _LRNFunction.apply(x, self.size, self.alpha, self.beta, self.k)
