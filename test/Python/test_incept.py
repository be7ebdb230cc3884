"""The Python package (python/incept) on a family model against PyTorch's
float64 reference, and its errors.

    PYTHONPATH=BUILD/python /usr/bin/python3 -m pytest test/Python \
        --build-dir BUILD --models-dir BUILD/models

The models are models/generate.py's (ctest runs this after generating them);
the reference is PyTorch's float64 output for the model's fixed input.
"""

import ctypes
import ctypes.util
import os
import subprocess
import sys

import numpy as np
import pytest

import incept

# The end-to-end tests' tolerance (test/EndToEnd/e2e.py): max|y - ref| <=
# RTOL * max|ref| against float64.
RTOL = 1e-4


@pytest.fixture(scope="module")
def googlenet(build_dir, models_dir, tmp_path_factory):
    library = tmp_path_factory.mktemp("googlenet") / "googlenet.so"
    incept.compile(os.path.join(models_dir, "googlenet.onnx"), library, batch=1, opt=3)
    # (batch=1: one fixed batch; test_dynamic_batch compiles the other kind)
    with incept.load(library, threads=2) as model:
        yield model


@pytest.fixture(scope="module")
def reference(models_dir):
    x = np.load(os.path.join(models_dir, "googlenet.input.npy"))
    return x, np.load(os.path.join(models_dir, "googlenet.ref64.npy"))


def assert_close(y, ref):
    assert y.shape == ref.shape
    error = np.max(np.abs(y.astype(np.float64) - ref))
    assert error <= RTOL * np.max(np.abs(ref)), f"max error {error:.3e}"


def test_description(googlenet):
    assert googlenet.name == "googlenet"
    [x] = googlenet.inputs
    [y] = googlenet.outputs
    assert (x.name, x.shape, x.dtype) == ("input", (1, 3, 224, 224), np.float32)
    assert (y.name, y.shape, y.dtype) == ("output", (1, 1000), np.float32)


def test_call_matches_pytorch(googlenet, reference):
    x, ref = reference
    y = googlenet(x)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32
    assert_close(y, ref)


def test_run_dict_matches_call(googlenet, reference):
    x, ref = reference
    outputs = googlenet.run({"input": x})
    assert list(outputs) == ["output"]
    assert_close(outputs["output"], ref)
    np.testing.assert_array_equal(outputs["output"], googlenet(x))


def test_non_contiguous_input(googlenet, reference):
    x, ref = reference
    # Fortran order: the package copies it to the dense row-major buffer the
    # library takes.
    assert_close(googlenet(np.asfortranarray(x)), ref)


def test_wrong_dtype(googlenet, reference):
    x, _ = reference
    with pytest.raises(TypeError, match="expected dtype float32, got float64"):
        googlenet(x.astype(np.float64))


def test_wrong_shape(googlenet, reference):
    x, _ = reference
    with pytest.raises(ValueError, match=r"expected shape \(1, 3, 224, 224\), got \(1, 3, 224, 223\)"):
        googlenet(x[..., :223])


def test_not_an_array(googlenet):
    with pytest.raises(TypeError, match="expected a numpy.ndarray"):
        googlenet([[1.0]])


def test_wrong_input_count(googlenet, reference):
    x, _ = reference
    with pytest.raises(TypeError, match=r"takes 1 input\(s\) \(input\), got 2"):
        googlenet(x, x)


def test_run_names(googlenet, reference):
    x, _ = reference
    with pytest.raises(ValueError, match=r"unknown: \['image'\]"):
        googlenet.run({"input": x, "image": x})
    with pytest.raises(ValueError, match=r"missing: \['input'\]"):
        googlenet.run({})
    with pytest.raises(TypeError, match="takes a dict"):
        googlenet.run(x)


def test_library_status_is_an_error(googlenet):
    # The library refuses a negative thread count: its status and its own
    # message come back as incept.Error.
    with pytest.raises(incept.Error, match="create: ") as caught:
        incept.load(googlenet.path, threads=-1)
    assert caught.value.status == 1  # INCEPT_ERROR_INVALID_ARGUMENT
    message = str(caught.value).split("create: ", 1)[1]
    expected = googlenet._model.status_string(1).decode()
    assert message == expected and "argument" in message


def test_closed_model(build_dir, models_dir, tmp_path, reference):
    model = incept.load(incept.compile(os.path.join(models_dir, "googlenet.onnx"),
                                       tmp_path / "g.so", batch=1, opt=0), threads=1)
    x, ref = reference
    assert_close(model(x), ref)
    model.close()
    with pytest.raises(incept.Error, match="closed"):
        model(x)


def test_not_an_incept_library(tmp_path):
    with pytest.raises(incept.Error, match="cannot load"):
        incept.load(tmp_path / "missing.so")
    libm = ctypes.util.find_library("m")
    with pytest.raises(incept.Error, match="not a library compiled by incept-compile"):
        incept.load(libm)


def test_compile_error(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(incept.Error, match="incept-compile failed"):
        incept.compile(bad, tmp_path / "bad.so", batch=1)
    assert not (tmp_path / "bad.so").exists()


@pytest.fixture(scope="module")
def googlenet_dynamic(models_dir, tmp_path_factory):
    library = tmp_path_factory.mktemp("googlenet-dynamic") / "googlenet.so"
    incept.compile(os.path.join(models_dir, "googlenet.onnx"), library, batch="dynamic")
    with incept.load(library, threads=2) as model:
        yield model


def test_dynamic_batch(googlenet, googlenet_dynamic, reference):
    x, ref = reference
    m = googlenet_dynamic
    assert m.dynamic_batch and m.compiled_batch == 1
    assert m.inputs[0].shape == (None, 3, 224, 224)
    assert m.outputs[0].shape == (None, 1000)
    assert_close(m(x), ref)
    # Three images: the first and last are the reference's input; the one
    # between must come out as the fixed-batch library computes it alone.
    other = (x * 0.5).astype(np.float32)
    y = m(np.concatenate([x, other, x]))
    assert y.shape == (3, 1000)
    assert_close(y[0:1], ref)
    assert_close(y[2:3], ref)
    np.testing.assert_allclose(y[1:2], googlenet(other), rtol=0, atol=1e-5)


def test_dynamic_batch_errors(googlenet_dynamic, reference):
    x, _ = reference
    with pytest.raises(ValueError, match=r"expected shape \(3, 3, 224, 224\), got \(3, 3, 224, 200\)"):
        googlenet_dynamic(np.zeros((3, 3, 224, 200), np.float32))
    with pytest.raises(ValueError, match="a batch of at least 1"):
        googlenet_dynamic(np.zeros((0, 3, 224, 224), np.float32))
    with pytest.raises(TypeError, match="batch must be an int or 'dynamic'"):
        incept.compile("model.onnx", "model.so", batch="any")


def test_threads_type(googlenet):
    with pytest.raises(TypeError, match="threads must be an int"):
        incept.load(googlenet.path, threads="2")


def test_installed_package(build_dir, tmp_path):
    """cmake --install puts the package where Debian's python3 looks under the
    prefix, and its incept.compile finds the installed incept-compile."""
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", build_dir, "--prefix", str(prefix)], check=True,
                   stdout=subprocess.DEVNULL)
    model = os.path.join(os.path.dirname(__file__), "..", "Driver", "Inputs",
                         "two_heads.onnxtxt")
    script = (f"import incept, numpy as np\n"
              f"assert incept.__file__.startswith({str(prefix)!r}), incept.__file__\n"
              f"incept.compile({model!r}, {str(tmp_path / 'two.so')!r})\n"
              f"m = incept.load({str(tmp_path / 'two.so')!r})\n"
              f"main, aux = m(np.ones((3, 1, 4, 4), np.float32))\n"
              f"print(main.shape, aux.shape)\n")
    env = dict(os.environ, PYTHONPATH=str(prefix / "lib" / "python3" / "dist-packages"))
    env.pop("INCEPT_COMPILE", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "(3, 2, 2, 2) (3, 2, 1, 1)"


def _conv_bn(tmp_path, name, seed):
    """test/Driver/Inputs/conv_bn.py's model of `seed`, as tmp_path/name.onnx."""
    script = os.path.join(os.path.dirname(__file__), "..", "Driver", "Inputs", "conv_bn.py")
    path = tmp_path / f"{name}.onnx"
    subprocess.run([sys.executable, script, str(path), str(seed)], check=True)
    return path


def test_external_weights(tmp_path):
    """A library of --weights=external runs on a file that write_weights made
    from another model of the same graph (the file --emit=weights writes,
    byte for byte) as the library compiled from that model does."""
    a, b = _conv_bn(tmp_path, "a", 0), _conv_bn(tmp_path, "b", 1)
    library = incept.compile(a, tmp_path / "a.so", options=["--weights=external"])
    b_embedded = incept.compile(b, tmp_path / "b_embedded.so")
    incept.write_weights(library, b, tmp_path / "b.weights")
    incept.compile(b, tmp_path / "b_emitted.weights")
    assert (tmp_path / "b.weights").read_bytes() == (tmp_path / "b_emitted.weights").read_bytes()
    x = np.random.default_rng(3).standard_normal((1, 8, 6, 6)).astype(np.float32)
    with incept.load(b_embedded) as reference:
        y = reference(x)
    with incept.load(library, weights=tmp_path / "b.weights") as model:
        assert np.array_equal(model(x), y)
    with incept.load(library) as model:  # a.weights, beside it
        assert not np.array_equal(model(x), y)


def test_write_weights_errors(tmp_path):
    a = _conv_bn(tmp_path, "a", 0)
    library = incept.compile(a, tmp_path / "a.so", options=["--weights=external"])
    import onnx
    from onnx import numpy_helper
    tensors = {t.name: numpy_helper.to_array(t) for t in onnx.load(a).graph.initializer}
    with pytest.raises(ValueError, match="no tensor 'bn.var'"):
        incept.write_weights(library, {k: v for k, v in tensors.items() if k != "bn.var"},
                             tmp_path / "x.weights")
    with pytest.raises(ValueError, match=r"tensor 'conv.bias' has shape \[3\]"):
        incept.write_weights(library, dict(tensors, **{"conv.bias": np.zeros(3, np.float32)}),
                             tmp_path / "x.weights")
    with pytest.raises(TypeError, match="tensor 'conv.bias' is float64"):
        incept.write_weights(library, dict(tensors, **{"conv.bias": np.zeros(32)}),
                             tmp_path / "x.weights")
    assert not (tmp_path / "x.weights").exists()
    embedded = incept.compile(a, tmp_path / "embedded.so")
    with pytest.raises(incept.Error, match="has its weights embedded"):
        incept.write_weights(embedded, a, tmp_path / "x.weights")
    with pytest.raises(incept.Error, match="is not an Incept weights file"):
        incept.load(library, weights=tmp_path / "embedded.so")


def test_gpu_library(build_dir, tmp_path, monkeypatch):
    """A GPU library through the package, against the tests' stub driver
    with its kernels compiled for the host (--gpu-emulator): the same
    numbers as the CPU library; `device` and `direct_launches` reach
    create's options (a GPU past the driver's count is refused; without the
    graph, a capture that would fail is never tried); a CPU library takes
    neither."""
    monkeypatch.setenv("INCEPT_CUDA_DRIVER", os.path.join(
        build_dir, "test", "CudaRuntime", "stub-driver", "libcuda.so.1"))
    model = _conv_bn(tmp_path, "m", 0)
    gpu = incept.compile(model, tmp_path / "gpu.so",
                         options=["--target=cuda", "--precision=fp32", "--gpu-emulator"])
    cpu = incept.compile(model, tmp_path / "cpu.so")
    x = np.random.default_rng(5).standard_normal((1, 8, 6, 6)).astype(np.float32)
    with incept.load(cpu) as reference:
        y = reference(x)
    with incept.load(gpu) as m:
        assert m.on_gpu
        for _ in range(3):  # launched, captured, replayed
            np.testing.assert_allclose(m(x), y, rtol=1e-5, atol=1e-6)
    with pytest.raises(incept.Error, match=r"there is no GPU 1: the CUDA driver finds 1"):
        incept.load(gpu, device=1)
    monkeypatch.setenv("STUB_CUDA_DEVICES", "2")
    with incept.load(gpu, device=1) as m:
        np.testing.assert_allclose(m(x), y, rtol=1e-5, atol=1e-6)
    monkeypatch.setenv("STUB_CUDA_FAIL", "cuStreamBeginCapture_v2")
    with incept.load(gpu, direct_launches=True) as m:
        for _ in range(3):
            np.testing.assert_allclose(m(x), y, rtol=1e-5, atol=1e-6)
    with incept.load(gpu) as m:
        m(x)
        with pytest.raises(incept.Error, match="cuStreamBeginCapture"):
            m(x)
    with pytest.raises(incept.Error, match="device is for a library compiled with --target=cuda"):
        incept.load(cpu, device=0)
    with pytest.raises(incept.Error, match="direct_launches is for a library compiled"):
        incept.load(cpu, direct_launches=True)
    with pytest.raises(TypeError, match="device must be an int"):
        incept.load(gpu, device="0")
