"The package as a dependency: version ranges, a light root API, scikit-learn manners, no import circles, a round that can be retried."
import ast, importlib.metadata, subprocess, sys
from pathlib import Path
import pytest

PKG = Path(__file__).resolve().parents[1]/'pgkd'

def test_requirements_are_ranges_not_pins():
    reqs = importlib.metadata.requires('pgkd')
    assert reqs and not [r for r in reqs if '==' in r.split(';')[0]], reqs   # ignore markers such as extra == "dev"
    cons = (PKG.parent/'constraints.txt').read_text().splitlines()
    pinned = {l.split('==')[0].lower() for l in cons if '==' in l}
    assert {'torch', 'fastai', 'scikit-learn', 'openai', 'nbdev'} <= pinned   # CI installs this exact set

def test_root_api_is_light():
    code = ("import sys, pgkd; from pgkd import TfidfStudent, SimulatedTeacher, PGKD, load_demo, demo_data, TextData; "
            "assert 'torch' not in sys.modules and 'fastai' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'; "
            "from pgkd import TransformerStudent; assert 'torch' in sys.modules; print(TransformerStudent.__module__)")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == 'pgkd.transformer', r.stderr
    import pgkd
    for name in pgkd.__all__: assert getattr(pgkd, name) is not None, name
    with pytest.raises(AttributeError, match='no attribute'): pgkd.NoSuchThing

def test_sklearn_clone_and_params():
    from sklearn.base import clone
    from pgkd import TfidfStudent, demo_data
    c = clone(TfidfStudent(C=3.0))
    assert c.C == 3.0 and c.classes is None and c.get_params()['C'] == 3.0
    train, valid, *_ = demo_data()
    s = TfidfStudent().set_params(C=2.0).fit(train, valid)
    assert s.C == 2.0 and list(s.classes_) == train.classes and clone(s).classes is None

def _imports(path):
    "pgkd modules that `path` imports, anywhere in it (function-level imports too)."
    out = set()
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ''
            if n.level == 1: out.add(mod.split('.')[0])
            elif mod.startswith('pgkd.'): out.add(mod.split('.')[1])
        elif isinstance(n, ast.Import):
            out |= {a.name.split('.')[1] for a in n.names if a.name.startswith('pgkd.')}
    return out - {''}

def test_no_import_circles():
    "Every import of one pgkd module by another, function-level ones included, goes one way."
    graph = {p.stem: _imports(p) & {q.stem for q in PKG.glob('*.py')} for p in PKG.glob('*.py') if p.stem not in ('__init__', '_modidx')}
    def reach(a, seen):
        for b in graph.get(a, ()):
            if b not in seen: seen.add(b); reach(b, seen)
        return seen
    circles = sorted(a for a in graph if a in reach(a, set()))
    assert not circles, {a: graph[a] for a in circles}

def test_failed_round_can_run_again():
    "steps=1 and an after_round callback that raises: the round is not committed (not done) and runs again."
    from pgkd import PGKD, TfidfStudent, SimulatedTeacher, demo_data, Callback
    train, valid, test, pool = demo_data()
    class Late(Callback):
        fail = True
        def after_round(self):
            if self.round == 1 and Late.fail: raise RuntimeError('a callback fell over')
    p = PGKD(TfidfStudent(), SimulatedTeacher(pool, seed=0), train, valid, steps=1, cbs=Late(), progress=False)
    p.step()
    with pytest.raises(RuntimeError): p.step()
    assert (p.round, p.done, len(p.history), p.best_round) == (0, False, 1, 0)
    Late.fail = False
    assert p.step()['round'] == 1 and p.done and p.best_valid_report is not None

def test_a_moved_embedding_student_loads_or_names_its_encoder(tmp_path):
    "A saved student on a machine without its encoder folder fails in one line naming it; with copy_encoder=True it travels alone."
    import shutil
    from conftest import asset
    from pgkd.data import demo_data
    from pgkd.embedding import EmbeddingStudent
    enc = tmp_path/'encoder_here'; shutil.copytree(asset('minilm'), enc)
    train, valid, test, _ = demo_data(seed=0)
    s = EmbeddingStudent(enc, cache=False, threads=1).fit(train, valid)
    s.save(tmp_path/'ref'); s.save(tmp_path/'full', copy_encoder=True)
    want = s.predict(test.texts[:20])
    shutil.rmtree(enc)                                     # the other machine: the encoder's folder is not there
    with pytest.raises(FileNotFoundError) as e: EmbeddingStudent.load(tmp_path/'ref')
    assert str(enc) in str(e.value) and 'copy_encoder=True' in str(e.value) and '\n' not in str(e.value)
    moved = tmp_path/'moved'; shutil.copytree(tmp_path/'full', moved); shutil.rmtree(tmp_path/'full')
    assert list(EmbeddingStudent.load(moved).predict(test.texts[:20])) == list(want)
