"""Load and run models compiled by Incept, with NumPy arrays.

    import incept
    incept.compile("googlenet.onnx", "googlenet.so", batch=1)
    m = incept.load("googlenet.so", threads=2)
    m.inputs, m.outputs          # names, shapes (None: a dynamic batch), dtypes
    y = m(x)                     # one array per output (a tuple if several)
    ys = m.run({"input": x})     # {output name: array}

Pure Python: ctypes and NumPy. A library is read through its generic entry
point (`incept_model_v1`, runtime/include/incept/incept.h), so any library
incept-compile wrote loads, whatever its name or model. Arrays of the wrong
dtype raise TypeError, of the wrong shape ValueError; a status the library
returns raises incept.Error with the library's own message.
"""

import ctypes
import os
import shutil
import subprocess
import threading

import numpy as np

from incept import _abi, _weights_file

__all__ = ["Error", "TensorInfo", "Model", "load", "compile"]


class Error(RuntimeError):
    """A status other than INCEPT_OK from a compiled library, or a failed
    compile. `status` is the incept_status (None for a compile)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class TensorInfo:
    """One input or output: its ONNX name, shape (a tuple) and NumPy dtype."""

    def __init__(self, name, shape, dtype):
        self.name, self.shape, self.dtype = name, shape, dtype

    def __repr__(self):
        return f"TensorInfo({self.name!r}, {self.shape}, {self.dtype.name})"


def _tensor_infos(array, count, dynamic_batch):
    """The tensors' descriptions; a dynamic batch is None in their shapes."""
    infos = []
    for i in range(count):
        info = array[i]
        dtype = _abi.DTYPES.get(info.dtype)
        if dtype is None:
            raise Error(f"tensor {info.name.decode()!r} has dtype {info.dtype}, "
                        f"which this package does not know")
        shape = tuple(info.shape[d] for d in range(info.rank))
        if dynamic_batch:
            shape = (None,) + shape[1:]
        infos.append(TensorInfo(info.name.decode(), shape, np.dtype(dtype)))
    return infos


def _describe(path):
    """The loaded library at `path` and its incept_model."""
    # A file here is opened by its path (dlopen would search the library
    # path for a bare name); any other name, as dlopen finds it.
    where = os.path.abspath(path) if os.path.exists(path) else path
    try:
        library = ctypes.CDLL(where)
    except OSError as e:
        raise Error(f"cannot load {path!r}: {e}") from None
    try:
        entry = getattr(library, _abi.ENTRY_POINT)
    except AttributeError:
        raise Error(f"{path!r} is not a library compiled by incept-compile "
                    f"(it has no {_abi.ENTRY_POINT})") from None
    entry.restype = ctypes.POINTER(_abi.Model)
    entry.argtypes = []
    model = entry().contents
    if model.abi_version != _abi.ABI_VERSION:
        raise Error(f"{path!r} has ABI version {model.abi_version}, "
                    f"this package reads version {_abi.ABI_VERSION}",
                    _abi.STATUS_ABI_MISMATCH)
    return library, model


class Model:
    """A compiled library and one context of it (its arena and threads).
    Calls from several Python threads are serialised; for parallel
    inference, load one Model per thread."""

    def __init__(self, path, threads=0, weights=None, device=None, direct_launches=False):
        for option, value in (("threads", threads), ("device", device)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"{option} must be an int, got {type(value).__name__}")
        self.path = os.fspath(path)
        self._library, self._model = _describe(self.path)
        self.name = self._model.name.decode()
        # A GPU library (incept-compile --target=cuda) has run_device.
        self.on_gpu = bool(_abi.has_field(self._model, "run_device") and self._model.run_device)
        if not self.on_gpu and (device is not None or direct_launches):
            option = "device" if device is not None else "direct_launches"
            raise Error(f"{option} is for a library compiled with --target=cuda; "
                        f"{self.path!r} runs on the CPU")
        # With a dynamic batch (incept-compile --batch dynamic) the first
        # dimension of every input and output is any N >= 1, run in chunks
        # of `compiled_batch` images.
        self.dynamic_batch = bool(_abi.has_field(self._model, "run_batch")
                                  and self._model.dynamic_batch and self._model.run_batch)
        first = self._model.inputs[0] if self._model.num_inputs else None
        self.compiled_batch = first.shape[0] if first is not None and first.rank else 1
        self.inputs = _tensor_infos(self._model.inputs, self._model.num_inputs,
                                    self.dynamic_batch)
        self.outputs = _tensor_infos(self._model.outputs, self._model.num_outputs,
                                     self.dynamic_batch)
        self._lock = threading.Lock()
        self._context = ctypes.c_void_p()
        if _abi.has_field(self._model, "create_with_options"):
            options = _abi.CreateOptions(ctypes.sizeof(_abi.CreateOptions), threads,
                                         device or 0, int(bool(direct_launches)))
            if weights is not None:
                options.weights_path = os.fsencode(weights)
            self._check(self._model.create_with_options(ctypes.byref(self._context),
                                                        ctypes.byref(options)), "create")
        elif threads not in (0, 1):
            raise Error(f"{self.path!r} predates the thread option; use threads=1")
        else:
            self._check(self._model.create(ctypes.byref(self._context)), "create")

    def _check(self, status, what):
        if status == _abi.STATUS_OK:
            return
        if _abi.has_field(self._model, "status_string") and self._model.status_string:
            message = self._model.status_string(status).decode()
        else:
            message = f"status {status}"
        if _abi.has_field(self._model, "last_error") and self._model.last_error:
            detail = self._model.last_error().decode()
            if detail:
                message += f" ({detail})"
        raise Error(f"{self.name}: {what}: {message}", status)

    def close(self):
        """Frees the context (also when the Model is garbage-collected)."""
        context, self._context = getattr(self, "_context", None), None
        if context:
            self._model.destroy(context)

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _prepare(self, info, value, batch):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"input {info.name!r}: expected a numpy.ndarray of "
                            f"{info.dtype.name}, got {type(value).__name__}")
        if value.dtype != info.dtype:
            raise TypeError(f"input {info.name!r}: expected dtype {info.dtype.name}, "
                            f"got {value.dtype.name}")
        expected = self._at_batch(info, batch)
        if value.shape != expected:
            shown = info.shape if batch is None else expected
            raise ValueError(f"input {info.name!r}: expected shape {shown}, "
                             f"got {value.shape}")
        return np.ascontiguousarray(value)

    @staticmethod
    def _at_batch(info, batch):
        return info.shape if info.shape[:1] != (None,) else (batch,) + info.shape[1:]

    def _batch_of(self, arrays):
        """The run's batch: that of the first input (the others are checked
        against it), or the compiled one."""
        if not self.dynamic_batch:
            return self.compiled_batch
        first = arrays[0] if arrays else None
        if not isinstance(first, np.ndarray) or first.ndim == 0 or first.shape[0] < 1:
            if isinstance(first, np.ndarray):
                raise ValueError(f"input {self.inputs[0].name!r}: expected shape "
                                 f"{self.inputs[0].shape} with a batch of at least 1, "
                                 f"got {first.shape}")
            return None  # _prepare says what is wrong
        return first.shape[0]

    def _run(self, arrays):
        if not self._context:
            raise Error(f"{self.name}: the model was closed")
        batch = self._batch_of(arrays)
        inputs = [self._prepare(info, a, batch) for info, a in zip(self.inputs, arrays)]
        outputs = [np.empty(self._at_batch(info, batch), info.dtype) for info in self.outputs]
        input_pointers = (ctypes.c_void_p * max(1, len(inputs)))(
            *[a.ctypes.data for a in inputs])
        output_pointers = (ctypes.c_void_p * max(1, len(outputs)))(
            *[a.ctypes.data for a in outputs])
        with self._lock:
            if self.dynamic_batch:
                status = self._model.run_batch(self._context, batch, input_pointers,
                                               output_pointers)
            else:
                status = self._model.run(self._context, input_pointers, output_pointers)
            self._check(status, "run")
        return outputs

    def __call__(self, *arrays):
        """Runs the model on its inputs, in the model's order; returns the
        output, or a tuple of the outputs if there are several."""
        if len(arrays) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} input(s) "
                            f"({', '.join(i.name for i in self.inputs)}), got {len(arrays)}")
        outputs = self._run(arrays)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def run(self, feeds):
        """Runs the model on {input name: array}; returns {output name: array}."""
        if not isinstance(feeds, dict):
            raise TypeError(f"run() takes a dict of input name to array, got "
                            f"{type(feeds).__name__}")
        names = [info.name for info in self.inputs]
        unknown = sorted(set(feeds) - set(names))
        missing = [name for name in names if name not in feeds]
        if unknown or missing:
            raise ValueError(f"{self.name}: inputs are {names}; "
                             + (f"unknown: {unknown}" if unknown else f"missing: {missing}"))
        outputs = self._run([feeds[name] for name in names])
        return {info.name: y for info, y in zip(self.outputs, outputs)}

    def __repr__(self):
        return f"incept.Model({self.path!r}, inputs={self.inputs}, outputs={self.outputs})"


def load(path, threads=0, weights=None, device=None, direct_launches=False):
    """Loads a library compiled by incept-compile and creates a context with
    `threads` threads (0: the machine's physical cores). `weights`: for a
    library of --weights=external, the weights file (default: the one beside
    the library). For a library compiled with --target=cuda, `device` is the
    GPU (the CUDA driver's ordinal; default 0) and `direct_launches` launches
    every kernel on every run instead of replaying the CUDA graph that the
    second run records; a CPU library takes neither."""
    return Model(path, threads=threads, weights=weights, device=device,
                 direct_launches=direct_launches)


def write_weights(library, weights, output):
    """Writes the weights file that `library` (compiled with
    --weights=external) reads, from `weights`: an ONNX file or ModelProto of
    the same graph (its initializers and Constant nodes), or a mapping of
    tensor names to float32 arrays. Every tensor of the library's manifest
    must be there with its shape; the file is written whole or not at all.
    What `incept-compile --emit=weights` does, without the compiler."""
    _, model = _describe(os.fspath(library))
    if not _abi.has_field(model, "num_weights") or not model.num_weights:
        raise Error(f"{os.fspath(library)!r} has its weights embedded "
                    f"(compile it with --weights=external)")
    manifest = _tensor_infos(model.weights, model.num_weights, False)
    if not isinstance(weights, dict):
        weights = _onnx_tensors(weights)
    arrays = []
    for info in manifest:
        if info.name not in weights:
            raise ValueError(f"no tensor {info.name!r} in the weights given")
        array = np.asarray(weights[info.name])
        if array.dtype != info.dtype:
            raise TypeError(f"tensor {info.name!r} is {array.dtype}, the library reads "
                            f"{info.dtype}")
        if array.shape != info.shape:
            raise ValueError(f"tensor {info.name!r} has shape {list(array.shape)}, the "
                             f"library reads {list(info.shape)}")
        arrays.append(np.ascontiguousarray(array))
    _weights_file.write(os.fspath(output), list(zip(manifest, arrays)))


def _onnx_tensors(model):
    """The float tensors of an ONNX model (a path or a ModelProto) by name:
    its initializers and its Constant nodes' values."""
    import onnx
    from onnx import numpy_helper
    if not isinstance(model, onnx.ModelProto):
        model = onnx.load(os.fspath(model))
    tensors = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    tensors[node.output[0]] = numpy_helper.to_array(attribute.t)
    return tensors


def _compiler():
    """incept-compile: $INCEPT_COMPILE, the one this package was built or
    installed with, or the first on PATH."""
    candidates = [os.environ.get("INCEPT_COMPILE")]
    try:
        from incept import _config
        candidates.append(os.path.join(_config.BIN_DIR, "incept-compile"))
    except ImportError:
        pass
    candidates.append(shutil.which("incept-compile"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise Error("incept-compile not found: set INCEPT_COMPILE or put it on PATH")


def compile(model, output, batch=None, opt=3, march=None, options=()):
    """Compiles the ONNX file `model` to `output` (a .so, or any --emit the
    extension picks) with incept-compile; returns `output`. `batch`: a size
    for the model's batch dimension, or "dynamic" for a library that takes
    any batch (the default where the model's batch is dynamic); `opt`: 0-3;
    `march`: the target CPU (default: the host's); `options`: more
    incept-compile flags (e.g. ["--batch-chunk", "4"])."""
    command = [_compiler(), os.fspath(model), "-o", os.fspath(output), f"-O{int(opt)}",
               "--progress=false"]
    if batch is not None:
        if batch != "dynamic" and (not isinstance(batch, int) or isinstance(batch, bool)):
            raise TypeError(f"batch must be an int or 'dynamic', got {batch!r}")
        command += ["--batch", str(batch)]
    if march is not None:
        command += ["--march", str(march)]
    command += [str(o) for o in options]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    if result.returncode != 0:
        raise Error(f"incept-compile failed (exit {result.returncode}):\n"
                    + result.stdout.strip())
    return output
