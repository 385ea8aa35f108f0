#!/usr/bin/env python3
"""Writes a synthetic 24-hour 12-lead WFDB record (format 16, 500 Hz, ~1 GB) for the replay memory benchmark.

usage: tools/make_holter24.py DIR   -> DIR/holter24.hea + DIR/holter24.dat
A one-second beat-like waveform (spike + T wave, 60 bpm), scaled per lead, repeated for 24 h:
the point is the record's size, not its rhythm.
"""
import array, math, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/holter"
os.makedirs(out, exist_ok=True)
fs = 500
leads = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
second = array.array("h")
for i in range(fs):
    t = i / fs
    mv = 1.2 * math.exp(-((t - 0.3) / 0.012) ** 2) + 0.3 * math.exp(-((t - 0.6) / 0.05) ** 2) - 0.1 * math.exp(-((t - 0.27) / 0.01) ** 2)
    for k in range(len(leads)):
        second.append(int(round(mv * 200 * (0.5 + 0.1 * k))))   # gain 200 adu/mV
minute = second.tobytes() * 60
with open(os.path.join(out, "holter24.dat"), "wb") as f:
    for _ in range(24 * 60):
        f.write(minute)
with open(os.path.join(out, "holter24.hea"), "w") as h:
    h.write(f"holter24 {len(leads)} {fs} {fs * 86400}\n")
    for name in leads:
        h.write(f"holter24.dat 16 200(0)/mV 16 0 0 0 0 {name}\n")
