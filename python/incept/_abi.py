"""The C ABI of compiled libraries (runtime/include/incept/incept.h), as
ctypes declarations. Fields of incept_model are only ever appended; a
library's `struct_size` says how many it has (`has_field`)."""

import ctypes

import numpy as np

from incept import _dtypes

ABI_VERSION = 1
ENTRY_POINT = "incept_model_v1"

STATUS_OK = 0
STATUS_ABI_MISMATCH = 3

# incept_dtype (ONNX's TensorProto.DataType numbers) → NumPy, from the ABI's
# dtype table; a bool is one byte, 0 or 1, as NumPy's.
DTYPES = {number: np.dtype(name) for number, name in _dtypes.DTYPES.items()}


class TensorInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("num_elements", ctypes.c_int64),
    ]


class CreateOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("threads", ctypes.c_int32),
        ("device", ctypes.c_int32),
        ("direct_launches", ctypes.c_int32),
        ("weights_path", ctypes.c_char_p),
    ]


class LayerInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("op", ctypes.c_char_p),
        ("shape", ctypes.c_char_p),
        ("strategy", ctypes.c_char_p),
        ("flops", ctypes.c_double),
    ]


_Context = ctypes.c_void_p
_Status = ctypes.c_int

class Model(ctypes.Structure):
    _fields_ = [
        ("abi_version", ctypes.c_uint32),
        ("struct_size", ctypes.c_uint32),
        ("name", ctypes.c_char_p),
        ("source", ctypes.c_char_p),
        ("target", ctypes.c_char_p),
        ("compiler_version", ctypes.c_char_p),
        ("num_inputs", ctypes.c_int32),
        ("num_outputs", ctypes.c_int32),
        ("inputs", ctypes.POINTER(TensorInfo)),
        ("outputs", ctypes.POINTER(TensorInfo)),
        ("scratch_bytes", ctypes.c_uint64),
        ("create", ctypes.CFUNCTYPE(_Status, ctypes.POINTER(_Context))),
        ("run", ctypes.CFUNCTYPE(_Status, _Context, ctypes.POINTER(ctypes.c_void_p),
                                 ctypes.POINTER(ctypes.c_void_p))),
        ("destroy", ctypes.CFUNCTYPE(None, _Context)),
        ("create_with_options", ctypes.CFUNCTYPE(_Status, ctypes.POINTER(_Context),
                                                 ctypes.POINTER(CreateOptions))),
        ("num_layers", ctypes.c_int32),
        ("layers", ctypes.POINTER(LayerInfo)),
        ("profile", ctypes.c_void_p),
        ("status_string", ctypes.CFUNCTYPE(ctypes.c_char_p, _Status)),
        ("dynamic_batch", ctypes.c_int32),
        ("run_batch", ctypes.CFUNCTYPE(_Status, _Context, ctypes.c_int64,
                                       ctypes.POINTER(ctypes.c_void_p),
                                       ctypes.POINTER(ctypes.c_void_p))),
        ("last_error", ctypes.CFUNCTYPE(ctypes.c_char_p)),
        ("run_device", ctypes.c_void_p),
        ("num_weights", ctypes.c_int32),
        ("weights", ctypes.POINTER(TensorInfo)),
        ("weights_file", ctypes.c_char_p),
        ("run_batch_device", ctypes.c_void_p),
    ]


def has_field(model, name):
    """Whether the library's incept_model is long enough to have `name`."""
    field = getattr(Model, name)
    return model.struct_size >= field.offset + field.size
