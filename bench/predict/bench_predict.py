"""Throughput and peak memory of `pgkd predict` on large CSV files, against the in-process `predict_proba` rate.

    python bench/predict/bench_predict.py --rows 200000 1000000 [--model RUN_OR_STUDENT] [--work DIR]

Without --model, a TF-IDF student is trained on a seeded 1,000-text sample of banking77 ($PGKD_DATASETS/banking77).
The input CSVs repeat banking77's test texts; each `pgkd predict` runs in its own process, measured from outside
(wall time; peak RSS from getrusage of that child alone). Prints a table; writes results.json beside this script."""
import argparse, json, os, resource, subprocess, sys, time, tempfile
from pathlib import Path
import numpy as np, pandas as pd

HERE = Path(__file__).parent

def make_csv(path, n, texts, chunk=100_000):
    "An n-row CSV (id, text) written a chunk at a time (so the generator's memory is flat too)."
    if path.exists() and sum(1 for _ in open(path, 'rb')) == n + 1: return path
    with open(path, 'w', encoding='utf-8') as f:
        for s in range(0, n, chunk):
            m = min(chunk, n - s)
            pd.DataFrame({'id': np.arange(s, s + m), 'text': [texts[i % len(texts)] for i in range(s, s + m)]}).to_csv(
                f, index=False, header=s == 0)
    return path

def child_run(cmd):
    "Run `cmd` in a fresh process; return (wall seconds, peak RSS MiB of that process, stdout)."
    code = ("import resource, subprocess, sys, time, json; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(json.dumps(dict(rc=p.returncode, s=time.perf_counter() - t, rss=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
            "out=p.stdout, err=p.stderr[-2000:])))")
    r = json.loads(subprocess.run([sys.executable, '-c', code, *cmd], capture_output=True, text=True, check=True).stdout)
    if r['rc']: raise SystemExit(f"failed: {' '.join(cmd)}\n{r['err']}")
    return r['s'], r['rss'] / 1024, r['out']

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rows', type=int, nargs='+', default=[200_000, 1_000_000])
    ap.add_argument('--model'); ap.add_argument('--work', default=None); ap.add_argument('--chunk-size', type=int, default=50_000)
    a = ap.parse_args()
    from pgkd.data import load_benchmark
    from pgkd.students import TfidfStudent
    from pgkd.predict import load_student
    work = Path(a.work or tempfile.mkdtemp(prefix='pgkd-bench-predict-')); work.mkdir(parents=True, exist_ok=True)
    model = a.model
    if not model:
        model = work/'student'
        if not (model/'pgkd_student.json').exists():
            tr = load_benchmark('banking77', 'train').sample(1000, seed=0)
            TfidfStudent().fit(tr).save(model)
    texts = load_benchmark('banking77', 'test').texts
    s = load_student(model)
    sample = (texts * 20)[:50_000]
    s.predict_proba(sample[:1000])
    t = time.perf_counter(); s.predict_proba(sample); inproc = len(sample) / (time.perf_counter() - t)
    rows = []
    for n in a.rows:
        f = make_csv(work/f'in_{n}.csv', n, texts)
        out = work/f'preds_{n}.csv'
        for p in (out, out.with_name(out.name + '.pgkd.json')): p.unlink(missing_ok=True)
        secs, rss, msg = child_run(['pgkd', 'predict', str(model), str(f), '--out', str(out), '--id-col', 'id', '--quiet',
                                    '--chunk-size', str(a.chunk_size)])
        n_out = sum(1 for _ in open(out, 'rb')) - 1
        rows.append(dict(rows=n, seconds=round(secs, 1), texts_per_s=round(n / secs), peak_rss_mib=round(rss), output_rows=n_out,
                         vs_in_process=round(n / secs / inproc, 2)))
        print(msg.strip(), flush=True)
    df = pd.DataFrame(rows)
    print(f"\nin-process predict_proba (one call on 50,000 texts, same student): {inproc:,.0f} texts/s")
    print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, {os.cpu_count()} CPUs (shared with other jobs), chunk size {a.chunk_size}")
    print(df.to_string(index=False))
    (HERE/'results.json').write_text(json.dumps(dict(in_process_texts_per_s=round(inproc), chunk_size=a.chunk_size, cpus=os.cpu_count(),
                                                     omp_threads=os.environ.get('OMP_NUM_THREADS'), runs=rows), indent=1))

if __name__ == '__main__': main()
