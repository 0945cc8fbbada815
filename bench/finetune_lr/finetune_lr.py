"""Which learning rate makes `TransformerStudent.from_pretrained` learn on the paper's start (800 train / 200 valid)?

Fine-tunes a pretrained checkpoint (all-MiniLM-L6-v2 in our runs) with fastai at several learning rates, the paper's
recipe otherwise (batch 64, up to 30 epochs, early stopping with patience 5 on validation loss), and prints test
macro-F1, the best epoch and the fit time. One process, `--threads` torch threads.

    python bench/finetune_lr/finetune_lr.py --checkpoint PATH --datasets banking77 ag_news --lrs 2e-5 1e-4 3e-4
"""
import argparse, json, time
from pathlib import Path
from pgkd.bench import protocol_data, machine
from pgkd.transformer import TransformerStudent

P = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
P.add_argument('--checkpoint', required=True); P.add_argument('--datasets', nargs='+', default=['banking77'])
P.add_argument('--lrs', nargs='+', type=float, default=[2e-5, 1e-4, 3e-4]); P.add_argument('--seed', type=int, default=0)
P.add_argument('--epochs', type=int, default=30); P.add_argument('--max-len', type=int, default=128)
P.add_argument('--threads', type=int, default=1); P.add_argument('--out', default='bench/finetune_lr/results.jsonl')
a = P.parse_args()
out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
print(f"machine: {machine()}, {a.threads} torch thread(s)")
for d in a.datasets:
    train, valid, test, _ = protocol_data(d, a.seed)
    for lr in a.lrs:
        t0 = time.time()
        s = TransformerStudent.from_pretrained(a.checkpoint, lr=lr, epochs=a.epochs, max_len=a.max_len, seed=a.seed,
                                               progress=False, threads=a.threads).fit(train, valid)
        r = s.evaluate(test)
        rec = dict(dataset=d, seed=a.seed, lr=lr, epochs=a.epochs, best_epoch=s.best_epoch, epochs_run=len(s.history),
                   accuracy=round(r.accuracy, 4), macro_f1=round(r.macro_f1, 4), fit_seconds=round(time.time()-t0, 1))
        print(json.dumps(rec), flush=True)
        with open(out, 'a') as f: f.write(json.dumps(rec) + '\n')
