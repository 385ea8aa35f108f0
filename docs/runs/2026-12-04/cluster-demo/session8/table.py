"""Prints the session-8 table of docs/scale-out.md from the run files beside it: python3 table.py"""
import json,sys,os
here=os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0,here)
from led import led
runs=[('r/f1','3dd590c','16'),('r/f2','3dd590c','16'),('r/f3','3dd590c','16'),('r/b64','3dd590c','64'),
('g/g1','af78fdc','16'),('g/g2','af78fdc','16'),('g/g3','af78fdc','16'),('g/g4','af78fdc','16'),('g/b64','af78fdc','64'),
('p/p1','bcc0163','16'),('p/k1','bcc0163','16 †'),('p/p2','bcc0163','16'),('p/k2','bcc0163','16 †'),
('q/q1','0b4d541','16'),('q/k1','0b4d541','16 †'),('q/q2','0b4d541','16'),('q/k2','0b4d541','16 †'),('q/k64','0b4d541','64 †'),('q/b64','0b4d541','64'),('h/k64','ecdd6ad','64 †'),('h/b64','ecdd6ad','64'),('h/h1','ecdd6ad','16 †'),('c/k64','0fa8cf4','64 †'),('c/b64','0fa8cf4','64'),('c/c1','0fa8cf4','16 †'),('c/c2','0fa8cf4','16'),('d/d1','0fa8cf4','16'),('d/d2','0fa8cf4','16 †'),('d/d64','0fa8cf4','64'),('e/e1','4624eaa','16'),('e/e64','4624eaa','64 †')]
for name,code,beds in runs:
    try: d=json.load(open(os.path.join(here,name.replace('/','-')+'.json')))
    except Exception: continue
    node,l=led(os.path.join(here,name.replace('/','-')+'.log'))
    ld=open(os.path.join(here,name.replace('/','-')+'.load.txt')).read().split('load average: ')
    la=lambda s: s.split(',')[0].strip()
    load=f"{la(ld[1])} → {la(ld[2])}" if len(ld)>2 else ''
    short={'ECG':'ECG','ECG_PROGRESS':'PROGRESS','EVENTS':'EVENTS','KV_ecg_workers':'workers','KV_ecg_leases':'leases','KV_ecg_beds':'beds','metadata':'meta'}
    rm=d['replay_match']
    print(f"| {name.split('/')[1]} | {code} | {beds} | {load} | {node}: {', '.join(short[x] for x in l) or '–'} | {d['samples_lost']} | {d['samples_analysed_twice']} | {d['duplicate_event_ids']} | {d['gaps']} | {d['claim_seconds']:.2f} | {d['takeover_seconds']:.2f} | **{d['failover_seconds']:.2f}** | {rm['matched']} ({rm['cluster_onsets']} / {rm['replay_onsets']}) | {d['beds_per_worker_core']} |")
