"""Ask a llama.cpp server (llama-cpp-python's OpenAI-compatible endpoint) for one PGKD request in each of pgkd's
structured-output modes and report what came back: answers, valid samples, rejections, errors, the mode in use at the end.
Usage: python bench/llama_cpp_server/modes.py BASE_URL DATASET_DIR [N] [OUT.jsonl]   (run with the pgkd venv)."""
import json, sys, time, warnings
from pathlib import Path
from pgkd.data import TextData
from pgkd.loop import PGKDConfig, build_request
from pgkd import teachers
from pgkd.teachers import OpenAITeacher
import numpy as np

base, ddir = sys.argv[1], Path(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 8
out = Path(sys.argv[4]) if len(sys.argv) > 4 else None
train = TextData.from_file(ddir/"train.csv").sample(200, seed=0)
req = build_request(PGKDConfig(method='vanilla', n=n, seed=0), train, rng=np.random.default_rng(0))
for mode in ('auto',) + tuple(teachers.MODES):
    t = OpenAITeacher('smollm2', base_url=base, api_key='none', structured=mode, per_request=n, max_tokens=1024, timeout=180,
                      deadline=600, max_retries=1, max_extra=0, seed=0)
    t0, err = time.monotonic(), None
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try: g = t.generate(req, round=1)
        except Exception as e: g, err = None, f"{type(e).__name__}: {str(e)[:300]}"
    rec = dict(dataset=ddir.name, structured=mode, mode_at_end=t.mode, n=n, seconds=round(time.monotonic() - t0, 1),
               answers=len(g.answers) if g else 0, valid=len(g.samples) if g else 0, rejected=dict(g.rejected) if g else {},
               errors=(g.errors if g else []) + ([err] if err else []), warnings=[str(x.message)[:200] for x in w],
               labels=sorted(set(g.samples.labels)) if g else [], first_answer=(g.answers[0][:400] if g and g.answers else None),
               pgkd_teachers_py_mtime=time.strftime('%Y-%m-%d %H:%M', time.localtime(Path(teachers.__file__).stat().st_mtime)))
    print(json.dumps(rec), flush=True)
    if out:
        with open(out, 'a') as f: f.write(json.dumps(rec) + '\n')
