import subprocess, sys
import pandas as pd, pytest
from conftest import need_dataset
from pgkd.data import TextData, DataError, load_benchmark, load_demo, datasets_dir

def test_banking77_contract():
    p = need_dataset('banking77')
    d = TextData.from_csv(p/'train.csv', text_col="text", label_col="label")
    assert len(d.classes) == 77 and len(d) == 10003
    tr, va = d.sample(1000, seed=0).split(valid=200, seed=0)
    assert (len(tr), len(va)) == (800, 200)
    tr2, va2 = d.sample(1000, seed=0).split(valid=200, seed=0)
    assert tr.texts == tr2.texts and va.texts == va2.texts
    assert not set(tr.texts) & set(va.texts)

def test_same_sample_in_a_fresh_process():
    "Seeded sampling must not depend on the process (hash seeds, set order)."
    need_dataset('banking77')
    code = ("from pgkd.data import load_benchmark; d=load_benchmark('banking77').sample(1000, seed=0); "
            "print(d.texts[0] + '|' + d.texts[-1])")
    outs = {subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    here = load_benchmark('banking77').sample(1000, seed=0)
    assert outs == {here.texts[0] + '|' + here.texts[-1] + '\n'}

def test_env_var_points_at_datasets(tmp_path, monkeypatch):
    (tmp_path/'toy').mkdir()
    pd.DataFrame(dict(text=['a b', 'c d', 'e f'], label=['x', 'y', 'x'])).to_csv(tmp_path/'toy'/'train.csv', index=False)
    monkeypatch.setenv('PGKD_DATASETS', str(tmp_path))
    assert datasets_dir('toy') == (tmp_path/'toy').resolve()
    assert load_benchmark('toy').classes == ['x', 'y']
    with pytest.raises(DataError, match="benchmark 'banking77' not found: set PGKD_DATASETS"): load_benchmark('banking77')

def test_validation_label_absent_from_train(tmp_path):
    pd.DataFrame(dict(text=['a', 'b'], label=['x', 'y'])).to_csv(tmp_path/'train.csv', index=False)
    pd.DataFrame(dict(text=['c', 'd'], label=['x', 'z'])).to_csv(tmp_path/'valid.csv', index=False)
    from pgkd.data import check_split
    tr = TextData.from_csv(tmp_path/'train.csv', classes=['x', 'y', 'z'])
    va = TextData.from_csv(tmp_path/'valid.csv', classes=['x', 'y', 'z'])
    with pytest.raises(DataError, match=r"valid.csv, row 2: validation label 'z' never appears in train"): check_split(tr, va)

def test_demo_set_ships_in_the_package():
    d = load_demo()
    assert len(d.classes) >= 12 and d.counts().min() >= 60
    assert d.dedupe()[1] == 0

def test_bad_files_are_named_with_the_line(tmp_path):
    "A broken JSONL line by its number, a truncated parquet and a folder by their path: one DataError each, naming the file."
    (tmp_path/'a.jsonl').write_text('{"text": "hello there", "label": "x"}\n{"text": "cut', encoding='utf-8')
    pd.DataFrame({'text': ['a b c', 'd e f'], 'label': ['x', 'y']}).to_parquet(tmp_path/'t.parquet')
    b = (tmp_path/'t.parquet').read_bytes(); (tmp_path/'t.parquet').write_bytes(b[:len(b) // 2])
    (tmp_path/'folder.csv').mkdir()
    for name, says in (('a.jsonl', 'a.jsonl, line 2: not valid JSON'), ('t.parquet', 't.parquet: cannot read as parquet'),
                       ('folder.csv', 'folder.csv: is a folder, not a file')):
        with pytest.raises(DataError) as e: TextData.from_file(tmp_path/name)
        assert says in str(e.value) and '\n' not in str(e.value), str(e.value)
    (tmp_path/'ok.jsonl').write_text('{"text": "hello there", "label": "x"}\n\n{"text": "bye now", "label": "y"}\n', encoding='utf-8')
    assert TextData.from_file(tmp_path/'ok.jsonl').texts == ['hello there', 'bye now']
