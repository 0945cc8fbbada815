"The contrastive student on the real all-MiniLM-L6-v2 checkpoint: a small tuned fit, a round trip, ONNX with its head, a CLI run."
import json, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd, pytest
from pgkd.data import load_demo
from pgkd.students import Student
from pgkd.embedding import Embedder
from pgkd.contrastive import ContrastiveStudent

PGKD = [sys.executable, '-c', 'import sys; from pgkd.cli import main; sys.exit(main())']

@pytest.fixture(scope='module')
def cs(minilm, demo_split): return ContrastiveStudent(minilm, threads=1, epochs=1).fit(*demo_split)

def test_the_encoder_is_tuned_once_and_the_head_learns(cs, minilm, demo_split):
    assert cs.tuned and cs.evaluate(demo_split[1]).macro_f1 > 0.8
    v = demo_split[1].texts[:8]
    assert np.abs(cs.embed(v) - Embedder(minilm, threads=1)(v)).max() > 1e-2    # the encoder moved
    f = cs.fresh().fit(*demo_split)
    assert f.tuned and f.embedder is cs.embedder                                  # a fresh copy refits the head only

def test_save_load_without_pickle_and_onnx_with_its_head(cs, demo_split, tmp_path):
    from pgkd.export import export_onnx
    p = cs.predict_proba(demo_split[1].texts)
    cs.save(tmp_path/'s')
    files = [f for f in (tmp_path/'s').rglob('*') if f.is_file()]
    assert {f.suffix for f in files} <= {'.json', '.safetensors', '.txt', '.md'}, files      # no pickle anywhere
    np.testing.assert_allclose(Student.load(tmp_path/'s').predict_proba(demo_split[1].texts), p, atol=1e-5)
    export_onnx(Student.load(tmp_path/'s'), tmp_path/'onnx')
    np.testing.assert_allclose(Student.load(tmp_path/'onnx').predict_proba(demo_split[1].texts), p, atol=1e-4)

def test_cli_run_keeps_one_tuned_encoder_and_resumes(minilm, tmp_path):
    "`pgkd run --student contrastive`: tuned once into the run folder, checkpoints hard-link it, and --resume tunes nothing again."
    train, test = load_demo().split(valid=0.3, seed=0)
    train.to_df()[['text', 'label']].to_csv(tmp_path/'train.csv', index=False)
    test.to_df()[['text', 'label']].to_csv(tmp_path/'test.csv', index=False)
    out = tmp_path/'run'
    args = lambda steps, *x: PGKD + ['run', '--train', str(tmp_path/'train.csv'), '--test', str(tmp_path/'test.csv'), '--n-labelled', '280',
                                     '--n-valid', '70', '--student', 'contrastive', '--checkpoint', minilm, '--method', 'pgkd',
                                     '--steps', str(steps), '--n', '16', '--seed', '0', '--out', str(out), '--quiet', *x]
    r = subprocess.run(args(1), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    tuned = list((out/'embeddings'/'tuned').iterdir())
    assert len(tuned) == 1 and (tuned[0]/'modules.json').exists()
    mtime = (tuned[0]/'model.safetensors').stat().st_mtime_ns
    r = subprocess.run(args(2, '--resume'), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    assert list((out/'embeddings'/'tuned').iterdir()) == tuned and (tuned[0]/'model.safetensors').stat().st_mtime_ns == mtime
    hist = pd.read_csv(out/'history.csv')
    assert hist['round'].tolist() == [0, 1, 2]
    saved = [*(out/'checkpoints').glob('r*/encoder/model.safetensors'), out/'best'/'encoder'/'model.safetensors']
    assert len(saved) >= 3 and len({f.stat().st_ino for f in saved}) == 1, saved  # one copy of the encoder on disk
    vecs = [d.name for d in (out/'embeddings').iterdir() if d.name != 'tuned']
    assert len(vecs) == 1, vecs   # the resumed checkpoints found the vectors the first run wrote: one cache for one encoder
    assert json.loads((out/'report.json').read_text())['test']['macro_f1'] > 0.8
