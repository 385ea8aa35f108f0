"""What the killed NATS node led, from a cluster-demo log (the servers' lines the demo prints at its end)."""
import re,sys,json
def led(err):
    lines=open(err).read().splitlines()
    kill=None; node=None
    for l in lines:
        m=re.search(r'^(\S+) demo: killed worker \S+ and NATS node (n\d)',l)
        if m: kill=m.group(1); node=m.group(2)
    leaders={}
    for l in lines:
        m=re.search(r"demo: (n\d): \[\d+\] \S+ (\S+) \[INF\] (JetStream cluster new stream leader for '\$G > (\S+)'|Self is new JetStream cluster metadata leader)",l)
        if not m: continue
        t=m.group(2)[:12]
        if kill and t>=kill: continue
        name=m.group(4) or 'metadata'
        leaders[name]=(t,m.group(1))
    return node, sorted(k for k,(t,n) in leaders.items() if n==node)
if __name__ == "__main__":
 for f in sys.argv[1:]:
     d=json.load(open(f.replace('.log','.json').replace('.err','.json')))
     n,l=led(f)
     print(f.split('/')[-1], n, ','.join(l), d['failover_seconds'], d['claim_seconds'], d['takeover_seconds'], d['samples_lost'], d['samples_analysed_twice'], d['gaps'], d['duplicate_event_ids'], d['replay_match']['matched'], d['replay_match']['cluster_onsets'], d['replay_match']['replay_onsets'], d['beds_per_worker_core'], d['rebalanced_beds'])
