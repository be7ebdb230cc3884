"""Writes a `.weights` file (runtime/include/incept/weights_file.h,
docs/weights.md): a manifest, then each tensor at a multiple of 64 bytes,
with zlib's CRC-32 of its bytes."""

import os
import struct
import tempfile
import zlib

MAGIC = b"INCEPTWT"
VERSION = 1
ALIGNMENT = 64


def _align(offset):
    return (offset + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def write(path, tensors):
    """`tensors`: (TensorInfo, contiguous array) pairs, in the manifest's
    order. Written to a temporary file beside `path`, then renamed."""
    names = [info.name.encode() for info, _ in tensors]
    manifest_end = 24 + sum(4 + len(name) + 8 + 8 * array.ndim + 24
                            for name, (_, array) in zip(names, tensors))
    offsets, end = [], _align(manifest_end)
    for _, array in tensors:
        offsets.append(end)
        end = _align(end + array.nbytes)
    header = [MAGIC, struct.pack("<IIQ", VERSION, len(tensors),
                                 offsets[0] if offsets else manifest_end)]
    for name, (_, array), offset in zip(names, tensors, offsets):
        data = array.tobytes()
        header.append(struct.pack("<I", len(name)) + name)
        header.append(struct.pack("<ii", 1, array.ndim))  # dtype 1: f32
        header.append(struct.pack(f"<{array.ndim}q", *array.shape))
        header.append(struct.pack("<QQQ", offset, len(data), zlib.crc32(data)))
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".weights.tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            at = out.write(b"".join(header))
            for (_, array), offset in zip(tensors, offsets):
                at += out.write(b"\0" * (offset - at))
                at += out.write(array.tobytes())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
