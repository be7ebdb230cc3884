"""Runs a GPU library compiled with --gpu-emulator through run_device or
run_batch_device, on "device" buffers and a caller's stream, against the
tests' stub driver, whose device memory is the host's: NumPy arrays stand
for the caller's device buffers, a stream of the stub's for its stream.

    run_on_device.py PACKAGE_DIR LIBRARY run_device|run_batch_device X.npy REF.npy...

INCEPT_CUDA_DRIVER names the stub (the library's runtime opens it; this
opens the same one for the stream). Runs the batch of X, waits for the
stream, and prints a line an output, PASS within rtol 1e-4 + atol 1e-5 of
REF, else FAIL; a failed call prints its status and error and exits 1.
"""
import ctypes
import os
import sys

import numpy as np

package, library, entry, x_path, *ref_paths = sys.argv[1:]
sys.path.insert(0, package)
from incept import _abi  # noqa: E402

lib = ctypes.CDLL(library)
lib.incept_model_v1.restype = ctypes.POINTER(_abi.Model)
model = lib.incept_model_v1().contents
stub = ctypes.CDLL(os.environ["INCEPT_CUDA_DRIVER"])

pointers = ctypes.POINTER(ctypes.c_void_p)
if entry == "run_device":
    call = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, pointers, pointers,
                            ctypes.c_void_p)(model.run_device)
    run = lambda context, batch, ins, outs, stream: call(context, ins, outs, stream)
else:
    run = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, pointers, pointers,
                           ctypes.c_void_p)(model.run_batch_device)


def check(what, status):
    if status != 0:
        print(f"{what}: status {status}: {model.last_error().decode()}")
        sys.exit(1)


context = ctypes.c_void_p()
check("create", model.create(ctypes.byref(context)))
stream = ctypes.c_void_p()
check("cuStreamCreate", stub.cuStreamCreate(ctypes.byref(stream), 0))
x = np.load(x_path)
references = [np.load(path).astype(np.float32) for path in ref_paths]
# NaNs, so that an image the run does not write fails.
outputs = [np.full(reference.shape, np.nan, np.float32) for reference in references]
ins = (ctypes.c_void_p * 1)(x.ctypes.data)
outs = (ctypes.c_void_p * len(outputs))(*[output.ctypes.data for output in outputs])
check(entry, run(context, x.shape[0], ins, outs, stream))
check("cuStreamSynchronize", stub.cuStreamSynchronize(stream))
for path, output, reference in zip(ref_paths, outputs, references):
    error = float(np.abs(output - reference).max())
    ok = np.allclose(output, reference, rtol=1e-4, atol=1e-5)
    print(f"{os.path.basename(path)} of batch {x.shape[0]} by {entry}: max abs error "
          f"{error:.3g}: {'PASS' if ok else 'FAIL'}")
model.destroy(context)
stub.cuStreamDestroy_v2(stream)
