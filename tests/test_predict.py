"pgkd predict / calibrate / cascade: streaming files, resume after SIGKILL, bad rows, formats, calibration, cascade threshold, Ray = local."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd, pytest
from pgkd.data import load_demo, DataError, TextData
from pgkd.students import TfidfStudent
from pgkd.predict import predict_file, predict_file_ray, load_student, read_chunks, PROGRESS
from pgkd.calibrate import calibrate
from pgkd.cascade import Cascade, SimulatedClassifier, pick_threshold, cascade_point
from pgkd.cli import main

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    "A run-like folder: a TF-IDF student in best/ and the validation and test splits in data/."
    d = tmp_path_factory.mktemp('run')
    demo = load_demo()
    train = demo.sample(per_class=10, seed=0)
    rest = demo.new([i for i, t in enumerate(demo.texts) if t not in set(train.texts)])
    valid, test = rest.split(valid=0.5, seed=0)
    TfidfStudent().fit(train).save(d/'best'); valid.to_jsonl(d/'data'/'valid.jsonl'); test.to_jsonl(d/'data'/'test.jsonl')
    return d

@pytest.fixture(scope='module')
def texts(run):
    "3,000 rows with an id, two empty texts and one missing one."
    t = (load_demo().texts * 3)[:3000]
    df = pd.DataFrame({'id': [f'doc-{i}' for i in range(3000)], 'text': t})
    df.loc[[7, 2500], 'text'] = ''
    return df

def _write(df, path):
    ext = Path(path).suffix
    if ext == '.csv': df.to_csv(path, index=False)
    elif ext == '.jsonl': df.to_json(path, orient='records', lines=True)
    else: df.to_parquet(path)
    return path

def _read(path):
    ext = Path(path).suffix
    if ext == '.csv': return pd.read_csv(path, keep_default_na=False, dtype={'label': str, 'error': str, 'source': str})
    if ext == '.jsonl': return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)

@pytest.mark.parametrize('fin,fout', [('csv', 'parquet'), ('jsonl', 'csv'), ('parquet', 'jsonl')])
def test_formats_one_row_per_input(run, texts, tmp_path, fin, fout):
    inp = _write(texts, tmp_path/f'in.{fin}')
    r = predict_file(run, inp, tmp_path/f'out.{fout}', id_col='id', chunk_size=700, top_k=2, progress=False)
    out = _read(tmp_path/f'out.{fout}')
    assert len(out) == 3000 and out.row.tolist() == list(range(1, 3001)) and out.id.tolist() == texts.id.tolist()
    assert (r['rows'], r['bad'], r['first_bad_rows'], r['chunks']) == (3000, 2, [8, 2501], 5)
    s = load_student(run); ok = texts.text != ''
    assert out.label[ok.values].tolist() == s.predict(texts.text[ok].tolist())
    assert (out.confidence[ok.values] >= out.confidence_2[ok.values]).all()
    assert not (tmp_path/f'out.{fout}.parts').exists()

def test_bad_rows_reported_never_dropped(run, tmp_path):
    p = tmp_path/'bad.jsonl'
    p.write_text('{"text": "my card was stolen"}\n{"text": ""}\n{"text": null}\n{"text": 42}\n{"other": "x"}\n{"text": "refund please"}\n')
    predict_file(run, p, tmp_path/'bad_out.csv', progress=False)
    out = _read(tmp_path/'bad_out.csv')
    assert out.error.tolist() == ['', 'empty text', 'missing text', 'not text (int)', 'missing text', '']
    assert out.label.tolist()[1:5] == [''] * 4 and all(out.label[[0, 5]] != '')

def test_kill_and_resume(run, texts, tmp_path):
    "A predict killed with SIGKILL mid-file resumes after its last complete chunk, and its output equals an uninterrupted run's."
    inp = _write(texts, tmp_path/'in.csv')
    # a slow writer (50 ms a part), so that the kill lands mid-file
    child = ("import sys, time, pgkd.predict as P; w = P.write_part; "
             "P.write_part = lambda *a, **k: (time.sleep(0.05), w(*a, **k))[1]; "
             "P.predict_file(sys.argv[1], sys.argv[2], sys.argv[3], chunk_size=100, progress=False)")
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.Popen([sys.executable, '-c', child, str(run), str(inp), str(tmp_path/'killed.csv')], env=env)
    prog = tmp_path/'killed.csv.parts'/PROGRESS
    t0 = time.time()
    while time.time() - t0 < 120 and proc.poll() is None:
        if prog.exists() and json.loads(prog.read_text())['chunks'] >= 5: break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done = json.loads(prog.read_text())['chunks']
    assert 5 <= done < 30 and not (tmp_path/'killed.csv').exists()
    r = predict_file(run, inp, tmp_path/'killed.csv', chunk_size=100, progress=False)
    assert r['resumed_after_row'] == done * 100
    predict_file(run, inp, tmp_path/'whole.csv', chunk_size=100, progress=False)
    assert (tmp_path/'killed.csv').read_bytes() == (tmp_path/'whole.csv').read_bytes()

def test_refuses_foreign_output_and_keeps_it(run, texts, tmp_path):
    inp = _write(texts, tmp_path/'in.csv')
    (tmp_path/'mine.csv').write_text('not pgkd')
    with pytest.raises(FileExistsError, match='pgkd did not write it'): predict_file(run, inp, tmp_path/'mine.csv', progress=False)
    assert (tmp_path/'mine.csv').read_text() == 'not pgkd'
    with pytest.raises(DataError, match='overwrite the input'): predict_file(run, inp, inp, progress=False)
    with pytest.raises(DataError, match="no column 'body'"): predict_file(run, inp, tmp_path/'o.csv', text_col='body', progress=False)
    assert not (tmp_path/'o.csv.parts').exists()
    predict_file(run, inp, tmp_path/'o.csv', progress=False)                 # pgkd's own output: it may write it again
    assert 'skipped' in predict_file(run, inp, tmp_path/'o.csv', progress=False)
    predict_file(run, inp, tmp_path/'o.csv', top_k=2, progress=False)

def test_calibration_lowers_ece_and_is_listed(tmp_path):
    "On a real run folder (pgkd demo), calibrate fits T on data/valid.jsonl, lowers ECE, and the run's manifest lists calibration.json."
    assert main(['demo', '--steps', '1', '--out', str(tmp_path/'r'), '--quiet']) == 0
    c = calibrate(tmp_path/'r')
    assert c['ece_after'] < c['ece_before'] and c['nll_after'] <= c['nll_before'] and c['n_valid'] > 0
    assert 'best/calibration.json' in json.loads((tmp_path/'r'/'manifest.json').read_text())['files']
    assert load_student(tmp_path/'r').temperature == c['temperature']

def test_cascade_threshold_selection():
    rng = np.random.default_rng(0)
    n, k = 2000, 5
    y = rng.integers(0, k, n); conf = rng.random(n)
    student = np.where(rng.random(n) < conf, y, (y + 1) % k)     # right with probability = its confidence
    teacher = np.where(rng.random(n) < 0.9, y, (y + 2) % k)
    T = pick_threshold(conf, student, teacher, y, target_accuracy=0.9)
    p = cascade_point(conf, student, teacher, y, k, T)
    assert p['accuracy'] >= 0.9
    assert cascade_point(conf, student, teacher, y, k, np.nextafter(T, 0) - 1e-3)['accuracy'] < 0.9 or p['share_to_llm'] == 0
    B = pick_threshold(conf, student, teacher, y, budget=2.0, cost_per_1000=10.0)
    assert cascade_point(conf, student, teacher, y, k, B, cost_per_1000=10.0)['dollars_per_1000'] <= 2.0

def test_cascade_cli_and_simulator(run, capsys):
    assert main(['cascade', str(run), '--target-accuracy', '0.85', '--accuracy', '0.9']) == 0
    out = capsys.readouterr().out
    assert 'picked on validation for target accuracy 0.85' in out and 'simulator, not an LLM' in out
    c = Cascade(run, accuracy=0.9, target_accuracy=0.85)
    assert c.chosen.accuracy[0] >= 0.85 and c.chosen.share_to_llm[0] < 1

def test_cascade_on_a_validation_split_that_lacks_classes(run, tmp_path, capsys):
    "A small validation split need not hold every class: the cascade and its threshold take the classes from the student."
    d = tmp_path/'run'; (d/'data').mkdir(parents=True)
    import shutil; shutil.copytree(run/'best', d/'best')
    valid = TextData.from_jsonl(run/'data'/'valid.jsonl')
    few = valid.new([i for i, l in enumerate(valid.labels) if l not in ('app_crash', 'card_lost')])
    few.to_jsonl(d/'data'/'valid.jsonl'); shutil.copy(run/'data'/'test.jsonl', d/'data'/'test.jsonl')
    assert {'app_crash', 'card_lost'} <= set(TextData.from_jsonl(d/'data'/'test.jsonl').labels)
    assert main(['cascade', str(d), '--target-accuracy', '0.85', '--accuracy', '0.9']) == 0, capsys.readouterr().err
    c = Cascade(d, accuracy=0.9, target_accuracy=0.85)
    assert c.splits['test']['k'] == len(load_student(d).classes) == 14

def test_cli_predict_and_one_line_errors(run, texts, tmp_path, capsys):
    inp = _write(texts, tmp_path/'in.parquet')
    assert main(['predict', str(run), str(inp), '--out', str(tmp_path/'o.jsonl'), '--id-col', 'id', '--quiet']) == 0
    assert '3000 rows' in capsys.readouterr().out and len(_read(tmp_path/'o.jsonl')) == 3000
    assert main(['predict', str(run), str(tmp_path/'none.csv'), '--out', str(tmp_path/'x.csv')]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count('\n') == 0 and 'none.csv: file not found' in err

def test_ray_equals_local(run, texts, tmp_path):
    "--engine ray (Ray Data, 2 local CPUs) gives the local engine's output row for row."
    import ray
    inp = _write(texts, tmp_path/'in.csv')
    predict_file(run, inp, tmp_path/'local.csv', id_col='id', progress=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try: r = predict_file_ray(run, inp, tmp_path/'ray_out.parquet', id_col='id', batch_size=1000)
    finally: ray.shutdown()
    got = (pd.concat([pd.read_parquet(f) for f in sorted((tmp_path/'ray_out.parquet').glob('*.parquet'))])
           .sort_values('row').reset_index(drop=True))
    want = _read(tmp_path/'local.csv')
    assert r['rows'] == 3000 and len(got) == 3000
    for c in ('row', 'id', 'label', 'source', 'error'): assert got[c].tolist() == want[c].tolist(), c
    np.testing.assert_allclose(got.confidence.fillna(-1), want.confidence.replace('', -1).astype(float), atol=1e-6)

def test_predict_with_fallback_teacher(run, tmp_path, capsys):
    """pgkd predict --fallback-teacher sim: rows below the threshold are the teacher's (source 'teacher'), the rest the student's;
    sim needs --label-col."""
    test = pd.read_json(run/'data'/'test.jsonl', lines=True)
    inp = _write(pd.DataFrame({'text': test.text, 'gold': test.label}), tmp_path/'in.csv')
    s = load_student(run)
    conf = s.predict_proba(test.text.tolist()).max(1)
    c = np.sort(conf); T = float(c[len(c)*2//5 - 1] + c[len(c)*2//5]) / 2  # 40% below it, midway between two confidences
    assert main(['predict', str(run), str(inp), '--out', str(tmp_path/'o.csv'), '--fallback-teacher', 'sim', '--fallback-accuracy', '1.0',
                 '--label-col', 'gold', '--threshold', str(T), '--chunk-size', '50', '--quiet']) == 0
    printed = capsys.readouterr().out
    out = _read(tmp_path/'o.csv')
    sent = conf < T
    assert len(out) == len(test) and (out.source == 'teacher').tolist() == sent.tolist() and 0 < sent.sum() < len(test)
    assert (out.label[sent] == test.label[sent]).all()                   # a simulator of accuracy 1 answers the true label
    assert (out.label[~sent] == out.student_label[~sent]).all() and (out.confidence[sent] == '').all()
    side = json.loads((tmp_path/'o.csv.pgkd.json').read_text())['summary']
    assert side['sent_to_teacher'] == sent.sum() and side['accuracy'] == round(float((out.label == test.label).mean()), 4)
    assert side['accuracy'] > float((out.student_label == test.label).mean()) and f"{sent.sum()} rows" in printed
    assert main(['predict', str(run), str(inp), '--out', str(tmp_path/'p.csv'), '--fallback-teacher', 'sim', '--threshold', '0.5']) == 1
    assert 'needs a label column' in capsys.readouterr().err
    assert main(['predict', str(run), str(inp), '--out', str(tmp_path/'t.csv'), '--fallback-teacher', 'sim', '--label-col', 'gold',
                 '--target-accuracy', '0.95', '--quiet']) == 0
    assert 'picked on' in capsys.readouterr().out and (_read(tmp_path/'t.csv').source == 'teacher').any()

class _FakeLLM:
    "A loopback OpenAI-compatible endpoint: answers pgkd's classify prompt (the first class for each text) on any POST path; `fail`: 422."
    def __init__(self):
        import http.server, threading, re
        me = self; self.fail, self.paths = False, []
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                me.paths.append(self.path)
                user = [m['content'] for m in body['messages'] if m['role'] == 'user'][-1]
                n, cls = int(re.search(r'Texts \((\d+)\)', user)[1]), re.search(r'^- (\S+)', user, re.M)[1]
                msg = dict(role='assistant', content=json.dumps({'labels': [cls] * n}))
                ans = dict(id='x', object='chat.completion', created=0, model=body['model'],
                           choices=[dict(index=0, message=msg, finish_reason='stop')],
                           usage=dict(prompt_tokens=10, completion_tokens=5, total_tokens=15))
                code, data = (422, {'error': {'message': 'failing on purpose'}}) if me.fail else (200, ans)
                b = json.dumps(data).encode()
                self.send_response(code); self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(b)))
                self.end_headers(); self.wfile.write(b)
        self.srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
    def __enter__(self): return self
    def __exit__(self, *a): self.srv.shutdown(); self.srv.server_close()

def _secret_files(root, secret='SECRET123'):
    return [str(f) for f in Path(root).rglob('*') if f.is_file() and secret.encode() in f.read_bytes()]

@pytest.mark.parametrize('form', ['user', 'query'])
def test_secrets_never_written(run, tmp_path, monkeypatch, capsys, form):
    "A secret in the base URL (userinfo or query) is in no file predict writes: output, sidecar, parts kept after a failure, the cache."
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'cache')); monkeypatch.setenv('OPENAI_API_KEY', 'dummy')
    test = pd.read_json(run/'data'/'test.jsonl', lines=True)[:60]
    inp = _write(pd.DataFrame({'text': test.text}), tmp_path/'in.csv')
    with _FakeLLM() as llm:
        url = f'http://user:SECRET123@127.0.0.1:{llm.port}/v1' if form == 'user' else f'http://127.0.0.1:{llm.port}/v1?key=SECRET123'
        args = ['predict', str(run), str(inp), '--out', str(tmp_path/'o.csv'), '--fallback-teacher', 'openai', '--teacher-model', 'x',
                '--base-url', url, '--threshold', '1.0', '--chunk-size', '20', '--quiet']
        import pgkd.predict as P
        w = P.write_part
        def part(*a, **k):                                # the endpoint fails once the first chunk is written: a resumable failure
            r = w(*a, **k); llm.fail = True; return r
        monkeypatch.setattr(P, 'write_part', part)
        assert main(args) == 1
        err = capsys.readouterr().err.strip()
        assert err.count('\n') == 0 and 'Traceback' not in err and 'SECRET123' not in err
        assert 'failing on purpose' in err and '20 rows done are kept in' in err and 'continues after row 20' in err
        assert json.loads((tmp_path/'o.csv.parts'/PROGRESS).read_text())['chunks'] == 1 and not (tmp_path/'o.csv').exists()
        assert _secret_files(tmp_path) == []
        llm.fail = False; monkeypatch.setattr(P, 'write_part', w)
        assert main(args) == 0
        assert llm.paths and all(q.split('?')[0] == '/v1/chat/completions' for q in llm.paths), llm.paths   # a ?key= stays a query
    assert _secret_files(tmp_path) == [] and 'SECRET123' not in capsys.readouterr().out
    out = _read(tmp_path/'o.csv')
    assert len(out) == 60 and (out.source == 'teacher').all() and not (tmp_path/'o.csv.parts').exists()
    side = json.loads((tmp_path/'o.csv.pgkd.json').read_text())
    assert side['summary']['resumed_after_row'] == 20 and '***' in side['job']['fallback']['base_url']

def test_failure_before_any_chunk_leaves_nothing(run, tmp_path, monkeypatch, capsys):
    "A predict that fails before its first chunk is complete has nothing to resume: it removes what it wrote, and says nothing of resuming."
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'cache')); monkeypatch.setenv('OPENAI_API_KEY', 'dummy')
    inp = _write(pd.DataFrame({'text': ['my card was stolen', 'refund please'] * 10}), tmp_path/'in.csv')
    with _FakeLLM() as llm:
        llm.fail = True
        assert main(['predict', str(run), str(inp), '--out', str(tmp_path/'o.csv'), '--fallback-teacher', 'openai', '--teacher-model', 'x',
                     '--base-url', f'http://127.0.0.1:{llm.port}/v1', '--threshold', '1.0', '--quiet']) == 1
    err = capsys.readouterr().err.strip()
    assert err.count('\n') == 0 and 'Traceback' not in err and 'kept' not in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('o.csv')]

class _Flaky:
    "A fallback classifier that answers the first class, and raises `exc` from its `fail_at`-th call on."
    def __init__(self, exc=None, fail_at=2): self.exc, self.fail_at, self.n = exc, fail_at, 0
    def classify(self, texts, classes, **kw):
        self.n += 1
        if self.exc is not None and self.n >= self.fail_at: raise self.exc
        from pgkd.teachers import Usage
        return type('A', (), dict(labels=[classes[0]] * len(texts), usage=Usage()))()

def test_failed_predict_keeps_only_what_resumes(run, texts, tmp_path):
    "After a failure mid-file the parts stay (the message says so) only when running again can continue; a fault of the input cleans up."
    inp = _write(texts[:500], tmp_path/'in.csv')
    kw = dict(chunk_size=100, progress=False, threshold=1.0)
    kept = r'disk full \(200 rows done are kept in .*o\.csv\.parts: the same command again continues after row 200\)'
    with pytest.raises(OSError, match=kept):
        predict_file(run, inp, tmp_path/'o.csv', fallback=_Flaky(OSError('disk full'), fail_at=3), **kw)
    assert json.loads((tmp_path/'o.csv.parts'/PROGRESS).read_text())['chunks'] == 2
    assert predict_file(run, inp, tmp_path/'o.csv', fallback=_Flaky(), **kw)['resumed_after_row'] == 200
    assert len(_read(tmp_path/'o.csv')) == 500 and not (tmp_path/'o.csv.parts').exists()
    with pytest.raises(DataError, match='bad labels'):
        predict_file(run, inp, tmp_path/'p.csv', fallback=_Flaky(DataError('bad labels'), fail_at=3), **kw)
    assert not (tmp_path/'p.csv.parts').exists() and not (tmp_path/'p.csv').exists() and not (tmp_path/'p.csv.pgkd.json').exists()

def test_never_overwrites_what_pgkd_did_not_write(run, tmp_path, capsys):
    "A sidecar, parts folder or output that the user made is left byte-identical: exit 1 with one line naming it, no traceback."
    inp = _write(pd.DataFrame({'text': ['my card was stolen', 'refund please'] * 10}), tmp_path/'in.csv')
    cmd = lambda out: main(['predict', str(run), str(inp), '--out', str(tmp_path/out), '--quiet'])
    for name, data in (('foo.csv.pgkd.json', b'{"my": "notes"}'), ('bar.csv.pgkd.json', b'not json \xff'),
                       ('baz.csv.pgkd.json', b'{"format": "mine"}')):
        (tmp_path/name).write_bytes(data)
        assert cmd(name[:-len('.pgkd.json')]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count('\n') == 0 and 'Traceback' not in err and f'{tmp_path/name} exists and pgkd did not write it' in err
        assert 'move it, or choose another --out' in err and (tmp_path/name).read_bytes() == data
        assert not (tmp_path/name[:-len('.pgkd.json')]).exists() and not (tmp_path/(name[:-len('.pgkd.json')] + '.parts')).exists()
    (tmp_path/'q.csv.parts').mkdir(); (tmp_path/'q.csv.parts'/'notes.txt').write_text('mine')
    (tmp_path/'r.csv.parts').write_text('a file')
    for out in ('q.csv', 'r.csv'):
        assert cmd(out) == 1
        err = capsys.readouterr().err.strip()
        assert err.count('\n') == 0 and f"{tmp_path/(out + '.parts')} exists and pgkd did not make it" in err
    assert (tmp_path/'q.csv.parts'/'notes.txt').read_text() == 'mine' and (tmp_path/'r.csv.parts').read_text() == 'a file'
    (tmp_path/'e.csv.parts').mkdir()                                      # an empty folder the user made: used, and left in place
    assert cmd('e.csv') == 0 and (tmp_path/'e.csv.parts').is_dir() and len(_read(tmp_path/'e.csv')) == 20
    assert cmd('e.csv') == 0 and 'already complete' in capsys.readouterr().out   # its own output and sidecar: recognised
