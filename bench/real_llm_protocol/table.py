"""Tabulate the run folders of bench/real_llm_protocol/sweep.sh: one row per run in results.jsonl, and table.md with the mean ±
std test macro-F1 per teacher, student, dataset and method, with the teacher's parse rate, texts/min and label fidelity
(the kept texts against a TF-IDF judge trained on the full train split, as `pgkd bench teacher`) over the run.
    python bench/real_llm_protocol/table.py [RUNS]     # RUNS: default runs/real_llm_protocol; also keeps each run's small files"""
import json, shutil, sys
from pathlib import Path
import numpy as np, pandas as pd
from pgkd.bench import judge_for

runs, here = Path(sys.argv[1] if len(sys.argv) > 1 else 'runs/real_llm_protocol'), Path(__file__).parent
rows = []
for d in sorted(runs.glob('*/*/*_s[0-9]*')):
    if not (d/'report.json').is_file(): continue
    rep, (teacher, student) = json.loads((d/'report.json').read_text()), d.parts[-3:-1]
    ds, method, seed = d.name.rsplit('_', 2)
    tl = [json.loads(l) for l in (d/'teacher.jsonl').read_text().splitlines()] if (d/'teacher.jsonl').exists() else []
    req, ok, kept, secs = (sum(t.get(k, 0) or 0 for t in tl) for k in ('requests', 'requests_with_samples', 'kept', 'seconds'))
    hist = [json.loads(l) for l in (d/'history.jsonl').read_text().splitlines()]
    gen = [json.loads(l) for l in (d/'generated.jsonl').read_text().splitlines()] if (d/'generated.jsonl').exists() else []
    agree = [p == g['label'] for p, g in zip(judge_for(ds)[0].predict([g['text'] for g in gen]), gen)] if gen else []
    rows.append(dict(teacher=teacher, student=student, dataset=ds, method=method, seed=int(seed[1:]), accuracy=rep['test']['accuracy'],
                     macro_f1=rep['test']['macro_f1'], before_macro_f1=rep['before']['test']['macro_f1'], best_round=rep['best_round'],
                     rounds=rep['rounds'], generated=rep['generated'], rejected=rep['rejected'],
                     filtered=sum(h['rejected_by'].get('filtered', 0) for h in hist), parse_rate=ok / req if req else None,
                     texts_per_minute=60 * kept / secs if secs else None,
                     fidelity=float(np.mean(agree)) if agree else None, judged=len(agree),
                     run_seconds=sum(h.get('seconds', 0) for h in hist)))
    keep = here/'per_run'/teacher/student/d.name; keep.mkdir(parents=True, exist_ok=True)
    for f in ('report.json', 'history.jsonl', 'teacher.jsonl', 'generated.jsonl'):
        if (d/f).exists(): shutil.copy(d/f, keep/f)
if not rows: sys.exit(f"no finished runs under {runs}")
(here/'results.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
res, order = pd.DataFrame(rows), {m: i for i, m in enumerate(['alone', 'vanilla', 'vanilla+filter', 'pgkd', 'pgkd+filter'])}
g = res.groupby(['teacher', 'student', 'dataset', 'method'])
cols = ['generated', 'filtered', 'best_round', 'parse_rate', 'texts_per_minute', 'fidelity', 'run_seconds']
t = g.macro_f1.agg(['mean', 'std']).join(g[cols].mean())
t = t.join(g.size().rename('seeds')).reset_index().sort_values(['teacher', 'student', 'dataset', 'method'],
                                                               key=lambda s: s.map(order) if s.name == 'method' else s)
f = lambda v, p: '' if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, p)
lines = ['| teacher | student | dataset | method | test macro-F1 | kept | filtered | best round | parse rate | texts/min '
         '| label fidelity | minutes | seeds |',
         '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
for r in t.itertuples():
    lines.append(f"| {r.teacher} | {r.student} | {r.dataset} | {r.method} | {r.mean:.4f} ± {np.nan_to_num(r.std):.4f} | "
                 f"{r.generated:.0f} | {r.filtered:.0f} | {r.best_round:.1f} | {f(r.parse_rate, '.0%')} | "
                 f"{f(r.texts_per_minute, '.1f')} | {f(r.fidelity, '.0%')} | {r.run_seconds/60:.1f} | {r.seeds} |")
(here/'table.md').write_text('\n'.join(lines) + '\n')
print('\n'.join(lines))
