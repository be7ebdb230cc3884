"""Options of the Python package's tests: where the build and the generated
family models are."""

import os

import pytest

SRC_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pytest_addoption(parser):
    parser.addoption("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.addoption("--models-dir", help="default: BUILD_DIR/models")


@pytest.fixture(scope="session")
def build_dir(request):
    return os.path.abspath(request.config.getoption("--build-dir"))


@pytest.fixture(scope="session")
def models_dir(request, build_dir):
    return os.path.abspath(request.config.getoption("--models-dir")
                           or os.path.join(build_dir, "models"))
