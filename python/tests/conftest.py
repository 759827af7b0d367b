"""The tests import the package built in the build tree (ctest sets PYTHONPATH to <build>/python)."""
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
