"""Nested choice of the fused tracker's AF onset evidence over FusionEval caches (rule.md). usage: nested.py CAPDIR CONFIGS OUT"""
import json, subprocess, sys, glob, statistics
cap, configs, out = sys.argv[1], sys.argv[2], sys.argv[3]
B = 'tools/bench/EcgStream.FusionEval/bin/Release/net10.0/EcgStream.FusionEval'
def sweep(files):
    r = subprocess.run([B, 'sweep', '--configs', configs] + files, capture_output=True, text=True, check=True)
    return {d['config']: d for d in map(json.loads, r.stdout.splitlines()) if d['record'] == 'ALL'}
def value(cfg): return float(cfg.split('Tracker.AfOnsetEvidence=')[1])
def pool(lines):
    refs = sum(d['reference_episodes'] for d in lines); hit = sum(d['reference_detected'] for d in lines)
    det = sum(d['detected'] for d in lines); tru = sum(d['detected_true'] for d in lines)
    refS = sum(d['reference_s'] for d in lines); detS = sum(d['detected_s'] for d in lines); ov = sum(d['overlap_s'] for d in lines)
    fa = sum(d['false_episodes'] for d in lines); h = sum(d['non_af_hours'] for d in lines)
    lat = sorted(x for d in lines for x in d['onset_latencies_s'])
    return dict(episode_se=round(hit / refs, 3), episode_ppv=round(tru / det, 3), duration_se=round(ov / refS, 3),
                duration_ppv=round(ov / detS, 3), median_latency_s=round(statistics.median(lat), 1) if lat else None,
                false_episodes=fa, false_per_hour=round(fa / h, 2), non_af_hours=round(h, 2))
folds = sorted(glob.glob(f'{cap}/fold-*'))
chosen, outer_lines, default_lines, log = {}, [], [], []
for f in folds:
    k = f.rsplit('-', 1)[1]
    inner = sweep([p for g in folds if g != f for p in glob.glob(f'{g}/*.json')])
    base = next(d for c, d in inner.items() if value(c) == 0.6)
    ok = [c for c, d in inner.items() if d['false_episodes'] <= base['false_episodes'] and d['episode_se'] >= base['episode_se']]
    best = min(ok, key=lambda c: (inner[c]['median_latency_s'], -value(c)))
    chosen[k] = best
    outer = sweep(glob.glob(f'{f}/*.json'))
    outer_lines.append(outer[best]); default_lines.append(next(d for c, d in outer.items() if value(c) == 0.6))
    log.append({'outer': k, 'chosen': best, 'inner': {c: {x: inner[c][x] for x in ('false_episodes', 'episode_se', 'median_latency_s')} for c in inner}})
allf = sweep(glob.glob(f'{cap}/fold-*/*.json'))
res = {'chosen': chosen, 'nested': pool(outer_lines), 'default': pool(default_lines),
       'every_fold': {c: {x: allf[c][x] for x in ('episode_se', 'episode_ppv', 'duration_se', 'duration_ppv', 'median_latency_s', 'false_per_hour')} for c in allf}}
json.dump({'result': res, 'log': log}, open(out, 'w'), indent=1)
print(json.dumps(res['chosen'])); print('nested ', res['nested']); print('default', res['default'])
