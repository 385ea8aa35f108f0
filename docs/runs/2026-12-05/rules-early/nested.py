"""Nested cross-validation of a fusion or tracker setting over FusionEval caches (one folder of captures per fold).

usage: nested.py CAPDIR CONFIGS OUT --default CONFIG --by f1|latency

For each outer fold, the other folds' records pooled choose a line of CONFIGS:
  --by f1       highest fused episode F1 + duration F1 (3 decimals); ties to the default, then to the higher numbers of
                the line in order (rule.md: session 18's rule, repeated in session 19)
  --by latency  among the lines with no more false AF episodes and no lower episode Se than the default, the lowest
                median onset latency; ties to the higher numbers (onset/rule.md)
The outer fold is scored under its choice; the folds pool exactly (FusionEval's lines carry their counts).
"""
import argparse, glob, json, statistics, subprocess

B = 'tools/bench/EcgStream.FusionEval/bin/Release/net10.0/EcgStream.FusionEval'
a = argparse.ArgumentParser()
a.add_argument('cap'); a.add_argument('configs'); a.add_argument('out')
a.add_argument('--default', required=True); a.add_argument('--by', choices=['f1', 'latency'], required=True)
args = a.parse_args()


def sweep(files):
    r = subprocess.run([B, 'sweep', '--configs', args.configs] + files, capture_output=True, text=True, check=True)
    return {d['config']: d for d in map(json.loads, r.stdout.splitlines()) if d['record'] == 'ALL'}


def numbers(cfg): return tuple(float(x.split('=')[1]) for x in cfg.split())
def f1(se, ppv): return 0 if not se or not ppv or se + ppv == 0 else 2 * se * ppv / (se + ppv)
def score(d): return round(f1(d['episode_se'], d['episode_ppv']) + f1(d['duration_se'], d['duration_ppv']), 3)


def choose(inner):
    if args.by == 'f1':
        return max(inner, key=lambda c: (score(inner[c]), c == args.default, *numbers(c)))
    base = inner[args.default]
    ok = [c for c, d in inner.items() if d['false_episodes'] <= base['false_episodes'] and d['episode_se'] >= base['episode_se']]
    return min(ok, key=lambda c: (inner[c]['median_latency_s'], *(-x for x in numbers(c))))


def pool(lines):
    refs = sum(d['reference_episodes'] for d in lines); hit = sum(d['reference_detected'] for d in lines)
    det = sum(d['detected'] for d in lines); tru = sum(d['detected_true'] for d in lines)
    refS = sum(d['reference_s'] for d in lines); detS = sum(d['detected_s'] for d in lines); ov = sum(d['overlap_s'] for d in lines)
    fa = sum(d['false_episodes'] for d in lines); h = sum(d['non_af_hours'] for d in lines)
    lat = sorted(x for d in lines for x in d['onset_latencies_s'])
    return dict(episode_se=round(hit / refs, 3), episode_ppv=round(tru / det, 3), duration_se=round(ov / refS, 3),
                duration_ppv=round(ov / detS, 3), median_latency_s=round(statistics.median(lat), 1) if lat else None,
                false_episodes=fa, false_per_hour=round(fa / h, 2), non_af_hours=round(h, 2))


folds = sorted(glob.glob(f'{args.cap}/fold-*'))
chosen, outer_lines, default_lines, log = {}, [], [], []
for f in folds:
    k = f.rsplit('-', 1)[1]
    inner = sweep([p for g in folds if g != f for p in glob.glob(f'{g}/*.json')])
    best = choose(inner)
    chosen[k] = best
    outer = sweep(glob.glob(f'{f}/*.json'))
    outer_lines.append(outer[best]); default_lines.append(outer[args.default])
    log.append({'outer': k, 'chosen': best,
                'inner': {c: {'score': score(d), 'false_episodes': d['false_episodes'], 'episode_se': d['episode_se'],
                              'median_latency_s': d['median_latency_s']} for c, d in inner.items()}})
allf = sweep(glob.glob(f'{args.cap}/fold-*/*.json'))
res = {'chosen': chosen, 'nested': pool(outer_lines), 'default': pool(default_lines),
       'every_fold': {c: {x: allf[c][x] for x in ('episode_se', 'episode_ppv', 'duration_se', 'duration_ppv', 'median_latency_s', 'false_per_hour')} for c in allf}}
json.dump({'result': res, 'log': log}, open(args.out, 'w'), indent=1)
print(json.dumps(res['chosen'])); print('nested ', res['nested']); print('default', res['default'])
