#!/usr/bin/env bash
# The fine-tuned MiniLM student under PGKD on a CPU: a subset of the protocol (banking77, seed 0, alone / vanilla / pgkd),
# with fewer rounds and epochs than the paper so that it fits a 2-core machine (2 rounds of 32, at most 10 epochs per fit,
# hard negatives mined on validation). Run folders (with the 90 MB students) go to $RUNS; the reports are copied here.
#   PGKD_DATASETS=... bash bench/finetuned_cpu/finetuned_cpu.sh CHECKPOINT [LR]
set -euo pipefail
ck=$1; lr=${2:-1e-4}; d=${PGKD_DATASETS:-../shared/datasets}/banking77
runs=${RUNS:-/tmp/pgkd_finetuned_cpu}; here=bench/finetuned_cpu; mkdir -p $here $runs
for m in alone vanilla pgkd; do
  [ -f $here/$m.json ] && continue
  rm -rf $runs/$m
  /usr/bin/time -f "$m: %e s wall" pgkd run --train $d/train.csv --test $d/test.csv --n-labelled 1000 --n-valid 200 \
      --student transformer --checkpoint $ck --lr $lr --epochs 10 --method $m --steps 2 --n 32 --mining valid --seed 0 \
      --out $runs/$m --quiet
  cp $runs/$m/report.json $here/$m.json; cp $runs/$m/history.csv $here/$m.history.csv
done
python - <<'PY'
import json
for m in ('alone', 'vanilla', 'pgkd'):
    r = json.load(open(f'bench/finetuned_cpu/{m}.json'))
    print(f"{m:>8}: test accuracy {r['test']['accuracy']:.4f}  macro-F1 {r['test']['macro_f1']:.4f}  (best round {r['best_round']}, {r['generated']} generated)")
PY
