#!/usr/bin/env bash
# pgkd's OpenAI teacher against a real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M-Instruct (Q4_1 GGUF)
# on loopback. A bench script, not a CI test: it needs a llama-cpp-python build (minutes on 2 cores).
#
# One-time setup, in a venv of its own (llama-cpp-python's server pins its own fastapi/pydantic/uvicorn):
#   python3.11 -m venv /work/llamavenv
#   CMAKE_ARGS="-DGGML_NATIVE=OFF" /work/llamavenv/bin/pip install "llama-cpp-python[server]==0.3.36"
#   (-DGGML_NATIVE=OFF matters: the default native build segfaulted on every completion with this GGUF)
#
# Then, with the pgkd venv active and PGKD_SMOLLM2 / PGKD_DATASETS set:
#   bash bench/llama_cpp_server/run.sh [OUT]        # OUT default: bench/llama_cpp_server/results
set -euo pipefail
OUT=${1:-bench/llama_cpp_server/results}
LLAMA_PY=${LLAMA_PY:-/work/llamavenv/bin/python}
PORT=${PORT:-8765}
DS=${DS:-ag_news}
N=${N:-8}
N_CTX=${N_CTX:-8192}      # SmolLM2's training context; pgkd asks max_tokens=4096 on top of its prompt
SKIP_MODES=${SKIP_MODES:-}  # set to 1 to run only the pgkd run
: "${PGKD_SMOLLM2:?set PGKD_SMOLLM2 to the SmolLM2 GGUF (python tests/assets.py smollm2)}"
: "${PGKD_DATASETS:?set PGKD_DATASETS}"
mkdir -p "$OUT"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export OPENAI_API_KEY=${OPENAI_API_KEY:-none}   # the server checks no key; the openai client wants one
"$LLAMA_PY" -m llama_cpp.server --model "$PGKD_SMOLLM2" --model_alias smollm2 --host 127.0.0.1 --port "$PORT" \
  --n_ctx "$N_CTX" --n_threads 1 --n_threads_batch 1 > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for i in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/v1/models" > "$OUT/models.json" && break
  kill -0 $SERVER 2>/dev/null || { echo "server died:"; tail -20 "$OUT/server.log"; exit 1; }
  sleep 1
done
echo "server up: $(cat "$OUT/models.json" | head -c 200)"
curl -s "http://127.0.0.1:$PORT/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model": "smollm2", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 20}' > "$OUT/hello.json"
echo "hello: $(head -c 300 "$OUT/hello.json")"
# 1. each structured-output mode on one request of N samples
if [ -z "$SKIP_MODES" ]; then
rm -f "$OUT/modes.jsonl"
python bench/llama_cpp_server/modes.py "http://127.0.0.1:$PORT/v1" "$PGKD_DATASETS/$DS" "$N" "$OUT/modes.jsonl"
fi
# 2. a whole pgkd run through the CLI (structured='auto': pgkd picks and downgrades the mode itself). --k 4 --n-examples 4 keep the
#    prompt near 1,500 tokens: with the defaults (k 16) it is ~4,900 tokens, and with max_tokens 4096 it overflows an 8k context
rm -rf "$OUT/run"
( time pgkd run --train "$PGKD_DATASETS/$DS/train.csv" --test "$PGKD_DATASETS/$DS/test.csv" --n-labelled 200 --n-valid 50 \
    --teacher openai --model smollm2 --base-url "http://127.0.0.1:$PORT/v1" --timeout 180 --no-cache \
    --student tfidf --method pgkd --steps 1 --n "$N" --k 4 --n-examples 4 --seed 0 --out "$OUT/run" ) > "$OUT/run.log" 2>&1 || echo "pgkd run exited $?"
tail -25 "$OUT/run.log"
