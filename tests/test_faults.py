"""Bad answers over real HTTP, through the real `openai` client and the CLI: useless answers are not replayed from the cache,
and a cut HTTP body is retried, then counted, never the end of a run."""
import json, os, subprocess, sys
import pytest
from test_loop import files, run_args   # noqa: F401 (`files` is a fixture)

@pytest.fixture(scope='module')
def pool(files):
    from pgkd.cli import load_inputs
    *_, pool = load_inputs(files/'train.csv', files/'test.csv', n_labelled=280, n_valid=70, seed=0, need_pool=True)
    return pool

def http_run(files, out, url, *extra):
    "A CLI run against the OpenAI-compatible server at `url`; returns the finished process."
    cmd = run_args(files, out, '--teacher', 'openai', '--model', 'pgkd-simulator', '--base-url', url, '--steps', '2', '--quiet', *extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, 'OPENAI_API_KEY': 'sk-test-not-real'})

def history(out): return [json.loads(l) for l in (out/'history.jsonl').read_text().splitlines()]

def test_useless_cached_answers_are_asked_again(files, pool, tmp_path):
    "A server that answers only non-JSON, then a healthy one on the same URL and the same cache: the rerun asks and keeps samples."
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    cache = str(tmp_path/'cache')
    with SimServer(Simulator(pool, seed=0), faults={'malformed': 1.0}, seed=1) as bad:
        r = http_run(files, tmp_path/'bad', bad.url, '--cache-dir', cache)
        port = bad.port
    assert r.returncode == 0, r.stderr
    assert bad.calls > 0 and set(bad.faults_seen) == {'malformed'}
    assert json.loads((tmp_path/'bad'/'report.json').read_text())['generated'] == 0
    assert any(h['rejected_by'].get('unparseable_answer') for h in history(tmp_path/'bad'))
    assert len(list((tmp_path/'cache').glob('*.json'))) == bad.calls          # every answer was written ...
    with SimServer(Simulator(pool, seed=0), port=port, seed=1) as good:
        r2 = http_run(files, tmp_path/'good', good.url, '--cache-dir', cache)
    assert r2.returncode == 0, r2.stderr
    assert good.calls > 0 and set(good.faults_seen) == {'ok'}                # ... but none is replayed as if it were good
    assert json.loads((tmp_path/'good'/'report.json').read_text())['generated'] > 0
    assert 'Traceback' not in r.stderr + r2.stderr

def test_cut_http_body_is_retried_then_counted_not_fatal(files, pool, tmp_path):
    "Half the replies are cut in half (the JSON envelope): no retries left, each is a `broken_response`; the run completes."
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    with SimServer(Simulator(pool, seed=0), faults={'cut_body': 0.5}, seed=1) as srv:
        r = http_run(files, tmp_path/'run', srv.url, '--no-cache', '--max-retries', '0')
    assert r.returncode == 0, r.stderr
    assert 'Traceback' not in r.stderr and 'JSONDecodeError' not in r.stderr, r.stderr
    cut = srv.faults_seen['cut_body']
    assert cut > 0 and srv.faults_seen['ok'] > 0
    hist = history(tmp_path/'run')
    assert sum(h['rejected_by'].get('broken_response', 0) for h in hist) == cut       # each cut reply, counted once
    rep = json.loads((tmp_path/'run'/'report.json').read_text())
    assert rep['generated'] > 0 and rep['rejected']['broken_response'] == cut

def test_cut_http_body_is_retried_like_a_server_error(pool):
    "With retries, two cut replies are retried with the client's backoff and the third is read: no rejection, two errors."
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    from pgkd.prompts import PGKDRequest
    from pgkd.teachers import OpenAITeacher
    with SimServer(Simulator(pool, seed=0), script=['cut_body', 'cut_body']) as srv:
        g = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', max_retries=2).generate(PGKDRequest(pool.classes, n=8))
    assert (len(g.samples), srv.calls, g.usage.calls, g.usage.errors) == (8, 3, 1, 2)
    assert 'broken_response' not in g.rejected

def test_a_broken_answer_error_is_one_line_naming_model_and_redacted_url(pool):
    "Retries spent on cut replies: a `BrokenAnswer` of one line, with the model and the URL without its secrets."
    import asyncio
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    from pgkd.prompts import PGKDRequest, build_messages
    from pgkd.teachers import OpenAITeacher, BrokenAnswer
    req = PGKDRequest(pool.classes, n=4)
    with SimServer(Simulator(pool, seed=0), faults={'cut_body': 1.0}) as srv:
        t = OpenAITeacher('my-model', base_url=srv.url.replace('//', '//me:s3cret-value@'), api_key='x', max_retries=1)
        async def ask():
            s = await t._open()
            try: return await t._ask(build_messages(req), dict(round=0, request=0, kind='answer', classes=req.classes), s)
            finally: await t._close(s)
        with pytest.raises(BrokenAnswer) as e: asyncio.run(ask())
    msg = str(e.value)
    assert (msg.startswith(f"model 'my-model' at {srv.url.replace('//', '//me:***@')}: no readable answer after 2 attempts")
            and '\n' not in msg)
    assert 's3cret' not in msg and not e.value.fatal

# ------------------------------------------------------------------------------------------------------------ a full disk

FULL_IN_SAVE = """import errno, sys
from pgkd.students import TfidfStudent
from pgkd.cli import main
orig, calls = TfidfStudent.save, []
def save(self, path):
    calls.append(path)
    if len(calls) == 3: raise OSError(errno.ENOSPC, 'No space left on device')   # round 1's checkpoint: the disk is full
    return orig(self, path)
TfidfStudent.save = save
sys.exit(main())"""

def _tmpfs(path, size) -> bool:
    "Mount a tmpfs of `size` at `path` (root only); False where mounting is not allowed."
    path.mkdir(parents=True, exist_ok=True)
    return os.geteuid() == 0 and subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(path)]).returncode == 0

def test_a_full_disk_names_the_file_and_resume_finishes_once_freed(files, tmp_path):
    "A full disk ends the run in one line naming the file; with space freed, --resume finishes with the uninterrupted run's result."
    full = subprocess.run(run_args(files, tmp_path/'full', '--quiet'), capture_output=True, text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    disk = tmp_path/'disk'; out = disk/'run'
    real = _tmpfs(disk, '5M')   # room for round 0's checkpoint and best/ (1.9 MB each), not for round 1's checkpoint too
    try:
        if real: r = subprocess.run(run_args(files, out, '--quiet'), capture_output=True, text=True, timeout=300)
        else: r = subprocess.run([sys.executable, '-c', FULL_IN_SAVE, *run_args(files, out, '--quiet')[3:]],
                                 capture_output=True, text=True, timeout=300)
        err = r.stderr.strip().splitlines()
        assert r.returncode == 1 and len(err) == 1, r.stderr
        assert f'{out}/' in err[0] and 'No space left on device' in err[0] and '--resume' in err[0] and 'Traceback' not in r.stderr, err
        assert json.loads((out/'state.json').read_text())['round'] >= 0   # what was committed stays
        if real: subprocess.run(['mount', '-o', 'remount,size=64M', str(disk)], check=True)   # space freed
        resumed = subprocess.run(run_args(files, out, '--quiet', '--resume'), capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        a, b = (json.loads((d/'report.json').read_text()) for d in (tmp_path/'full', out))
        assert a['test'] == b['test'] and a['generated'] == b['generated'] and a['best_round'] == b['best_round']
    finally:
        if real: subprocess.run(['umount', str(disk)])
