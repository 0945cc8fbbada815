"""GPU speed of the transformer students (run on a machine with a CUDA GPU; pgkd installed).

    PGKD_DATASETS=../shared/datasets python bench/gpu_speed/gpu_speed.py

1. `pgkd.bench.speed_figures` for the default from-scratch transformer student (2 layers, hidden 256), trained with mixed
   precision on the GPU on the banking77 800/200 start: fit time, texts/s at batch 64, batch-1 latency.
2. A BERT-base-size student (12 layers, hidden 768, max_len 512), from scratch: seconds per batch of 64 texts of
   about 1k tokens (truncated at 512), the setting of the paper's "BERT + PGKD on GPU: 0.46 s". Its accuracy after
   3 epochs from random weights means nothing and is not reported; it is there for speed only.
Prints JSON and writes it to $OUT/gpu.json (or ./gpu.json).
"""
import json, os, time, warnings; warnings.filterwarnings('ignore')
import numpy as np, torch
from pgkd.bench import protocol_data, speed_figures, long_texts
from pgkd.students import throughput, latency
from pgkd.transformer import TransformerStudent

print('torch', torch.__version__, '| GPU:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none')
tr, va, test, _ = protocol_data('banking77', seed=0)
out = {}
f = speed_figures('transformer', tr, va, test.texts); f['gpu_peak_mb'] = torch.cuda.max_memory_allocated()/2**20
print('default from-scratch transformer (2 layers, hidden 256):', json.dumps(f, indent=1)); out['small'] = f
torch.cuda.reset_peak_memory_stats()
s = TransformerStudent.from_scratch(n_layers=12, hidden=768, heads=12, max_len=512, epochs=3, lr=1e-4, progress=False, seed=0)
t0 = time.perf_counter(); s.fit(tr, va); fit = time.perf_counter() - t0
long = long_texts(test.texts)
s.predict_proba(long[:64]); torch.cuda.synchronize()
ts = []
for i in range(0, 256, 64):
    t0 = time.perf_counter(); s.predict_proba(long[i:i+64]); torch.cuda.synchronize(); ts.append(time.perf_counter() - t0)
b = dict(fit_seconds_3_epochs=fit, seconds_per_64_long=float(np.median(ts)), long_texts_per_s=64/float(np.median(ts)),
         short_texts_per_s=throughput(s, test.texts, 64, 2.), latency_p50_ms=latency(s, test.texts, 100)[0],
         gpu_peak_mb=torch.cuda.max_memory_allocated()/2**20)
print('BERT-base-size student (12 layers, hidden 768, max_len 512):', json.dumps(b, indent=1)); out['bert_base_size'] = b
json.dump(out, open(os.path.join(os.environ.get('OUT', '.'), 'gpu.json'), 'w'), indent=1)
