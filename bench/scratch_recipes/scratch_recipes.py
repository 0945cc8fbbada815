"""Which training recipe suits the from-scratch transformer student? Mean and spread of test macro-F1 on neighbouring training sets.

PGKD retrains the student every round on a training set that grew by 32 texts, and returns the round with the best
validation loss. A student whose score swings by many points between such neighbouring training sets turns that
choice into a lottery. For each recipe this script trains TransformerStudent.from_scratch (seed 0, one torch thread) on
banking77's 800/200 start (pgkd.bench.protocol_data, seed 0) and on the start plus 32, 64 and 96 pool texts, and prints
the test macro-F1 of each fit, their mean and standard deviation (one JSON line per recipe).

    PGKD_DATASETS=../shared/datasets python bench/scratch_recipes/scratch_recipes.py            # all recipes (about 25 minutes on 2 cores)
    PGKD_DATASETS=../shared/datasets python bench/scratch_recipes/scratch_recipes.py R0 R8      # some of them
"""
import sys, json, time
import numpy as np, torch
from concurrent.futures import ProcessPoolExecutor

RECIPES = {  # name: from_scratch options (R0 was the default before; R8 is the default now)
    'R0': dict(hidden=128, heads=2, lr=2e-3, epochs=30, patience=5, bs=64),
    'R1': dict(hidden=128, heads=2, lr=2e-3, epochs=30, patience=30, bs=64),
    'R2': dict(hidden=128, heads=2, lr=1e-3, epochs=20, patience=20, bs=64),
    'R3': dict(hidden=128, heads=2, lr=3e-3, epochs=15, patience=15, bs=64),
    'R4': dict(hidden=128, heads=2, lr=1e-3, epochs=30, patience=5, bs=16),
    'R6': dict(hidden=128, heads=2, lr=2e-3, epochs=30, patience=5, bs=16),
    'R7': dict(hidden=128, heads=2, lr=2e-3, epochs=30, patience=5, bs=32, vocab_size=3000),
    'R8': dict(hidden=256, heads=4, lr=1e-3, epochs=30, patience=5, bs=64),
    'R9': dict(hidden=256, heads=4, lr=2e-3, epochs=30, patience=5, bs=64),
    'R10': dict(hidden=384, heads=6, lr=1e-3, epochs=30, patience=5, bs=64),
}

def recipe(name):
    from pgkd.bench import protocol_data
    from pgkd.transformer import TransformerStudent
    torch.set_num_threads(1)
    train, valid, test, pool = protocol_data('banking77', 0)
    extra = np.random.default_rng(0).permutation(len(pool))[:96]
    runs = []
    for add in (0, 32, 64, 96):
        d = train + pool.new(extra[:add]) if add else train
        t = time.time()
        s = TransformerStudent.from_scratch(**RECIPES[name], progress=False, threads=1, seed=0).fit(d, valid)
        runs.append(dict(add=add, best_epoch=s.best_epoch, epochs=len(s.history), valid=round(s.evaluate(valid).macro_f1, 4),
                         test=round(s.evaluate(test).macro_f1, 4), seconds=round(time.time() - t)))
    ts = [r['test'] for r in runs]
    return dict(name=name, **RECIPES[name], mean=round(float(np.mean(ts)), 4), sd=round(float(np.std(ts)), 4), runs=runs)

if __name__ == '__main__':
    names = sys.argv[1:] or list(RECIPES)
    with ProcessPoolExecutor(2) as ex:
        for r in ex.map(recipe, names): print(json.dumps(r), flush=True)
