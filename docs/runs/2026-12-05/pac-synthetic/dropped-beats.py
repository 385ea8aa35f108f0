"""Scenario files of sinus rhythm at 60/min with a dropped beat (P wave, no QRS) every 3-6 s, as in second-degree AV
block: five patients, 15 min each. usage: python3 dropped-beats.py OUTDIR; then simulate and evaluate each (README)."""
import json, os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for seed in range(1, 6):
    rng = random.Random(seed)
    segments, t = [], 0.0
    while t < 900:
        d = round(rng.uniform(3, 6), 2)
        segments.append({"rhythm": "SR", "durationSeconds": d, "heartRate": 60})
        segments.append({"rhythm": "PAUSE", "durationSeconds": 1.0, "pWaves": True})
        t += d + 1.0
    scenario = {"seed": seed, "sampleRate": 250, "leads": ["I", "II"],
                "noise": {"snr": 24, "baselineWander": 1, "muscle": 0.5}, "segments": segments}
    with open(os.path.join(out, f"block-s{seed}.json"), "w") as f:
        json.dump(scenario, f)
