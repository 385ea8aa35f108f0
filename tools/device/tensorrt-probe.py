"""Runs the shipped int8 QDQ model under ONNX Runtime's TensorRT provider (explicit int8) and CUDA, where they exist,
and compares their outputs with the CPU provider's. Prints one JSON object. For a GPU machine (issue 12)."""
import json, sys, time, glob, os
out = {"python": sys.version.split()[0]}
try:
    import onnxruntime as ort
    out["onnxruntime"] = ort.__version__
    out["providers"] = ort.get_available_providers()
except Exception as e:
    out["onnxruntime_error"] = repr(e)
    print(json.dumps(out)); sys.exit(0)
try:
    import tensorrt
    out["tensorrt"] = tensorrt.__version__
except Exception as e:
    out["tensorrt_error"] = repr(e)[:200]
out["libnvinfer"] = sorted({os.path.basename(p) for d in ["/usr/lib/x86_64-linux-gnu", "/usr/local/lib", "/usr/local/cuda/lib64", "/opt"]
                            for p in glob.glob(d + "/**/libnvinfer*.so*", recursive=True)})[:10]
import numpy as np
model = sys.argv[1] if len(sys.argv) > 1 else "models/ecgstream.onnx"
rng = np.random.default_rng(1)
n = 8
t = np.arange(2250) / 250.0
ecg = (0.05 * rng.standard_normal((n, 12, 2250)) + np.sin(2 * np.pi * 1.2 * t)[None, None, :]).astype(np.float32)
feeds = {"ecg": ecg, "lead_mask": np.ones((n, 12), np.float32), "rhythm": rng.standard_normal((n, 14)).astype(np.float32) * 0.1}
def run(providers, opts=None):
    so = ort.SessionOptions()
    s = ort.InferenceSession(model, so, providers=providers if opts is None else [(providers[0], opts)] + providers[1:])
    names = {i.name for i in s.get_inputs()}
    f = {k: v for k, v in feeds.items() if k in names}
    r = s.run(None, f)
    t0 = time.perf_counter()
    for _ in range(50): s.run(None, f)
    return s.get_providers(), r[0], (time.perf_counter() - t0) / 50 * 1000
cpu_p, cpu, cpu_ms = run(["CPUExecutionProvider"])
out["cpu_ms_per_batch8"] = round(cpu_ms, 3)
for name, opts in [("CUDAExecutionProvider", None),
                   ("TensorrtExecutionProvider", {"trt_int8_enable": True, "trt_fp16_enable": True, "trt_engine_cache_enable": False})]:
    if name not in out["providers"]:
        out[name] = "not available"
        continue
    try:
        used, logits, ms = run([name, "CPUExecutionProvider"], opts)
        out[name] = {"used": used, "ms_per_batch8": round(ms, 3), "max_abs_diff_vs_cpu": float(np.max(np.abs(logits - cpu)))}
    except Exception as e:
        out[name] = "failed: " + repr(e)[:400]
print(json.dumps(out, indent=1))
