"""Runs an independent PyTorch implementation of our encoder + PMA head (per-layer gate) on the
weights of an encoder file and a head file as EcgStream writes them, and writes the per-layer
pooled representations, logits and layer weights as safetensors.

    encoder_reference.py <train_step.py> <encoder.safetensors> <head.safetensors> <input.safetensors> <out.safetensors>

The input file holds `ecg` [B, 12, 2250] and `lead_mask` [B, 12] (float32). Weights are read by
their state-dict names, so a renamed or re-shaped parameter fails here.
"""
import importlib.util
import json
import sys

import torch
import torch.nn.functional as F

import safetensors_io

spec = importlib.util.spec_from_file_location("train_step", sys.argv[1])
train_step = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_step)
dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
EPS = 1e-6   # EncoderConfig.NormEps


def read(path):
    meta, tensors = safetensors_io.read(path)
    out = {}
    for name, (dtype, shape, raw) in tensors.items():
        out[name] = torch.frombuffer(bytearray(raw), dtype=dtypes[dtype]).reshape(shape).clone()
    return meta, out


enc_meta, enc = read(sys.argv[2])
head_meta, head = read(sys.argv[3])
_, inp = read(sys.argv[4])
config = json.loads(enc_meta["ecgstream.encoder_config"])
d, depth, heads = config["Dim"], config["Depth"], config["Heads"]
assert head_meta["ecgstream.head_gate"] == "PerLayer", "this reference implements the per-layer gate"

blocks = []
for i in range(depth):
    block = train_step.TransformerBlock(d, heads, config["MlpRatio"])
    block.norm1.eps = block.norm2.eps = EPS
    block.load_state_dict({k[len(f"block{i}."):]: v for k, v in enc.items() if k.startswith(f"block{i}.")}, strict=True)
    blocks.append(block.eval())

with torch.no_grad():
    ecg, lead_mask = inp["ecg"], inp["lead_mask"]
    b = ecg.shape[0]
    pos = enc["pos_embedding"]                                                            # [32, d]
    x = F.linear(ecg.reshape(b, 12, 30, 75), enc["patch_embed.weight"], enc["patch_embed.bias"]) + pos[1:31]
    sep_start = (enc["sep_embedding"] + pos[0]).reshape(1, 1, 1, d).expand(b, 12, 1, d)
    sep_end = (enc["sep_embedding"] + pos[31]).reshape(1, 1, 1, d).expand(b, 12, 1, d)
    x = torch.cat([sep_start, x, sep_end], 2) + enc["lead_embedding.weight"].reshape(1, 12, 1, d)
    x = x.reshape(b, 12 * 32, d)
    absent = (lead_mask == 0).unsqueeze(2).expand(b, 12, 32).reshape(b, 12 * 32)
    slots = torch.ones(32)
    slots[0] = slots[31] = 0
    pool = (lead_mask.unsqueeze(2) * slots.reshape(1, 1, 32)).reshape(b, 12 * 32, 1)
    pooled = []
    for block in blocks:
        x = block(x, absent)
        pooled.append((x * pool).sum(1) / pool.sum(1))
    layer_pooled = torch.stack(pooled, 1)                                               # [B, L, d]

    z = F.layer_norm(layer_pooled, (d,), head["norm.weight"], head["norm.bias"], EPS)
    gate = F.linear(F.gelu(F.linear(z, head["gate_fc1.weight"], head["gate_fc1.bias"])), head["gate_fc2.weight"], head["gate_fc2.bias"]).squeeze(2)
    weights = gate.softmax(1)
    logits = F.linear((z * weights.unsqueeze(2)).sum(1), head["head.weight"], head["head.bias"])

result = {"layer_pooled": layer_pooled, "logits": logits, "layer_weights": weights}
safetensors_io.write(sys.argv[5], {n: ("F32", list(t.shape), t.contiguous().numpy().tobytes()) for n, t in result.items()},
                     {"producer": "pytorch " + torch.__version__})
