import numpy as np, collections
rows=[l.rstrip('\n').split('\t') for l in open(__import__('sys').argv[1])]
rec=np.array([r[0] for r in rows]); cond=np.array([r[1] for r in rows]); t=np.array([float(r[2]) for r in rows]); nt=np.array([r[3]=='1' for r in rows])
lead=np.array([r[4] for r in rows]); K=np.array([float(r[5]) for r in rows]); P=np.array([float(r[6]) for r in rows]); H=np.array([float(r[7]) for r in rows]); flag=np.array([r[8]=='1' for r in rows])
ok=t>=10
def pct(x): return ' '.join('%.2f'%np.percentile(x,q) for q in [5,25,50,75,95])
for c in ['clean','ma12','ma6','ma0']:
    for n in [0,1]:
        m=ok&(cond==c)&(nt==n)
        print(c,'noisy-time' if n else 'clean-time', 'N',m.sum(),'flagged %.3f'%flag[m].mean(), '| K',pct(K[m]),'| P',pct(P[m]),'| H',pct(H[m]))
