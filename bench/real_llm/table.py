"""Tabulate the run folders of bench/real_llm/sweep.sh: test macro-F1 etc. of alone / vanilla / pgkd with SmolLM2 as the teacher,
per student (RUNS/<ds>_<method>_s<seed> are tfidf runs, RUNS/<student>/<ds>_<method>_s<seed> another student's).
    python bench/real_llm/table.py RUNS     # writes bench/real_llm/results.jsonl, table.md and, per run, its small files under runs/"""
import json, shutil, sys
from pathlib import Path
import numpy as np, pandas as pd

runs, here = Path(sys.argv[1] if len(sys.argv) > 1 else 'runs/real_llm'), Path(__file__).parent
rows = []
dirs = [(d, 'tfidf') for d in sorted(runs.iterdir())] + \
       [(d, s.name) for s in sorted(runs.iterdir()) if s.is_dir() and not s.name.endswith(tuple(f'_s{i}' for i in range(10)))
        for d in sorted(s.iterdir())]
for d, student in dirs:
    if not (d/'report.json').exists(): continue
    rep = json.loads((d/'report.json').read_text())
    ds, method, seed = d.name.rsplit('_', 2); seed = int(seed[1:])
    tl = [json.loads(l) for l in (d/'teacher.jsonl').read_text().splitlines()] if (d/'teacher.jsonl').exists() else []
    req, ok, kept, secs = (sum(t.get(k, 0) or 0 for t in tl) for k in ('requests', 'requests_with_samples', 'kept', 'seconds'))
    rows.append(dict(student=student, dataset=ds, method=method, seed=seed, accuracy=rep['test']['accuracy'],
                     macro_f1=rep['test']['macro_f1'], weighted_f1=rep['test']['weighted_f1'],
                     before_macro_f1=rep['before']['test']['macro_f1'], best_round=rep['best_round'], rounds=rep['rounds'],
                     generated=rep['generated'], rejected=rep['rejected'], parse_rate=ok / req if req else None,
                     texts_per_minute=60 * kept / secs if secs else None, completion_tokens=rep['completion_tokens']))
    keep = here/'runs'/(d.name if student == 'tfidf' else f'{student}/{d.name}'); keep.mkdir(parents=True, exist_ok=True)
    for f in ('report.json', 'history.jsonl', 'teacher.jsonl', 'generated.jsonl'):
        if (d/f).exists(): shutil.copy(d/f, keep/f)
res = pd.DataFrame(rows)
(here/'results.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
order = {'alone': 0, 'vanilla': 1, 'pgkd': 2}
g = res.groupby(['student', 'dataset', 'method'])
t = g[['accuracy', 'macro_f1']].agg(['mean', 'std']); t.columns = [f'{a}_{b}' for a,b in t.columns]
t = t.join(g[['generated', 'best_round', 'parse_rate', 'texts_per_minute']].mean()).join(g.size().rename('seeds')).reset_index()
t = t.sort_values(['student', 'dataset', 'method'],
                  key=lambda s: s.map(order) if s.name == 'method' else s.map({'tfidf': ''}).fillna(s) if s.name == 'student' else s)
lines = ['| student | dataset | method | test accuracy | test macro-F1 | generated kept | mean best round | '
         'parse rate | texts/min | seeds |',
         '|---|---|---|---|---|---|---|---|---|---|']
f = lambda v, p='.1%': '' if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, p)
for r in t.itertuples():
    lines.append(f"| {r.student} | {r.dataset} | {r.method} | {r.accuracy_mean:.4f} ± {np.nan_to_num(r.accuracy_std):.4f} | "
                 f"{r.macro_f1_mean:.4f} ± {np.nan_to_num(r.macro_f1_std):.4f} | {r.generated:.1f} | {r.best_round:.2f} | "
                 f"{f(r.parse_rate, '.0%')} | {f(r.texts_per_minute, '.1f')} | {r.seeds} |")
(here/'table.md').write_text('\n'.join(lines) + '\n')
print('\n'.join(lines))
print('\nper run (best round; test macro-F1 before -> after):')
for r in res.sort_values(['student', 'dataset', 'method', 'seed']).itertuples():
    print(f"  {r.student:>9} {r.dataset:>9} {r.method:>7} seed {r.seed}: best round {r.best_round}, kept {r.generated}, "
          f"{r.before_macro_f1:.4f} -> {r.macro_f1:.4f}, rejected {r.rejected}")
