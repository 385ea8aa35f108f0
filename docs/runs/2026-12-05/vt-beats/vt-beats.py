import numpy as np, collections, sys
rows=[l.rstrip('\n').split('\t') for l in open(sys.argv[1])][1:]
rec=np.array([r[0] for r in rows]); t=np.array([float(r[1]) for r in rows]); sym=np.array([r[2] for r in rows]); invt=np.array([r[3]=='1' for r in rows])
F=np.array([[float(v) for v in r[5:]] for r in rows])  # shape amp pre post w50 area slope sb
names=['shape','amp','pre','post','w50','area','slope','sb']
# impute
F[np.isnan(F[:,0]),0]=1.0
for j in range(1,F.shape[1]):
    col=F[:,j]; col[~np.isfinite(col)]=np.nanmedian(col[np.isfinite(col)]); F[:,j]=col
F[:,1]=np.log(np.clip(F[:,1],0.05,20)); F[:,2]=np.clip(F[:,2],0,3); F[:,3]=np.clip(F[:,3],0,3)
isV=np.isin(sym,['V','E','!'])
print('beats',len(sym),'V',isV.sum(), collections.Counter(sym).most_common(12))
def feats(F):
    s=F[:,0]; return np.column_stack([s,F[:,1],F[:,2],F[:,3],F[:,4],F[:,5],F[:,6],F[:,7],(1-s)*F[:,4],F[:,2]*F[:,3],np.minimum(F[:,2],1.2)**2])
X=feats(F); mu=X.mean(0); sd=X.std(0)+1e-9; X=(X-mu)/sd
def fit(X,y,lam=1.0,it=30):
    Xb=np.column_stack([X,np.ones(len(X))]); w=np.zeros(Xb.shape[1])
    for _ in range(it):
        p=1/(1+np.exp(-Xb@w)); g=Xb.T@(p-y)+lam*np.r_[w[:-1],0]; H=(Xb*(p*(1-p))[:,None]).T@Xb+lam*np.diag(np.r_[np.ones(len(w)-1),0])
        w-=np.linalg.solve(H,g)
    return w
recs=sorted(set(rec)); P=np.zeros(len(t))
for r in recs:
    tr=rec!=r; w=fit(X[tr],isV[tr].astype(float)); Xb=np.column_stack([X[~tr],np.ones((~tr).sum())]); P[~tr]=1/(1+np.exp(-Xb@w))
w=fit(X,isV.astype(float)); print('weights',np.round(w,2))
for thr in [0.3,0.5,0.7]:
    pred=P>=thr; tp=(pred&isV).sum(); print('beat thr',thr,'Se %.3f +P %.3f'%(tp/isV.sum(), tp/max(1,pred.sum())))
# VT runs
def runs(pred, minlen):
    out=[]
    for r in recs:
        idx=np.where(rec==r)[0]; tt=t[idx]; pp=pred[idx]; i=0
        while i<len(idx):
            if pp[i]:
                j=i
                while j+1<len(idx) and pp[j+1] and tt[j+1]-tt[j]<0.6: j+=1
                if j-i+1>=minlen: out.append((r,tt[i],tt[j]))
                i=j+1
            else: i+=1
    return out
# reference VT episodes from invt contiguous
refs=[]
for r in recs:
    idx=np.where(rec==r)[0]; v=invt[idx]; tt=t[idx]; i=0
    while i<len(idx):
        if v[i]:
            j=i
            while j+1<len(idx) and v[j+1]: j+=1
            refs.append((r,tt[i],tt[j])); i=j+1
        else: i+=1
vtfree=[r for r in recs if not any(x[0]==r for x in refs)]
print('ref eps',len(refs),'vt-free h',len(vtfree)*0.5)
def score(dets):
    ov=lambda a,b: a[0]==b[0] and a[1]-1<=b[2] and b[1]<=a[2]+1
    se=sum(any(ov(x,d) for d in dets) for x in refs)/len(refs); tp=sum(any(ov(d,x) for x in refs) for d in dets)
    fr=sum(1 for d in dets if d[0] in vtfree)
    perrec=collections.Counter(d[0] for d in dets if not any(ov(d,x) for x in refs))
    return se, tp/max(1,len(dets)), len(dets), fr/(len(vtfree)*0.5), dict(perrec)
for thr in [0.3,0.5,0.7,0.9]:
    for k in [3,4,5]:
        print('thr',thr,'run>=',k,'Se %.3f +P %.3f n %d false/h %.2f'%score(runs(P>=thr,k))[:4], score(runs(P>=thr,k))[4])
# truth-labels upper bound
for k in [3]:
    print('oracle V beats run>=3', score(runs(isV,3))[:4])
# old probe
print('shape<0.7 run>=3',score(runs(F[:,0]<0.7,3))[:4])
print('--- oracle misses')
ov=lambda a,b: a[0]==b[0] and a[1]-1<=b[2] and b[1]<=a[2]+1
od=runs(isV,3); od2=runs(isV,2)
for x in refs:
    if not any(ov(x,d) for d in od):
        idx=np.where((rec==x[0])&(t>=x[1]-0.3)&(t<=x[2]+0.3))[0]
        print(x, 'beats', ' '.join('%s%.2f'%(sym[i], t[i]-t[i-1]) for i in idx))
