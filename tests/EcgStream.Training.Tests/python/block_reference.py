"""Runs the PyTorch reference TransformerBlock (tools/bench/train_step.py) on weights and input
written by the C# binding, and writes its output, loss and gradients back as safetensors.

    block_reference.py <train_step.py> <in.safetensors> <out.safetensors> <dim> <heads>
"""
import importlib.util
import sys

import torch

import safetensors_io

spec = importlib.util.spec_from_file_location("train_step", sys.argv[1])
train_step = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_step)

meta, tensors = safetensors_io.read(sys.argv[2])
dtypes = {"F64": torch.float64, "F32": torch.float32, "BOOL": torch.bool}


def load(name):
    dtype, shape, raw = tensors[name]
    return torch.frombuffer(bytearray(raw), dtype=dtypes[dtype]).reshape(shape).clone()


dim, heads = int(sys.argv[4]), int(sys.argv[5])
block = train_step.TransformerBlock(dim, heads).double()
block.load_state_dict({k[len("block."):]: load(k) for k in tensors if k.startswith("block.")}, strict=True)
x = load("input").requires_grad_()
mask = load("mask")
out = block(x, mask)
loss = out.square().mean()
loss.backward()

result = {
    "output": out.detach(),
    "loss": loss.detach().reshape(1),
    "input_grad": x.grad,
}
for name, p in block.named_parameters():
    result["grad." + name] = p.grad
safetensors_io.write(sys.argv[3], {n: ("F64", list(t.shape), t.contiguous().numpy().tobytes()) for n, t in result.items()},
                     {"producer": "pytorch " + torch.__version__})
