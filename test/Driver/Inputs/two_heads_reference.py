"""Writes x.npy and NumPy's main.npy and aux.npy for two_heads.onnxtxt:
`two_heads_reference.py OUT [BATCH]` (batch 3 by default)."""
import sys

import numpy as np

out = sys.argv[1]
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 3
w = np.array([0.5, 1, 0.5, 1, 2, 1, 0.5, 1, 0.5,
              -1, 0, 1, -2, 0, 2, -1, 0, 1], dtype=np.float64).reshape(2, 1, 3, 3)
x = np.random.default_rng(7).standard_normal((batch, 1, 4, 4)).astype(np.float32)
padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
conv = np.zeros((batch, 2, 4, 4))
for i in range(4):
    for j in range(4):
        window = padded[:, :, i:i + 3, j:j + 3]  # N, 1, 3, 3
        conv[:, :, i, j] = np.einsum("nckl,fckl->nf", window, w)
relu = np.maximum(conv, 0)
main = relu.reshape(batch, 2, 2, 2, 2, 2).max(axis=(3, 5))
aux = relu.mean(axis=(2, 3), keepdims=True)
np.save(f"{out}/x.npy", x)
np.save(f"{out}/main.npy", main)
np.save(f"{out}/aux.npy", aux)
