#!/usr/bin/env bash
# The paper's protocol with a real LLM teacher run in-process: the 800/200 labelled start, 10 rounds of 32, patience 5,
# for each dataset x seed x method; methods: alone, vanilla, pgkd, and vanilla+filter, pgkd+filter (--filter 0.1).
#   python tests/assets.py minilm qwen05 > .assets/bench.sh; source .assets/bench.sh
#   PGKD_DATASETS=... bash bench/real_llm_protocol/sweep.sh MODEL [RUNS]
#     MODEL: a .gguf file (run by llama.cpp) or model folder; RUNS: where run folders go (default runs/real_llm_protocol)
#     env: DATASETS (default "banking77 clinc150"), SEEDS ("0 1 2"), METHODS ("alone pgkd vanilla pgkd+filter vanilla+filter"),
#          STUDENT (embedding, with PGKD_MINILM; or tfidf)
# A killed sweep continues: finished runs are skipped, a run folder left by a kill is resumed (--resume), and the teacher's
# cache (in the user cache folder) replays every answer already paid for. Then: python bench/real_llm_protocol/table.py RUNS
set -euo pipefail
MODEL=${1:?give the teacher model: a .gguf file or a model folder}
RUNS=${2:-runs/real_llm_protocol}
STUDENT=${STUDENT:-embedding}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
student=(--student "$STUDENT"); [ "$STUDENT" = embedding ] && student+=(--checkpoint "${PGKD_MINILM:?set PGKD_MINILM}")
DIR=$RUNS/$(basename "$MODEL" .gguf)/$STUDENT; mkdir -p "$DIR"
for seed in ${SEEDS:-0 1 2}; do
  for ds in ${DATASETS:-banking77 clinc150}; do
    for m in ${METHODS:-alone pgkd vanilla pgkd+filter vanilla+filter}; do
      out=$DIR/${ds}_${m}_s${seed}; log=$out.log
      [ -f "$out/report.json" ] && continue
      opts=(--method "${m%+filter}"); [[ $m == *+filter ]] && opts+=(--filter 0.1)
      [ -f "$out/manifest.json" ] && opts+=(--resume)
      pgkd run --train "$PGKD_DATASETS/$ds/train.csv" --test "$PGKD_DATASETS/$ds/test.csv" --n-labelled 1000 --n-valid 200 \
        --teacher local --model "$MODEL" "${student[@]}" "${opts[@]}" --steps 10 --n 32 --k 16 --patience 5 --seed "$seed" \
        --out "$out" >> "$log" 2>&1 || { echo "$ds $m seed $seed failed: $(tail -n 1 "$log")"; continue; }
      echo "$ds $m seed $seed: $(grep -m1 'test after' "$log" || tail -n 1 "$log")"
    done
  done
done
