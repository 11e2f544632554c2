#!/usr/bin/python3
"""Converts ONNX TensorProto files (.pb, as in ONNX's node tests) to .npy.

  pb_to_npy.py IN.pb OUT.npy [IN.pb OUT.npy ...]
"""
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

args = sys.argv[1:]
if not args or len(args) % 2:
    sys.exit(__doc__.strip())
for src, dst in zip(args[::2], args[1::2]):
    t = TensorProto()
    with open(src, "rb") as f:
        t.ParseFromString(f.read())
    np.save(dst, numpy_helper.to_array(t))
