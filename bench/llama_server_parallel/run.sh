#!/usr/bin/env bash
# What llama.cpp's server's parallel slots buy a pgkd teacher: texts/min, parse rate and label fidelity on banking77's vanilla
# asks (`pgkd bench teacher --teacher openai`), the server at --parallel P and pgkd keeping P requests in flight.
#   LLAMA_SERVER=/path/to/llama-server bash bench/llama_server_parallel/run.sh MODEL.gguf    # in the pgkd venv, PGKD_DATASETS set
set -euo pipefail
M=${1:?give a .gguf file}; S=${LLAMA_SERVER:?set LLAMA_SERVER to the llama-server binary}
PORT=${PORT:-8766}; OUT=${OUT:-bench/llama_server_parallel}; N=${N:-64}; PER=${PER:-8}; THREADS=${THREADS:-$(nproc)}
for P in ${PARALLEL:-1 2 4}; do
  log=${TMPDIR:-/tmp}/llama-server-$P.log
  "$S" -m "$M" --host 127.0.0.1 --port "$PORT" -c $((8192 * P)) --parallel "$P" -t "$THREADS" -tb "$THREADS" --seed 0 > "$log" 2>&1 &
  pid=$!; trap 'kill $pid 2>/dev/null || true' EXIT
  until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do
    sleep 1; kill -0 $pid 2>/dev/null || { echo "llama-server exited before it was ready: see $log"; exit 1; }
  done
  pgkd bench teacher --dataset banking77 --teacher openai --model "$(basename "$M" .gguf)" --base-url "http://127.0.0.1:$PORT/v1" \
    --concurrency "$P" --per-request "$PER" --n "$N" --seed 0 --out "$OUT"
  kill $pid; wait $pid 2>/dev/null || true
done
