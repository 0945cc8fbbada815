"""Resident memory of a 10-round PGKD run with the contrastive student: the process's RSS after each round.

    python bench/contrastive_rss/rss.py --checkpoint MINILM [--dataset banking77] [--seed 0] [--steps 10]

The simulated teacher writes 32 texts a round (patience off, so every round runs); the encoder is tuned at round 0, as in any
run. Appends one record to bench/contrastive_rss/results.jsonl: RSS per round (MiB), and the growth from round 1 to the largest
later round."""
import argparse, json, platform, os, time
from pathlib import Path
from pgkd.data import protocol_data
from pgkd.loop import PGKD, Callback
from pgkd.teachers import SimulatedTeacher
from pgkd.contrastive import ContrastiveStudent

def rss_mib() -> float:
    "This process's resident set size now (not its peak), from /proc."
    for l in Path('/proc/self/status').read_text().splitlines():
        if l.startswith('VmRSS:'): return int(l.split()[1]) / 1024

class RSS(Callback):
    def after_round(self):
        self.rss.append(round(rss_mib(), 1))
        print(f"round {self.history[-1]['round']:>2}: train {self.history[-1]['n_train']:>5}, RSS {self.rss[-1]:.0f} MiB", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--checkpoint', required=True); p.add_argument('--dataset', default='banking77')
    p.add_argument('--seed', type=int, default=0); p.add_argument('--steps', type=int, default=10)
    a = p.parse_args()
    train, valid, test, pool = protocol_data(a.dataset, a.seed)
    cb = RSS(); cb.rss = []
    t = time.time()
    run = PGKD(ContrastiveStudent(a.checkpoint, seed=a.seed), SimulatedTeacher(pool, seed=a.seed), train, valid, test, steps=a.steps,
               n=32, k=16, patience=a.steps + 1, method='pgkd', seed=a.seed, progress=False, cbs=[cb]).run()
    r1, later = cb.rss[1], cb.rss[2:]
    rec = dict(dataset=a.dataset, seed=a.seed, checkpoint='/'.join(Path(a.checkpoint).resolve().parts[-2:]), rounds=len(cb.rss) - 1,
               rss_mib=cb.rss,
               growth_after_round_1=round(max(later) / r1 - 1, 4) if later else None, seconds=round(time.time() - t),
               test_macro_f1=round(run.summary()['test']['macro_f1'], 4), machine=f"{platform.machine()}, {os.cpu_count()} CPU cores",
               command=f'python bench/contrastive_rss/rss.py --checkpoint MINILM --dataset {a.dataset} --seed {a.seed} --steps {a.steps}')
    print(json.dumps(rec))
    with open(Path(__file__).parent/'results.jsonl', 'a') as f: f.write(json.dumps(rec) + '\n')
