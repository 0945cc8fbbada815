#!/usr/bin/env bash
# PGKD with a real generating LLM: SmolLM2-135M-Instruct (Q4_1 GGUF) as the teacher, alone / vanilla / pgkd on ag_news and
# banking77, 3 seeds, for a student (tfidf, or the embedding student: frozen all-MiniLM-L6-v2 + linear head).
# On CPU, so a shorter loop than the paper's: the paper's 800/200 start, but STEPS rounds of 16 generated samples (not 10 of 32).
#   source .assets/env.sh   # PGKD_SMOLLM2, PGKD_MINILM (python tests/assets.py smollm2 minilm > .assets/env.sh)
#   PGKD_DATASETS=... bash bench/real_llm/sweep.sh [RUNS] [STUDENT] [STEPS]
#     RUNS: where the run folders go (default runs/real_llm); STUDENT: tfidf (default) or embedding; STEPS: default 2
#     tfidf runs go to RUNS/<ds>_<method>_s<seed>, other students' to RUNS/<student>/<ds>_<method>_s<seed>
# then: python bench/real_llm/table.py RUNS   (writes bench/real_llm/results.jsonl and table.md)
set -euo pipefail
RUNS=${1:-runs/real_llm}
STUDENT=${2:-tfidf}
STEPS=${3:-2}
METHODS=${METHODS:-alone vanilla pgkd}   # e.g. METHODS=alone: the runs that need no teacher answers
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
DIR=$RUNS; extra=()
if [ "$STUDENT" != tfidf ]; then
  DIR=$RUNS/$STUDENT; extra=(--student "$STUDENT")
  [ "$STUDENT" = embedding ] && extra+=(--checkpoint "${PGKD_MINILM:?set PGKD_MINILM to the all-MiniLM-L6-v2 folder}")
else extra=(--student tfidf); fi
mkdir -p "$DIR"
for ds in banking77 ag_news; do
  for seed in 0 1 2; do
    for method in $METHODS; do
      out=$DIR/${ds}_${method}_s${seed}
      [ -f "$out/report.json" ] && continue     # done already: a killed sweep continues
      rm -rf "$out"
      pgkd run --train "$PGKD_DATASETS/$ds/train.csv" --test "$PGKD_DATASETS/$ds/test.csv" --n-labelled 1000 --n-valid 200 \
        --teacher local --model "$PGKD_SMOLLM2" "${extra[@]}" --method $method --steps "$STEPS" --n 16 --seed $seed --out "$out" \
        > "$DIR/${ds}_${method}_s${seed}.log" 2>&1
      echo "$STUDENT $ds $method seed $seed: $(tail -n 4 "$DIR/${ds}_${method}_s${seed}.log" | head -n 1)"
    done
  done
done
