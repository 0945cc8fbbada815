"""A real LLM on this machine beside the students, on the same texts: SmolLM2-135M-Instruct classifying zero-shot through
`LocalTeacher.classify` (pgkd.cascade: class names scored by log-likelihood, contextual calibration) against the TF-IDF student
trained on the paper's 800/200 start, on N ag_news test texts (seeded sample): texts/s and accuracy.

    PGKD_DATASETS=... PGKD_SMOLLM2=.../SmolLM2-135M-Instruct.Q4_1.gguf OMP_NUM_THREADS=1 python bench/predict/side_by_side.py 200
writes bench/predict/side_by_side.json."""
import time, sys, os, json
from collections import Counter
from pathlib import Path
import numpy as np, torch
torch.set_num_threads(1)
from pgkd.local import LocalTeacher
from pgkd.bench import protocol_data, machine
from pgkd.factories import make_student

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
train, valid, test, _ = protocol_data('ag_news', 0)
te = test.sample(N, seed=0)
acc = lambda labels: float(np.mean([a == b for a, b in zip(labels, te.labels)]))
res = dict(dataset='ag_news', n=N, classes=te.classes, majority_share=max(Counter(te.labels).values()) / N, machine=machine(), threads=1)
s = make_student('tfidf', None, seed=0).fit(train, valid)
s.predict_proba(te.texts[:8])
t0 = time.perf_counter(); p = s.predict(te.texts); dt = time.perf_counter() - t0
res['tfidf_student'] = dict(texts_per_s=round(N / dt), accuracy=acc(p), note='the student alone on the 800/200 start (no distillation)')
t = LocalTeacher(os.environ['PGKD_SMOLLM2'], threads=1)
t0 = time.perf_counter(); t.load(); res['smollm2_load_seconds'] = round(time.perf_counter() - t0, 1)
t0 = time.perf_counter(); a = t.classify(te.texts, te.classes); dt = time.perf_counter() - t0
res['smollm2'] = dict(texts_per_s=round(N / dt, 3), seconds=round(dt, 1), accuracy=acc(a.labels), predicted=dict(Counter(a.labels)),
                      prompt_tokens=a.usage.prompt_tokens, model=Path(t.path).name)
a2 = t.classify(te.texts, te.classes, calibrate=False)       # the same scores (memoised), without contextual calibration
res['smollm2_uncalibrated'] = dict(accuracy=acc(a2.labels), predicted=dict(Counter(a2.labels)))
res['student_over_llm_speed'] = round(res['tfidf_student']['texts_per_s'] / res['smollm2']['texts_per_s'])
out = Path(__file__).with_name('side_by_side.json'); out.write_text(json.dumps(res, indent=1) + '\n')
print(json.dumps(res, indent=1))
