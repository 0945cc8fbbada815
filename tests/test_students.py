import json, subprocess, sys, zipfile
import numpy as np, pytest
from conftest import need_dataset, pipeline_labels
from pgkd.data import TextData, DataError, load_demo, load_benchmark
from pgkd.report import Report
from pgkd.students import Student, TfidfStudent, speed_benchmark
from pgkd.transformer import TransformerStudent

TINY = dict(n_layers=1, hidden=32, heads=2, vocab_size=1500, max_len=48, epochs=2, lr=3e-3, bs=32, progress=False, threads=1)

@pytest.fixture(scope='module')
def data():
    tr, va = load_demo().sample(420, seed=0).split(valid=140, seed=0)
    return tr, va

@pytest.fixture(scope='module')
def tiny(data):
    return TransformerStudent.from_scratch(**TINY).fit(*data)

def test_pipeline_loads_saved_transformer_without_pgkd(tiny, data, tmp_path):
    "A saved TransformerStudent is a plain Hugging Face folder: `pipeline` in a process that never imports pgkd agrees."
    tiny.save(tmp_path/'m')
    texts = data[1].texts[:12]
    assert pipeline_labels(tmp_path/'m', texts) == tiny.predict(texts)
    cfg = json.loads((tmp_path/'m'/'config.json').read_text())
    assert cfg['id2label'] == {str(i): c for i, c in enumerate(tiny.classes)}
    assert (tmp_path/'m'/'model.safetensors').exists() and not list((tmp_path/'m').glob('*.bin'))

def test_transformer_round_trip_and_fresh(tiny, data, tmp_path):
    back = Student.load(tiny.save(tmp_path/'t'))
    assert isinstance(back, TransformerStudent) and back.classes == tiny.classes
    np.testing.assert_allclose(back.predict_proba(data[1].texts), tiny.predict_proba(data[1].texts), atol=1e-5)
    assert back.evaluate(data[1]).cm.tolist() == tiny.evaluate(data[1]).cm.tolist()
    f = back.fresh()
    assert f.classes is None and f.settings == tiny.settings

def test_from_pretrained_local_checkpoint(tiny, data, tmp_path):
    "A checkpoint saved with save_pretrained (here our own tiny model) fine-tunes on a different class list."
    tiny.save(tmp_path/'ck')
    tr, va = data
    keep = tr.classes[:5]
    sub = lambda d: TextData([t for t, l in zip(d.texts, d.labels) if l in keep], [l for l in d.labels if l in keep], classes=keep)
    s = (TransformerStudent.from_pretrained(tmp_path/'ck', epochs=1, lr=1e-3, bs=32, max_len=48, progress=False, threads=1)
         .fit(sub(tr), sub(va)))
    assert s.predict_proba(va.texts[:4]).shape == (4, 5) and s.model.config.id2label[0] == keep[0]

def test_transformer_student_folder_moves_without_its_base_checkpoint(tiny, data, tmp_path):
    "A fine-tuned student carries its own weights: copied elsewhere, with its folder and its base checkpoint deleted, it predicts the same."
    tiny.save(tmp_path/'base')
    s = TransformerStudent.from_pretrained(tmp_path/'base', epochs=1, lr=1e-3, bs=32, max_len=48, progress=False, threads=1).fit(*data)
    s.save(tmp_path/'run'/'s')
    p = Student.load(tmp_path/'run'/'s').predict_proba(data[1].texts)
    import shutil
    shutil.copytree(tmp_path/'run', tmp_path/'there'); shutil.rmtree(tmp_path/'run'); shutil.rmtree(tmp_path/'base')
    assert np.array_equal(Student.load(tmp_path/'there'/'s').predict_proba(data[1].texts), p)

def test_determinism(data):
    tr, va = data
    a = TransformerStudent.from_scratch(**{**TINY, 'epochs': 1}).fit(tr[:120], va[:30])
    b = a.fresh().fit(tr[:120], va[:30])
    assert np.array_equal(a.predict_proba(va.texts), b.predict_proba(va.texts))
    assert np.array_equal(TfidfStudent(seed=1).fit(tr).predict_proba(va.texts), TfidfStudent(seed=1).fit(tr).predict_proba(va.texts))

def test_tfidf_saves_data_not_code(data, tmp_path):
    tr, va = data
    s = TfidfStudent().fit(tr, va)
    p = s.save(tmp_path/'tf')
    assert sorted(x.name for x in p.iterdir()) == ['pgkd_student.json', 'vocab.json', 'weights.npz']
    with zipfile.ZipFile(p/'weights.npz') as z:       # plain .npy arrays, no object (pickled) arrays
        assert all(n.endswith('.npy') for n in z.namelist())
    with np.load(p/'weights.npz', allow_pickle=False) as w: assert w['coef'].shape[0] == len(tr.classes)
    back = TfidfStudent.load(p)
    assert np.array_equal(back.predict_proba(va.texts), s.predict_proba(va.texts))
    with pytest.raises(TypeError, match='holds a TfidfStudent, not a TransformerStudent'): TransformerStudent.load(p)

@pytest.mark.parametrize('make', [lambda: TfidfStudent(), lambda: TransformerStudent.from_scratch(**{**TINY, 'epochs': 1})])
def test_classes_without_samples_keep_their_column(make, data):
    tr, va = data
    keep = set(tr.classes[:4])
    part = tr.new([i for i, l in enumerate(tr.labels) if l in keep])
    s = make().fit(part, va.new([i for i, l in enumerate(va.labels) if l in keep]))
    p = s.predict_proba(va.texts)
    assert p.shape == (len(va), len(tr.classes)) and s.classes == tr.classes
    np.testing.assert_allclose(p.sum(1), 1, rtol=1e-5)
    assert isinstance(s.evaluate(va), Report)

@pytest.mark.parametrize('make', [lambda: TfidfStudent(), lambda: TransformerStudent.from_scratch(**TINY)])
def test_bad_input(make, data, tiny, tmp_path):
    tr, va = data
    with pytest.raises(ValueError, match='not fitted: call fit'): make().predict(['hello'])
    with pytest.raises(DataError, match="valid, row 2: label 'weather' is not in the class list"):
        make().fit(tr, TextData([va.texts[0], 'is it sunny'], [va.labels[0], 'weather']))
    fitted = TfidfStudent().fit(tr) if isinstance(make(), TfidfStudent) else tiny
    with pytest.raises(ValueError, match='texts is empty'): fitted.predict_proba([])
    with pytest.raises(TypeError, match=r'texts\[0\] is int'): fitted.predict([3])
    assert fitted.predict_proba(['refund ' * 100_000, 'x']).shape == (2, len(tr.classes))   # truncated, not a crash
    with pytest.raises(FileNotFoundError, match='no such student folder'): type(fitted).load(tmp_path/'missing')

def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match='checkpoint not found'): TransformerStudent.from_pretrained(tmp_path/'nope')
    with pytest.raises(FileNotFoundError, match='checkpoint not found'): TransformerStudent.from_pretrained('./no/such/model')
    (tmp_path/'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no config.json'): TransformerStudent.from_pretrained(tmp_path/'empty')

def test_tfidf_quality_on_banking77():
    "The paper's start (800 train / 200 valid from 1,000 seeded samples) gives the TF-IDF student a usable test macro-F1."
    need_dataset('banking77')
    tr, va = load_benchmark('banking77').sample(1000, seed=0).split(valid=200, seed=0)
    r = speed_benchmark(TfidfStudent(), tr, va.texts * 10, valid=va, n_single=20, test=load_benchmark('banking77', 'test'))
    assert r['test_macro_f1'] > 0.6, r
    assert r['fit_s'] < 30 and r['texts_per_s'] > 1000, r    # loose: shared CI machines; real figures in 02_students
