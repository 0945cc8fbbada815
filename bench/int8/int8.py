"""fp32 against int8 ONNX serving of the embedding student, each fused or not: texts/s in batches of 64, one-text latency, accuracy.
    python bench/int8/int8.py --checkpoint MINILM [--dataset banking77] [--seed 0]    # writes bench/int8/results.jsonl"""
import argparse, json, platform, tempfile, time
from pathlib import Path
import numpy as np, torch
from pgkd.data import protocol_data
from pgkd.embedding import EmbeddingStudent
from pgkd.export import export_onnx, ONNX_FILE
from pgkd.students import Student, throughput, latency

P = argparse.ArgumentParser(description=__doc__.splitlines()[0])
P.add_argument('--checkpoint', required=True); P.add_argument('--dataset', default='banking77')
P.add_argument('--seed', type=int, default=0)
P.add_argument('--repeats', type=int, default=5, help='turns of the texts/s measurement')
a = P.parse_args()
torch.set_num_threads(1)
train, valid, test, _ = protocol_data(a.dataset, a.seed, 1000, 200)
student = EmbeddingStudent(a.checkpoint, threads=1, seed=a.seed).fit(train, valid)
texts = test.texts[:1024]
rows, served = [], {}
KINDS = {'fp32': {}, 'fp32, fused': dict(fuse=True), 'int8, not fused': dict(int8=True, fuse=False), 'int8': dict(int8=True)}
# `pgkd export` writes fp32 standard and int8 fused (onnxruntime's fusions, then quantised); the other two show what fusing adds
with tempfile.TemporaryDirectory() as d:
    for kind, kw in KINDS.items():
        out = export_onnx(student, Path(d)/kind.replace(', ', '-').replace(' ', '-'), **kw)
        served[kind] = s = Student.load(out, threads=1)
        s.predict_proba(texts[:64])   # warm up
        p50, p95 = latency(s, texts, 200)
        r = s.evaluate(test)
        rows.append(dict(dataset=a.dataset, seed=a.seed, student=f'embedding (all-MiniLM-L6-v2), ONNX {kind}',
                         int8_scales='per channel' if 'int8' in kw else None, fused=kw.get('fuse', 'int8' in kw),
                         model_mb=round((out/ONNX_FILE).stat().st_size / 2**20, 1),
                         latency_p50_ms=round(p50, 2), latency_p95_ms=round(p95, 2), test_accuracy=round(r.accuracy, 4),
                         test_macro_f1=round(r.macro_f1, 4), threads=1, machine=f"{platform.machine()}, {torch.get_num_threads()} thread",
                         command=f"python bench/int8/int8.py --checkpoint MINILM --dataset {a.dataset} --seed {a.seed}"))
    tps = {k: [] for k in served}
    for _ in range(a.repeats):   # the exports take turns, so a slower spell of the machine falls on each
        for k,s in served.items(): tps[k].append(throughput(s, texts, 64, min_seconds=3))
    for r,k in zip(rows, served):
        r.update(texts_per_s=round(float(np.median(tps[k])), 1), texts_per_s_runs=[round(t, 1) for t in tps[k]]); print(r)
    med = {k: np.median(v) for k,v in tps.items()}
    print(f"int8 / fp32 texts/s: {med['int8'] / med['fp32']:.2f}x; int8 / fp32 fused (the same fusions): "
          f"{med['int8'] / med['fp32, fused']:.2f}x (medians of {a.repeats} turns)")
with open(Path(__file__).parent/'results.jsonl', 'a') as f:
    for r in rows: f.write(json.dumps(r) + '\n')
