"""How much can a teacher gain by choosing only HOW MANY samples each class gets? An upper bound with an oracle.

The simulated teacher (pgkd.simulator) answers a PGKD prompt by deciding how many pool texts of each class to hand
over, then drawing unused pool texts at random within each class (see nbs/05_simulator.ipynb). So whatever the prompt
says, PGKD's gain over `vanilla` can only come from the class allocation. This script bounds that gain: each round it
allocates the 32 samples using the per-class F1 of the current student on the TEST set (knowledge no real run has),
then draws pool texts at random within class, exactly as the simulator does. TF-IDF student, the paper's 800/200
start, 10 rounds x 32 samples, final round kept.

Policies: `vanilla` (uniform over classes), `oracle0` (weights 1 - test F1, steering the running totals as
pgkd.mining.Quotas does), `oracle0.5` (half of that spread uniformly, like pgkd's default), `worst` (one sample to
each of the 32 classes with the lowest test F1).

    PGKD_DATASETS=../shared/datasets python bench/oracle/oracle_allocation.py [--datasets banking77 clinc150] [--seeds 0 1 2]

Appends one JSON line per (dataset, policy, seed) to bench/oracle/results.jsonl (skipping those already there) and
prints the mean test macro-F1 per policy and its gain over the student on the labelled data alone.
"""
import argparse, json, os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
import numpy as np

POLICIES = ('vanilla', 'oracle0', 'oracle0.5', 'worst')

def oracle_run(name, seed, policy, steps=10, n=32):
    from pgkd.data import protocol_data, allocate
    from pgkd.students import TfidfStudent
    from pgkd.report import Report
    train, valid, test, pool = protocol_data(name, seed)
    C, rng = len(train.classes), np.random.default_rng(seed)
    labels = np.array(pool.labels, dtype=object)
    left = {c: list(rng.permutation(np.flatnonzero(labels == c))) for c in train.classes}
    fit = lambda d: TfidfStudent(seed=seed).fit(d, valid)
    test_f1 = lambda s: Report.from_preds(test.y, s.predict_proba(test.texts).argmax(1), train.classes).per_class.f1.to_numpy()
    s, cur, given = fit(train), train, np.zeros(C)
    alone = test_f1(s).mean()
    for _ in range(steps):
        f = test_f1(s)
        if policy == 'vanilla': w = np.ones(C)
        elif policy == 'worst': w = np.zeros(C); w[np.argsort(f)[:n]] = 1
        else:
            u, weak = float(policy[len('oracle'):]), 1 - f
            w = u/C + (1-u) * weak/weak.sum()
            w = np.clip(w * (given.sum() + n) - given, 0, None)   # steer the running totals, as Quotas does
        counts = allocate(w, n, rng=rng)
        new = [left[c].pop() for c,k in zip(train.classes, counts) for _ in range(k) if left[c]]
        given += counts
        cur = cur + pool.new(np.array(new))
        s = fit(cur)
    return dict(name=name, seed=seed, policy=policy, alone=round(float(alone), 4), final=round(float(test_f1(s).mean()), 4))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--datasets', nargs='+', default=['banking77', 'clinc150'])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--policies', nargs='+', default=list(POLICIES), choices=POLICIES)
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--out', default='bench/oracle')
    a = p.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True); res = out/'results.jsonl'
    have = [json.loads(l) for l in res.read_text().splitlines()] if res.exists() else []
    done = {(r['name'], r['seed'], r['policy']) for r in have}
    jobs = [(d, s, q) for d in a.datasets for q in a.policies for s in a.seeds if (d, s, q) not in done]
    with ProcessPoolExecutor(a.workers) as ex:
        for f in as_completed([ex.submit(oracle_run, *j) for j in jobs]):
            r = f.result(); have.append(r); print(json.dumps(r), flush=True)
            with open(res, 'a') as fh: fh.write(json.dumps(r) + '\n')
    print('\ntest macro-F1, mean over seeds (TF-IDF student, 10 x 32 pool texts drawn at random within class)')
    print(f"{'dataset':>10} {'policy':>10} {'seeds':>5} {'alone':>7} {'final':>7} {'gain':>7}")
    for d in a.datasets:
        for q in a.policies:
            rs = [r for r in have if r['name'] == d and r['policy'] == q and r['seed'] in a.seeds]
            if rs: print(f"{d:>10} {q:>10} {len(rs):>5} {np.mean([r['alone'] for r in rs]):7.4f} "
                         f"{np.mean([r['final'] for r in rs]):7.4f} {np.mean([r['final']-r['alone'] for r in rs]):+7.4f}")

if __name__ == '__main__': main()
