# Record-level AF F1 and AUROC of PhysioNet 2017 records under several folds of their windows' p(AF): each fold's
# threshold is the best F1 on the validation file, then applied to the test file (tools/bench/record-aggregation.fsx).
import sys, statistics as st
def load(f):
    rows=[]
    for l in open(f):
        r,k,p,pr=l.rstrip('\n').split('\t')
        if k!='1': continue
        rows.append((r,int(p),[float(x) for x in pr.split(',')]))
    return rows
aggs={
 'median':lambda v: st.median(v),
 'mean':lambda v: sum(v)/len(v),
 'last':lambda v: v[-1],
 'max':lambda v: max(v),
 'mean_last2':lambda v: sum(v[-2:])/len(v[-2:]),
 'median_last3':lambda v: st.median(v[-3:]),
 'wmean_lin':lambda v: sum((i+1)*x for i,x in enumerate(v))/sum(i+1 for i in range(len(v))),
}
def f1_at(rows,agg,t):
    tp=fp=fn=0
    for r,p,v in rows:
        d=aggs[agg](v)>=t
        tp+=d and p; fp+=d and not p; fn+=(not d) and p
    return 2*tp/(2*tp+fp+fn) if tp else 0
def auroc(rows,agg):
    s=[(aggs[agg](v),p) for r,p,v in rows]
    pos=[x for x,p in s if p]; neg=[x for x,p in s if not p]
    c=sum((a>b)+0.5*(a==b) for a in pos for b in neg)
    return c/len(pos)/len(neg)
val=load(sys.argv[1]); test=load(sys.argv[2])
print('val AF pos', sum(p for _,p,_ in val), 'test', sum(p for _,p,_ in test), 'windows/record', sum(len(v) for *_,v in test)/len(test))
for a in aggs:
    ts=[i/1000 for i in range(5,1000,5)]
    best=max(ts,key=lambda t:(f1_at(val,a,t),-abs(t-0.5)))
    print(f"{a:14s} thr {best:.3f} val F1 {f1_at(val,a,best):.3f} AUROC {auroc(val,a):.4f} | test F1 {f1_at(test,a,best):.3f} AUROC {auroc(test,a):.4f}")
