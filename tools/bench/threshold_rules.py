#!/usr/bin/env python3
"""Compare decision-threshold rules on a model's validation rows (`ecgstream train thresholds` writes them to
threshold-rows.jsonl), validation only: each repeat splits the rows in two halves at random, chooses a threshold per
class on one half with each rule and scores F1 on the other. Prints, per class and rule, the threshold chosen on all
rows, the spread of the half-chosen thresholds and the other half's F1.

  python3 tools/bench/threshold_rules.py RUN/threshold-rows.jsonl [--repeats 20] [--json OUT.json]

Rules: best (the toolchain's: the highest F1 among midpoints of distinct probabilities, inside [0.05, 0.95]);
plateau-T (the median of the candidates within T of the best F1); bagged (the median of the best thresholds of 25
bootstrap draws). Standard library only (python3)."""
import argparse, json, random, statistics

CLASSES = ['SR', 'AF', 'AFL', 'STACH', 'SBRAD', 'SVT', 'VT', 'VF', 'PACE', 'VECT', 'NOISE']
LOWEST, HIGHEST, DEFAULT = 0.05, 0.95, 0.5


def f1(rows, t):
    tp = sum(1 for p, y in rows if p >= t and y)
    fp = sum(1 for p, y in rows if p >= t and not y)
    fn = sum(1 for p, y in rows if p < t and y)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def curve(rows):
    s = sorted(set(p for p, _ in rows))
    ts = sorted(set(min(max(0.5 * (a + b), LOWEST), HIGHEST) for a, b in zip(s, s[1:])))
    return [(t, f1(rows, t)) for t in ts]


def best(rows):
    bt, bf = DEFAULT, f1(rows, DEFAULT)
    for t, f in curve(rows):
        if f > bf:
            bt, bf = t, f
    return bt


def plateau(tolerance):
    def rule(rows):
        cv = curve(rows)
        top = max([f for _, f in cv] + [f1(rows, DEFAULT)])
        near = [t for t, f in cv if f >= top - tolerance]
        return statistics.median(near) if near else DEFAULT
    return rule


def bagged(draws=25, seed=7):
    def rule(rows):
        r = random.Random(seed)
        chosen = []
        for _ in range(draws):
            sample = [rows[r.randrange(len(rows))] for _ in rows]
            if any(y for _, y in sample):
                chosen.append(best(sample))
        return statistics.median(chosen) if chosen else DEFAULT
    return rule


RULES = {'best': best, 'plateau-0.01': plateau(0.01), 'plateau-0.02': plateau(0.02), 'plateau-0.05': plateau(0.05), 'bagged': bagged()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('rows')
    ap.add_argument('--repeats', type=int, default=20)
    ap.add_argument('--json')
    a = ap.parse_args()
    data = [json.loads(line) for line in open(a.rows)]
    result = {}
    print('| class | positives / rows | rule | threshold (all rows) | half-chosen threshold mean ± sd | other half F1 mean ± sd |')
    print('|---|---|---|---|---|---|')
    for k, name in enumerate(CLASSES):
        rows = [(d['p'][k], bool(d['mask'] >> k & 1)) for d in data if d['known'] >> k & 1]
        positives = sum(y for _, y in rows)
        if positives == 0:
            continue
        rnd = random.Random(1)
        halves = {n: ([], []) for n in RULES}
        for _ in range(a.repeats):
            idx = list(range(len(rows)))
            rnd.shuffle(idx)
            h = len(idx) // 2
            first, second = [rows[i] for i in idx[:h]], [rows[i] for i in idx[h:]]
            for n, rule in RULES.items():
                t = rule(first)
                halves[n][0].append(t)
                halves[n][1].append(f1(second, t))
        result[name] = {}
        for n, rule in RULES.items():
            ts, fs = halves[n]
            full = rule(rows)
            result[name][n] = {'threshold': full, 'half_mean': statistics.mean(ts), 'half_sd': statistics.pstdev(ts),
                               'other_half_f1': statistics.mean(fs), 'other_half_f1_sd': statistics.pstdev(fs)}
            print(f'| {name} | {positives} / {len(rows)} | {n} | {full:.3f} | {statistics.mean(ts):.3f} ± {statistics.pstdev(ts):.3f} | '
                  f'{statistics.mean(fs):.4f} ± {statistics.pstdev(fs):.3f} |')
    if a.json:
        json.dump(result, open(a.json, 'w'), indent=1)


if __name__ == '__main__':
    main()
