"""Prints {"metadata": {...}, "tensors": {name: {"dtype", "shape", "sum"}}} for a safetensors file,
read with nothing but the Python standard library."""
import json
import sys

import safetensors_io

meta, tensors = safetensors_io.read(sys.argv[1])
print(json.dumps({
    "metadata": meta,
    "tensors": {n: {"dtype": d, "shape": s, "sum": float(sum(safetensors_io.values(d, raw)))} for n, (d, s, raw) in tensors.items()},
}))
