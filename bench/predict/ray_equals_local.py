"""`pgkd predict --engine ray` against the local engine on N rows (default 20,000): same rows, same labels.
Usage: python bench/predict/ray_equals_local.py RUN_OR_STUDENT [N]   (texts: banking77's test split, repeated; needs PGKD_DATASETS)"""
import sys, time, glob, subprocess, tempfile
from pathlib import Path
import pandas as pd
from pgkd.data import datasets_dir

model, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
texts = pd.read_csv(datasets_dir('banking77')/'test.csv')['text'].tolist()
work = Path(tempfile.mkdtemp())
pd.DataFrame(dict(text=(texts * (n // len(texts) + 1))[:n])).to_csv(work/'in.csv', index=False)
PGKD = [sys.executable, '-c', 'import sys; from pgkd.cli import main; sys.exit(main())']
for engine, out in (('local', work/'local.csv'), ('ray', work/'ray.csv')):   # with ray, --out is a folder of .csv parts
    t = time.time()
    subprocess.run(PGKD + ['predict', model, str(work/'in.csv'), '--out', str(out), '--engine', engine, '--quiet'], check=True)
    print(f"{engine}: {time.time() - t:.1f} s")
local = pd.read_csv(work/'local.csv', keep_default_na=False)
ray = (pd.concat([pd.read_csv(f, keep_default_na=False) for f in sorted(glob.glob(str(work/'ray.csv'/'*.csv')))])
       .sort_values('row').reset_index(drop=True))
same = len(local) == len(ray) == n and (local['row'].tolist() == ray['row'].tolist()) and (local['label'].tolist() == ray['label'].tolist())
print(f"rows: local {len(local)}, ray {len(ray)}; labels identical row for row: {same}")
sys.exit(0 if same else 1)
