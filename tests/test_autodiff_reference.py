"""bplib's gradients equal PyTorch's autograd in float64 for three networks (dense,
convolutional, recurrent). The reference numbers are in tests/data/
autodiff_reference.json, written by bench/make_autodiff_reference.py in an environment
with PyTorch; these tests need no PyTorch."""

import json
import pathlib

import pytest

from bplib.demos.ch12 import compare_with_reference

REF = json.loads((pathlib.Path(__file__).parent / "data" / "autodiff_reference.json").read_text())


@pytest.mark.parametrize("name", ["dense", "conv", "rnn"])
def test_gradients_equal_pytorchs(name):
    case = REF["cases"][name]
    errors = compare_with_reference(name, case)
    assert set(errors) == {"loss", *case["grads"]}
    assert max(errors.values()) < 1e-12, errors
