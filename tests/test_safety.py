"""Run safety through the CLI, one test per probe of the run-safety issue: users' files, resume splicing, teacher failures,
concurrent runs, secrets, options, the shared cache."""
import json, os, signal, subprocess, sys, time, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from pathlib import Path
import pytest
from pgkd.data import load_demo

PGKD = [sys.executable, '-c', 'import sys; from pgkd.cli import main; sys.exit(main())']

def cli(*args, env=None, timeout=300):
    return subprocess.run(PGKD + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env)

def one_line_error(r, code=1):
    "Exit `code`, exactly one line on stderr, and no traceback."
    assert r.returncode == code, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr + r.stdout, r.stderr
    return r.stderr

@pytest.fixture(scope='module')
def csv(tmp_path_factory):
    d = tmp_path_factory.mktemp('data')
    demo = load_demo()
    demo.to_df()[['text', 'label']].to_csv(d/'train.csv', index=False)
    demo.sample(per_class=30, seed=9).to_df()[['text', 'label']].to_csv(d/'other.csv', index=False)
    return d

def base(csv, out, *extra):
    return ['run', '--train', csv/'train.csv', '--n-labelled', '280', '--n-valid', '70', '--steps', '2', '--n', '16', '--quiet',
            '--out', out, *extra]

def tree(d: Path) -> dict:
    # .lock holds the last PID
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob('*')) if p.is_file() and p.name != '.lock'}

def test_out_refuses_a_folder_it_did_not_make(csv, tmp_path):
    "Probe 1: a folder with best/important.txt, checkpoints/old/notes.txt, config.json, data/train.jsonl is refused, byte for byte intact."
    out = tmp_path/'mine'
    for f, t in (('best/important.txt', 'keep'), ('checkpoints/old/notes.txt', 'notes'), ('config.json', '{"mine": 1}'),
                 ('data/train.jsonl', '{}\n')):
        (out/f).parent.mkdir(parents=True, exist_ok=True); (out/f).write_text(t)
    before = tree(out)
    for extra in ([], ['--resume']):
        err = one_line_error(cli(*base(csv, out, *extra)))
        assert 'not a pgkd run folder' in err and str(out) in err
    assert tree(out) == before
    err = one_line_error(cli('demo', '--steps', '1', '--out', out))
    assert tree(out) == before

def test_run_never_deletes_a_users_file_inside_its_own_folder(csv, tmp_path):
    "A user's file put into a run's best/ and checkpoints/ survives a resume; replacing best/ is refused, naming the file."
    out = tmp_path/'run'
    assert cli(*base(csv, out, '--steps', '1')).returncode == 0
    (out/'checkpoints'/'mine.txt').write_text('mine'); (out/'best'/'note.txt').write_text('note')
    r = cli(*base(csv, out, '--steps', '4', '--resume'))
    assert (out/'checkpoints'/'mine.txt').read_text() == 'mine' and (out/'best'/'note.txt').read_text() == 'note'
    if r.returncode:   # the best student changed: pgkd will not replace a folder holding someone else's file
        assert 'best/note.txt' in one_line_error(r)
    manifest = json.loads((out/'manifest.json').read_text())['files']
    assert 'checkpoints/mine.txt' not in manifest and 'best/note.txt' not in manifest and 'state.json' in manifest

def test_resume_refuses_other_options_and_data(csv, tmp_path):
    "Probe 2: resume with other --n-labelled, --n-valid, --method, --seed, --n, or another --train file, is refused naming each difference."
    out = tmp_path/'run'
    assert cli(*base(csv, out)).returncode == 0
    before = tree(out)
    err = one_line_error(cli(*base(csv, out, '--resume', '--n-labelled', '200', '--n-valid', '50', '--method', 'vanilla',
                                   '--seed', '1', '--n', '8')))
    for what in ('n_labelled: now 200, the run has 280', 'n_valid: now 50, the run has 70', "method: now 'vanilla', the run has 'pgkd'",
                 'seed: now 1, the run has 0', 'n: now 8, the run has 16', 'another --out'):
        assert what in err, (what, err)
    err = one_line_error(cli(*base(csv, out, '--resume', '--train', csv/'other.csv', '--n-labelled', '280')))
    assert 'train_sha256' in err
    assert tree(out) == before
    r = cli(*base(csv, out, '--resume', '--steps', '3'))   # a limit may change: the run is extended
    assert r.returncode == 0, r.stderr
    assert (json.loads((out/'report.json').read_text())['rounds'] == 3
            and json.loads((out/'config.json').read_text())['config']['steps'] == 3)

class _Status(BaseHTTPRequestHandler):
    "Answers every request with the status in the server's `status`, in OpenAI's error shape."
    def log_message(self, *a): pass
    def _answer(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n: self.rfile.read(n)
        body = json.dumps({'error': {'message': 'Incorrect API key provided', 'type': 'invalid_request_error',
                                     'code': 'invalid_api_key'}}).encode()
        self.send_response(self.server.status); self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    do_GET = do_POST = _answer

@pytest.fixture
def status_server():
    srv = ThreadingHTTPServer(('127.0.0.1', 0), _Status); srv.status = 401
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown(); srv.server_close()

def test_teacher_failures_are_one_line_and_come_before_round_0(csv, tmp_path, status_server):
    "Probe 3: server down, HTTP 401, and no key without --base-url: one line each, exit 1, within seconds, before round 0 trains."
    oa = ['--teacher', 'openai', '--model', 'gpt-4o-mini']
    t0 = time.time()
    err = one_line_error(cli(*base(csv, tmp_path/'down', *oa, '--base-url', 'http://127.0.0.1:9/v1')))
    assert 'cannot reach' in err and '127.0.0.1:9' in err and time.time() - t0 < 30
    err = one_line_error(cli(*base(csv, tmp_path/'401', *oa, '--base-url', f'http://127.0.0.1:{status_server.server_port}/v1'),
                             env={**os.environ, 'OPENAI_API_KEY': 'sk-wrong-key-123456'}))
    assert 'HTTP 401' in err and 'check the API key' in err and 'sk-wrong' not in err
    env = {k: v for k, v in os.environ.items() if k != 'OPENAI_API_KEY'}
    err = one_line_error(cli(*base(csv, tmp_path/'nokey', *oa), env=env))
    assert 'no API key' in err and 'OPENAI_API_KEY' in err
    for d in ('down', '401', 'nokey'): assert not (tmp_path/d/'checkpoints').exists(), d   # round 0 never trained
    # mid-run failures are one line too, with --debug for the traceback
    r = cli(*base(csv, tmp_path/'dbg', *oa), '--debug', env=env)
    assert r.returncode == 1 and 'Traceback' in r.stderr and 'TeacherError' in r.stderr

def test_a_second_run_on_the_same_out_is_refused_while_the_first_goes_on(csv, tmp_path):
    "Probe 4: a second process gets 'in use by PID N'; the first goes on and finishes."
    out = tmp_path/'busy'
    first = subprocess.Popen(PGKD + [str(a) for a in base(csv, out, '--steps', '40', '--patience', '40', '--n', '8')],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while not (out/'state.json').exists() and time.time() < deadline: time.sleep(0.1)
        assert (out/'state.json').exists()
        for extra in (['--resume'], []):
            err = one_line_error(cli(*base(csv, out, '--steps', '40', '--patience', '40', '--n', '8', *extra)))
            assert f'in use by PID {first.pid}' in err or 'already holds a run' in err, err
        assert first.poll() is None   # still running
        err = one_line_error(cli(*base(csv, out, '--steps', '40', '--patience', '40', '--n', '8', '--resume')))
        assert f'in use by PID {first.pid}' in err
    finally:
        first.send_signal(signal.SIGKILL); first.wait()
    r = cli(*base(csv, out, '--steps', '3', '--patience', '40', '--n', '8', '--resume'))   # the lock died with its process
    assert r.returncode == 0, r.stderr

def test_secret_in_base_url_never_written(csv, tmp_path):
    "Probe 5: secrets in --base-url (userinfo password, query value) are redacted in config.json, logs, errors, the cache, the run folder."
    from pgkd.cli import load_inputs
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    secret = 'S3CRET-in-the-url-987654321'
    *_, pool = load_inputs(csv/'train.csv', n_labelled=280, n_valid=70, seed=0, need_pool=True)
    cache = tmp_path/'cache'
    with SimServer(Simulator(pool, seed=0)) as srv:
        userinfo = srv.url.replace('http://', f'http://me:{secret}@')
        r = cli(*base(csv, tmp_path/'run', '--teacher', 'openai', '--model', 'pgkd-simulator', '--base-url', userinfo, '--steps', '1',
                      '--cache-dir', cache))
        assert r.returncode == 0, r.stderr
        assert 'me:***@' in (tmp_path/'run'/'config.json').read_text()
        # a key in the query: sent with every request as a query parameter (not glued into the path), written nowhere
        q = cli(*base(csv, tmp_path/'q', '--teacher', 'openai', '--model', 'pgkd-simulator', '--base-url', f'{srv.url}?api-key={secret}',
                      '--steps', '1', '--cache-dir', cache))
    assert q.returncode == 0, q.stderr
    assert 'api-key=***' in (tmp_path/'q'/'config.json').read_text()
    for d in (tmp_path/'run', tmp_path/'q', cache):
        for f in d.rglob('*'):
            if f.is_file(): assert secret.encode() not in f.read_bytes(), f
    assert secret not in r.stdout + r.stderr + q.stdout + q.stderr

def test_options_are_range_checked(csv, tmp_path):
    "Probe 7: out-of-range options name the option (CLI exit 2; API ValueError); pgkd report names a damaged file."
    for opt, v in (('--uniform', '5'), ('--max-generated', '-5'), ('--budget', '-1'), ('--n', '1.5'), ('--steps', '-1'), ('--noise', '2')):
        r = cli(*base(csv, tmp_path/'x', opt, v))
        assert r.returncode == 2 and f'argument {opt}:' in r.stderr and 'Traceback' not in r.stderr, (opt, r.stderr)
    from pgkd.loop import PGKDConfig
    for kw in (dict(n=1.5), dict(steps='3'), dict(uniform=5), dict(max_generated=-5), dict(budget=-1)):
        with pytest.raises(ValueError, match=list(kw)[0]): PGKDConfig(**kw)
    out = tmp_path/'run'
    assert cli(*base(csv, out, '--steps', '1')).returncode == 0
    (out/'report.json').write_text('{"method": "pgkd"')
    err = one_line_error(cli('report', out))
    assert str(out/'report.json') in err and 'damaged' in err

def test_shared_cache_second_run_pays_nothing_and_reports_replayed_cost(csv, tmp_path):
    "Probe 8: the same run with another --out makes zero completion requests; its cost is reported as replayed; the endpoint is in the key."
    from pgkd.cli import load_inputs
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    *_, pool = load_inputs(csv/'train.csv', n_labelled=280, n_valid=70, seed=0, need_pool=True)
    oa = ['--teacher', 'openai', '--model', 'gpt-4o-mini', '--steps', '2']   # a priced model: the cost is not zero
    env = {**os.environ, 'OPENAI_API_KEY': 'sk-test-cache-0000000000'}
    with SimServer(Simulator(pool, seed=0)) as srv:
        oa += ['--base-url', srv.url]
        assert cli(*base(csv, tmp_path/'a', *oa), env=env).returncode == 0
        calls = srv.calls
        assert calls >= 2
        cache = Path(os.environ['XDG_CACHE_HOME'])/'pgkd'/'teacher'
        assert len(list(cache.glob('*.json'))) >= calls
        (cache/'0000-not-an-answer.json').write_text('{"answer": "x"}')   # a stray file in the shared folder is not trusted
        r = cli(*base(csv, tmp_path/'b', *oa), env=env)
        assert r.returncode == 0, r.stderr
        assert srv.calls == calls   # zero completion requests the second time
    a, b = (json.loads((tmp_path/d/'report.json').read_text()) for d in 'ab')
    assert a['cost'] > 0 and a['cost_replayed'] == 0 and a['cost_new'] == a['cost']
    assert b['cost_new'] == 0 and b['cost_replayed'] == pytest.approx(a['cost']) and b['cost'] == pytest.approx(a['cost'])
    assert (tmp_path/'a'/'generated.jsonl').read_text() == (tmp_path/'b'/'generated.jsonl').read_text()
    assert 'replayed from the cache' in cli('report', tmp_path/'b').stdout
    with SimServer(Simulator(pool, seed=0)) as other:   # another endpoint: not answered from the first one's cache
        r = cli(*base(csv, tmp_path/'c', *oa[:-2], '--base-url', other.url, '--steps', '1'), env=env)
        assert r.returncode == 0 and other.calls > 0, r.stderr
