# Nested choice of the fusion setting (rule.md): per outer fold, the setting with the best pooled score on the other four
# folds; pooled with the tool's own `benchmark pool`.   nested.py g1|union SWEEP_DIR OUT_DIR   (env: ECGSTREAM)
import json, subprocess, os, itertools, sys
E=os.environ.get('ECGSTREAM','tools/ecgstream'); O=sys.argv[2]; T=sys.argv[3]
MC=['0.8','0.85','0.9','0.95','1.0'] if sys.argv[1]=='g1' else ['0.65','0.7','0.75','0.8','0.85','0.9','0.95','1.0']; NA=['0.2','0.3','0.4']
TAG=sys.argv[1]
settings=[(m,n) for m in MC for n in NA]
os.makedirs(T,exist_ok=True)
def lines(m,n,k):
    out=[]
    for l in open(f'{O}/mc{m}-na{n}/fold-{k}/benchmark.jsonl'):
        r=json.loads(l)
        if r.get('benchmark')!='episodes' or r.get('rhythm')!='AF' or r.get('record')=='ALL': continue
        if r.get('dataset')=='mitdb' and r.get('record') in ('102','104','107','217'): continue
        out.append(l)
    return out
def pool(parts,name):
    f=f'{T}/{name}.jsonl'
    with open(f,'w') as w:
        for m,n,k in parts: w.writelines(lines(m,n,k))
    d=f'{T}/{name}'
    subprocess.run([E,'benchmark','pool',f,'--out',d],check=True,capture_output=True)
    res={}
    for l in open(f'{d}/benchmark.jsonl'):
        r=json.loads(l)
        if r.get('record')=='ALL' and r.get('benchmark')=='episodes' and '+' in r.get('dataset',''): res[r['source']]=r
    return res
def f1(a,b): return 0 if not a or not b else 2*a*b/(a+b)
def score(r): return f1(r['episode_sensitivity'],r['episode_ppv'])+f1(r['duration_sensitivity'],r['duration_ppv'])
def row(r): return f"Se {r['episode_sensitivity']:.3f} +P {r['episode_ppv']:.3f} dur {r['duration_sensitivity']:.3f}/{r['duration_ppv']:.3f} lat {r['median_onset_latency_s']:.1f} s false/h {r['false_per_hour']:.2f} ({r['free_detections']} in {r['free_hours']:.2f} h)"
chosen={}
for k in range(5):
    inner=[j for j in range(5) if j!=k]
    best=None
    for m,n in settings:
        r=pool([(m,n,j) for j in inner],f'inner-{k}-mc{m}-na{n}')['fused']
        s=round(score(r),3)
        key=(s, (m,n)==('0.8','0.2'), float(m), float(n))
        print(f"outer {k} mc {m} na {n}: inner score {s:.3f}  {row(r)}")
        if best is None or key>best[0]: best=(key,(m,n))
    chosen[k]=best[1]; print(f"outer fold {k}: chosen mc {best[1][0]} na {best[1][1]}")
nested=pool([(chosen[k][0],chosen[k][1],k) for k in range(5)],f'nested-{TAG}')
default=pool([('0.8','0.2',k) for k in range(5)],'default')
print("chosen:",chosen)
for s in ('fused','model','rule'): print(f"default {s}: {row(default[s])}")
print(f"nested fused: {row(nested['fused'])}")
# every setting on all folds (not a choice: the landscape)
for m,n in settings:
    r=pool([(m,n,k) for k in range(5)],f'all-mc{m}-na{n}')['fused']; print(f"all folds mc {m} na {n}: score {score(r):.3f} {row(r)}")
