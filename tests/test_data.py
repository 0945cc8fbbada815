import subprocess, sys
from pathlib import Path
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

def test_a_latin1_file_names_the_encoding_option_which_reads_it(tmp_path):
    "A file in another encoding: one line naming the file, the byte and `--encoding`; with `--encoding latin-1` the run reads it."
    demo = load_demo().to_df()[['text', 'label']]
    demo = demo[demo.text.map(lambda t: t.isascii())].copy()   # the demo has a few € signs, which latin-1 lacks
    demo.loc[demo.index[0], 'text'] = 'mon café est arrivé froid'
    demo.to_csv(tmp_path/'train.csv', index=False, encoding='latin-1')
    run = lambda *x: subprocess.run([str(Path(sys.executable).parent/'pgkd'), 'run', '--train', str(tmp_path/'train.csv'),
                                     '--n-labelled', '280', '--n-valid', '70', '--student', 'tfidf', '--method', 'alone', '--quiet', *x],
                                    capture_output=True, text=True)
    bad = run()
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert 'train.csv: undecodable bytes at byte' in bad.stderr and '--encoding latin-1' in bad.stderr
    good = run('--encoding', 'latin-1', '--out', str(tmp_path/'run'))
    assert good.returncode == 0, good.stderr
