"""Fixtures for the tests of the kiln Python package (test_kiln.py).

Run by ctest as `kiln-python` (test/python/CMakeLists.txt sets the paths), or
by hand from the repository root:

    PYTHONPATH=build/python /usr/bin/python3 -m pytest -v test/python

Environment: KILN_MODELS_DIR (models/, with the generators and refs/),
KILN_BIN_DIR (build/bin, for kiln-run), KILN_TEST_SKIP_RESNET50=1 to skip the
full-size ResNet50 test. Generated models and libraries are made once per
session in pytest's temporary folder.
"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

# In the ASan build ctest preloads the sanitizer runtime into this Python
# (test/python/CMakeLists.txt). Python children need it too; kiln's own
# tools (kiln-run) carry their own copy and refuse a second one, so they
# run with TOOL_ENV.
TOOL_ENV = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.environ.get("KILN_MODELS_DIR", os.path.join(ROOT, "models"))
BIN = os.environ.get("KILN_BIN_DIR", os.path.join(ROOT, "build", "bin"))
TINY_REFS = os.path.join(MODELS, "refs", "tiny")
# The "tiny" config of models/make_refs.py.
TINY_ARGS = ["--blocks", "1,1,1,1", "--size", "32", "--width", "8",
             "--classes", "10", "--seed", "0"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "resnet50: compiles the full-size ResNet50 (skipped with "
        "KILN_TEST_SKIP_RESNET50=1)")


def gen_resnet(path, *args):
    """Writes a ResNet with models/gen_resnet.py; returns `path`."""
    subprocess.run([sys.executable, os.path.join(MODELS, "gen_resnet.py"),
                    "-o", str(path), *args], check=True,
                   stdout=subprocess.DEVNULL)
    return str(path)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def assert_matches_ref(out, ref, rtol=1e-4, atol=1e-5):
    """test/Integration/compare.py's criterion: max|out - ref| <= rtol *
    max|ref| + atol, same shape and dtype, no NaN, the same top-1."""
    assert out.shape == ref.shape and out.dtype == ref.dtype
    assert not np.isnan(out).any()
    diff = np.abs(out.astype(np.float64) - ref.astype(np.float64)).max()
    assert diff <= rtol * np.abs(ref).max() + atol, "max|out-ref| = %g" % diff
    assert np.array_equal(out.argmax(-1), ref.argmax(-1))


@pytest.fixture(scope="session")
def tiny_ref():
    """(x, ref): the committed input and ONNX Runtime's output."""
    return (np.load(os.path.join(TINY_REFS, "x.npy")),
            np.load(os.path.join(TINY_REFS, "ref.npy")))


@pytest.fixture(scope="session")
def tiny_onnx(tmp_path_factory):
    """The reference's own model (BN kept, opset 13), checked against the
    sha256 meta.json records."""
    path = gen_resnet(tmp_path_factory.mktemp("tiny") / "tiny-bn.onnx",
                      "--form", "bn", *TINY_ARGS)
    with open(os.path.join(TINY_REFS, "meta.json")) as f:
        want = json.load(f)["models"]["bn"]["sha256"]
    assert sha256(path) == want, "stale reference or changed generator"
    return path


@pytest.fixture(scope="session")
def tiny_compiled(tiny_onnx, tmp_path_factory):
    """kiln.compile of the tiny model to a shared library."""
    import kiln
    out = tmp_path_factory.mktemp("tiny-so") / "libtiny.so"
    return kiln.compile(tiny_onnx, output=str(out))


@pytest.fixture(scope="session")
def tiny_so(tiny_compiled):
    return tiny_compiled.output


@pytest.fixture(scope="session")
def test_models(tmp_path_factory):
    """The folder models/gen_test_models.py writes."""
    out = tmp_path_factory.mktemp("test-models")
    subprocess.run([sys.executable, os.path.join(MODELS, "gen_test_models.py"),
                    "-o", str(out), "--only", "bad-unsupported-ops",
                    "bad-add-shape", "add_two_inputs_broadcast"],
                   check=True, stdout=subprocess.DEVNULL)
    return out
