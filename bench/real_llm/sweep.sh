#!/usr/bin/env bash
# PGKD with a real generating LLM: SmolLM2-135M-Instruct (Q4_1 GGUF) as the teacher, the TF-IDF student,
# alone / vanilla / pgkd on ag_news and banking77, 3 seeds. On CPU, so a shorter loop than the paper's:
# the paper's 800/200 start, but 2 rounds of 16 generated samples (not 10 of 32).
#   source .assets/env.sh   # PGKD_SMOLLM2 (python tests/assets.py smollm2 > .assets/env.sh)
#   PGKD_DATASETS=... bash bench/real_llm/sweep.sh [RUNS]      # RUNS: where the run folders go (default runs/real_llm)
# then: python bench/real_llm/table.py RUNS   (writes bench/real_llm/results.jsonl and table.md)
set -euo pipefail
RUNS=${1:-runs/real_llm}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
for ds in banking77 ag_news; do
  for seed in 0 1 2; do
    for method in alone vanilla pgkd; do
      out=$RUNS/${ds}_${method}_s${seed}
      [ -f "$out/report.json" ] && continue     # done already: a killed sweep continues
      rm -rf "$out"
      pgkd run --train "$PGKD_DATASETS/$ds/train.csv" --test "$PGKD_DATASETS/$ds/test.csv" --n-labelled 1000 --n-valid 200 \
        --teacher local --model "$PGKD_SMOLLM2" --student tfidf --method $method --steps 2 --n 16 --seed $seed --out "$out" \
        > "$RUNS/${ds}_${method}_s${seed}.log" 2>&1
      echo "$ds $method seed $seed: $(tail -n 4 "$RUNS/${ds}_${method}_s${seed}.log" | head -n 1)"
    done
  done
done
