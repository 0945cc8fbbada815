"Teachers over real HTTP: the `openai` client against pgkd's simulator server (loopback only, no internet)."
import os, re, sys, json, time, pickle, signal, subprocess, warnings
from collections import Counter
from dataclasses import replace
import pytest
import openai
from pathlib import Path
import pgkd
from pgkd.data import TextData, normalize_text, load_demo, load_benchmark
from pgkd.prompts import PGKDRequest, Example
from pgkd.simulator import Simulator
from pgkd.server import SimServer
from pgkd.cli import run_command
from pgkd.teachers import OpenAITeacher, SimulatedTeacher, TeacherError, Usage, Generation

ENV = dict(os.environ, PYTHONPATH=str(Path(pgkd.__file__).parents[1]))
MIX = {'429': .05, '500': .05, 'timeout': .04, 'malformed': .04, 'truncated': .04, 'bad_label': .04, 'duplicate': .04}
# short timeouts keep the suite fast (the waits between retries are the openai client's: 0.5 s, 1 s, ... or Retry-After)
FAST = dict(timeout=1)

@pytest.fixture(scope='module')
def data():
    try: return load_demo()
    except Exception: return load_benchmark('banking77')

@pytest.fixture(scope='module')
def shown(data): return data.sample(n=8, seed=0)       # the prompt's labelled examples

@pytest.fixture(scope='module')
def pool(data, shown):                                 # the simulator's held-out pool: everything else
    s = set(shown.texts)
    return data.new([i for i,t in enumerate(data.texts) if t not in s])

@pytest.fixture
def req(pool, shown):
    return PGKDRequest(pool.classes, n=32, descriptions=pool.descriptions, examples=[Example(*shown[i]) for i in range(8)])

def valid_distinct(g, pool, n):
    assert len(g.samples) == n
    assert len({normalize_text(t) for t in g.samples.texts}) == n
    assert set(g.samples.labels) <= set(pool.classes)
    assert g.samples.classes == pool.classes

def test_faults_30pct(pool, req):
    assert abs(sum(MIX.values()) - 0.30) < 1e-9
    with SimServer(Simulator(pool, seed=11), faults=MIX, seed=4, delay=2.0, retry_after=0.5) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=8, deadline=40, **FAST)
        t0 = time.time()
        g = t.generate(req, round=2)
        took = time.time() - t0
    valid_distinct(g, pool, 32)
    assert g.samples.rounds == [2]*32
    assert g.samples.requests == sorted(g.samples.requests)           # deterministic order: by request index
    assert sum(v for k,v in srv.faults_seen.items() if k != 'ok') >= 1  # faults really happened
    assert took < 30

def test_every_fault_kind(pool, req):
    "Each fault kind served at least once (scripted first, then 30% seeded rates): the round still returns 32 valid distinct samples."
    from pgkd.server import FAULTS
    with SimServer(Simulator(pool, seed=5), faults=MIX, script=list(FAULTS), seed=7, delay=1.5, retry_after=0.2) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=4, concurrency=8, deadline=40, **FAST)
        g = t.generate(req)
    valid_distinct(g, pool, 32)
    assert set(FAULTS) <= set(srv.faults_seen), srv.faults_seen
    assert g.rejected['unknown_label'] >= 1 and g.rejected['duplicate'] >= 1 and g.rejected['unparseable_answer'] >= 1

def test_always_failing_server_raises_clear_error(pool, req):
    for fault in ('500', '429', 'timeout'):
        with SimServer(Simulator(pool), faults={fault: 1.0}, delay=1.5, retry_after=0.3) as srv:
            t = OpenAITeacher('my-model', base_url=srv.url, api_key='x', deadline=2.0, **FAST)
            t0 = time.time()
            with pytest.raises(TeacherError) as e: t.generate(replace(req, n=8))
            assert time.time() - t0 < 3.5   # the deadline (2 s) cuts the client's retries wherever they are
        msg = str(e.value)
        assert "model 'my-model'" in msg and srv.url in msg and 'deadline' in msg and 'last error' in msg
        assert {'500': 'InternalServerError', '429': 'RateLimitError', 'timeout': 'APITimeoutError'}[fault] in msg
        n = int(re.search(r'no answer after (\d+) attempts? within the 2s deadline', msg)[1])
        assert srv.calls <= n <= srv.calls + 1 and n >= 2, (msg, srv.calls)   # every attempt counted, the one the deadline cut too

def test_max_retries_are_retries_after_the_first_attempt(pool, req):
    "`max_retries` keeps its meaning with the openai client's retries: 2 means 3 attempts, and the error says so."
    with SimServer(Simulator(pool), faults={'500': 1.0}) as srv:
        t = OpenAITeacher('m', base_url=srv.url, api_key='x', max_retries=2, deadline=30, **FAST)
        t0 = time.time()
        with pytest.raises(TeacherError, match='no answer after 3 attempts within the 30s deadline') as e: t.generate(replace(req, n=8))
        assert time.time() - t0 < 5   # the client's backoff: about 0.5 s, then 1 s
    assert srv.calls == 3 and 'InternalServerError' in str(e.value) and not e.value.fatal

def test_deadline_cuts_retries_of_a_server_that_is_down(req):
    "Nothing listens: the client retries the connection with backoff until the deadline cuts it; the error names the connection error."
    t = OpenAITeacher('m', base_url='http://127.0.0.1:9/v1', api_key='x', deadline=1.0, **FAST)
    t0 = time.time()
    with pytest.raises(TeacherError, match=r'no answer after \d+ attempts? within the 1s deadline; '
                                           r'last error: APIConnectionError: .*is the server running'):
        t.generate(replace(req, n=4))
    assert time.time() - t0 < 2.5

class _StatusServer:
    "Answers every chat completion with `status`, echoing the Authorization header in the error message (as a careless server might)."
    def __init__(self, status):
        import threading
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        me = self; self.calls = 0
        class H(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self):
                me.calls += 1
                self.rfile.read(int(self.headers['Content-Length']))
                raw = json.dumps({'error': {'message': f"refused: {self.headers.get('Authorization')}",
                                            'type': 'invalid_request_error'}}).encode()
                self.send_response(status); self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(raw))); self.end_headers(); self.wfile.write(raw)
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
    def close(self): self.httpd.shutdown(); self.httpd.server_close()

@pytest.mark.parametrize('status,hint', [(401, 'check the API key'), (403, 'lack access'), (400, 'see the message above')])
def test_statuses_the_client_does_not_retry_are_fatal_at_once(req, status, hint):
    "401, 403, a 400 not about the response format: one request, a fatal TeacherError with a hint, the key redacted."
    secret = 'sk-test-' + 'fatal-status-0123456789'
    srv = _StatusServer(status)
    try:
        t = OpenAITeacher('m', base_url=srv.url, api_key=secret, deadline=30, **FAST)
        with pytest.raises(TeacherError, match=f'HTTP {status}, not retried') as e: t.generate(replace(req, n=4))
    finally: srv.close()
    assert e.value.fatal and srv.calls == 1 and hint in str(e.value)
    assert secret not in str(e.value) and 'Bearer ***' in str(e.value)

def test_non_retryable_error_is_immediate(pool, req):
    with SimServer(Simulator(pool)) as srv:
        t = OpenAITeacher('m', base_url=srv.url.replace('/v1', '/nope'), api_key='x', deadline=30, **FAST)
        t0 = time.time()
        with pytest.raises(TeacherError, match='HTTP 404, not retried'): t.generate(replace(req, n=4))
        assert time.time() - t0 < 2

def test_cache_second_run_zero_calls(pool, req, tmp_path):
    runs, port = [], 0
    # a different simulator seed on the same endpoint (the URL is in the key): any answer not from the cache would differ
    for seed in (0, 1):
        with SimServer(Simulator(pool, seed=seed), faults=MIX, seed=seed, delay=1.5, retry_after=0.2, port=port) as srv:
            port = srv.port
            t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=8, cache_dir=tmp_path/'c', deadline=40, **FAST)
            gs = [t.generate(req, round=r) for r in (1, 2)]
        runs.append((srv.calls, gs, t.usage))
    (c1, g1, u1), (c2, g2, u2) = runs
    assert c1 >= 8 and c2 == 0
    for a,b in zip(g1, g2):
        assert (a.samples.texts, a.samples.labels, a.samples.requests) == (b.samples.texts, b.samples.labels, b.samples.requests)
        assert b.usage.calls == 0 and b.usage.cached == a.usage.calls and b.usage.cost == 0
    assert g1[0].samples.texts != g1[1].samples.texts
    files = list((tmp_path/'c').glob('*.json'))
    assert len(files) == u1.calls and not list((tmp_path/'c').glob('*.tmp'))
    rec = json.loads(files[0].read_text())
    assert {'key', 'base_url', 'answer', 'messages', 'usage', 'model'} <= set(rec) and rec['key'] == files[0].stem

def test_usage_totals(pool, req):
    with SimServer(Simulator(pool, seed=3), faults=MIX, seed=9, delay=1.5, retry_after=0.2) as srv:
        t = OpenAITeacher('gpt-4o-mini', base_url=srv.url, api_key='x', per_request=8, deadline=40, **FAST)
        gs = [t.generate(req, round=r) for r in range(2)]
    for g in gs:
        assert sum(g.calls, Usage()) == g.usage
        assert len(g.calls) == len(g.answers) == len(g.messages) == g.usage.calls
        assert g.usage.cost == pytest.approx((g.usage.prompt_tokens * 0.15 + g.usage.completion_tokens * 0.60) / 1e6)
    tot = gs[0].usage + gs[1].usage
    assert t.usage == tot
    assert srv.calls == tot.calls + tot.errors   # every HTTP request is either an answer or a counted failed attempt
    assert tot.prompt_tokens > 0 and tot.completion_tokens > 0

def test_concurrency_order_and_split(pool, req):
    r = replace(req, n=50)
    with SimServer(Simulator(pool, seed=0), faults={'timeout': 0.0}) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=10, concurrency=5, **FAST)
        t0 = time.time(); g = t.generate(r); took = time.time() - t0
    valid_distinct(g, pool, 50)
    assert srv.calls == 5 and sorted(set(g.samples.requests)) == [0, 1, 2, 3, 4]
    assert g.samples.requests == sorted(g.samples.requests)

def test_concurrency_runs_in_parallel(pool, req):
    "Four requests that each take 1 s finish in about 1 s with concurrency 4, not 4 s."
    with SimServer(Simulator(pool, seed=0), script=['timeout']*4, delay=1.0) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=8, concurrency=4, timeout=5)
        t0 = time.time(); g = t.generate(req); took = time.time() - t0
    assert len(g.samples) == 32 and srv.calls == 4
    assert took < 2.5, took

def test_concurrency_is_a_limit(pool, req):
    "With concurrency 2, four requests that each take 0.5 s need two turns: the limit holds for the HTTP requests the client sends."
    with SimServer(Simulator(pool, seed=0), script=['timeout']*4, delay=0.5) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=8, concurrency=2, timeout=5)
        t0 = time.time(); g = t.generate(req); took = time.time() - t0
    assert len(g.samples) == 32 and srv.calls == 4
    assert 0.95 < took < 3, took

def test_structured_fallback_remembered(pool, req):
    with SimServer(Simulator(pool, seed=0), json_schema=False) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=16, **FAST)
        t.generate(req); t.generate(replace(req, n=8))
    assert t.mode == 'json_object_schema'
    assert [x['response_format'] for x in srv.log] == ['json_object'] * 3
    with SimServer(Simulator(pool, seed=0), json_schema=False) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', structured='json_schema', **FAST)
        with pytest.raises(TeacherError, match='400'): t.generate(replace(req, n=4))
    with SimServer(Simulator(pool, seed=0)) as srv:   # no response_format: the chatty answer with a fence still parses
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', structured='none', **FAST)
        g = t.generate(replace(req, n=8))
    assert len(g.samples) == 8 and g.answers[0].startswith('Here are') and srv.log[0]['response_format'] == 'text'

def test_repair_request(pool, req):
    with SimServer(Simulator(pool, seed=0), script=['malformed', None]) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', **FAST)
        g = t.generate(replace(req, n=8))
    assert len(g.samples) == 8 and srv.calls == 2
    assert g.rejected['unparseable_answer'] == 1
    assert srv.log[1]['messages'][-2]['role'] == 'assistant' and 'could not be used' in srv.log[1]['messages'][-1]['content']

def test_api_key_never_written(pool, req, tmp_path, caplog):
    secret = 'sk-test-' + 'never-write-me-0123456789abcdef'
    caplog.set_level('DEBUG')
    with SimServer(Simulator(pool, seed=0), script=['429', '500', 'timeout'], delay=1.5, retry_after=0.1) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key=secret, cache_dir=tmp_path/'cache', **FAST)
        g = t.generate(replace(req, n=8))
    assert len(g.samples) == 8
    blobs = [repr(t), str(t), str(vars(t)), repr(g), json.dumps(g.messages), json.dumps(g.answers), caplog.text, repr(srv.log)]
    blobs += [p.read_text() for p in (tmp_path/'cache').rglob('*') if p.is_file()]
    for b in blobs: assert secret not in b
    assert secret.encode() not in pickle.dumps(t)
    out = subprocess.run(['grep', '-r', secret, str(tmp_path)], capture_output=True)
    assert out.returncode == 1   # grep found nothing

def test_key_from_environment(pool, req, monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', 'sk-env-key-for-test-000')
    t = OpenAITeacher('gpt-4o-mini')
    assert 'sk-env' not in repr(t)
    monkeypatch.delenv('OPENAI_API_KEY')
    with pytest.raises(TeacherError, match='set OPENAI_API_KEY'): t.generate(replace(req, n=4))

def test_simulated_teacher_no_http(pool, req):
    a, b = SimulatedTeacher(pool, seed=7, per_request=8), SimulatedTeacher(pool, seed=7, per_request=8)
    ga, gb = a.generate(req, round=1), b.generate(req, round=1)
    valid_distinct(ga, pool, 32)
    assert ga.samples.texts == gb.samples.texts
    assert ga.usage.calls == 4 and ga.usage.cost == 0 and 'simulator' in repr(a)
    st = a.state_dict()
    c = SimulatedTeacher(pool, seed=7, per_request=8); c.load_state_dict(json.loads(json.dumps(st)))
    assert c.generate(req, round=2).samples.texts == a.generate(req, round=2).samples.texts
    assert c.usage.calls == a.usage.calls

def test_estimate_cost(pool, req):
    e = OpenAITeacher('gpt-4o', per_request=16).estimate_cost(req, rounds=10)
    assert e['requests_per_round'] == 2 and e['prompt_tokens'] > 0
    assert e['dollars'] == pytest.approx((e['prompt_tokens'] * 2.5 + e['completion_tokens'] * 10) / 1e6, rel=1e-3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert OpenAITeacher('some-unknown-model-xyz').estimate_cost(req)['dollars'] == 0
    assert any('no price' in str(x.message) for x in w)

def test_server_loopback_only_and_models(pool):
    with pytest.raises(ValueError, match='loopback only'): SimServer(Simulator(pool), host='0.0.0.0')
    with SimServer(Simulator(pool)) as srv:
        c = openai.OpenAI(base_url=srv.url, api_key='x', max_retries=0)
        assert [m.id for m in c.models.list()] == ['pgkd-simulator']
        assert srv.httpd.server_address[0] == '127.0.0.1'
    assert srv.calls == 0

def test_serve_sim_cli_sigterm_and_sigint(pool, tmp_path):
    p = pool.sample(per_class=5, seed=0)
    p.to_df()[['text', 'label']].to_csv(tmp_path/'pool.csv', index=False)
    for sig in (signal.SIGTERM, signal.SIGINT):
        code = ("from pgkd.cli import run_command; import sys; "
                f"sys.exit(run_command(['serve-sim', '--pool', {str(tmp_path/'pool.csv')!r}, "
                "'--port', '0', '--fault-429', '0.5', '--seed', '1']))")
        proc = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        try:
            line = proc.stdout.readline()
            assert 'serving' in line and 'not an LLM' in line, (line, proc.stderr.read() if proc.poll() is not None else '')
            url = line.split()[-1]
            c = openai.OpenAI(base_url=url, api_key='x', max_retries=0)
            assert [m.id for m in c.models.list()] == ['pgkd-simulator']
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None: proc.kill()
        assert proc.returncode == 0, err
        assert 'stopped after 0 calls' in out

def test_serve_sim_cli_help_and_errors(tmp_path):
    r = subprocess.run([sys.executable, '-c', "from pgkd.cli import run_command; run_command(['serve-sim', '--help'])"],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 0 and '--fault-truncated' in r.stdout and '--delay' in r.stdout
    with pytest.raises(SystemExit): run_command(['serve-sim', '--pool', 'x.csv', '--fault-500', '1.5'])

def test_partial_round_warns(pool, req):
    "The first answer loses a third of its items to bad labels, then the server only fails: the round returns what it has, with a warning."
    with SimServer(Simulator(pool, seed=0), faults={'500': 1.0}, script=['bad_label']) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', deadline=1.5, **FAST)
        with pytest.warns(UserWarning, match=r'got \d+ of 8 valid samples'): g = t.generate(replace(req, n=8))
    assert 0 < len(g.samples) < 8 and g.rejected['unknown_label'] >= 1
    assert g.errors and 'InternalServerError' in g.errors[0]

def test_generate_inside_running_loop(pool, req):
    "generate works where an event loop is already running (Jupyter); agenerate is the coroutine."
    import asyncio
    t = SimulatedTeacher(pool, seed=0, per_request=16)
    async def main(): return t.generate(replace(req, n=8)), await t.agenerate(replace(req, n=8), round=1)
    a, b = asyncio.run(main())
    assert len(a.samples) == len(b.samples) == 8 and b.samples.rounds == [1]*8
    assert not set(a.samples.texts) & set(b.samples.texts)


class _RefusingProxy:
    "Forwards chat completions to a SimServer, but answers a `json_schema` response_format like an older server: `status` with `message`."
    def __init__(self, target, status, message):
        import threading
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        import urllib.request, urllib.error
        proxy = self
        self.formats = []
        class H(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def _send(self, code, raw):
                self.send_response(code); self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(raw))); self.end_headers(); self.wfile.write(raw)
            def do_POST(self):
                raw = self.rfile.read(int(self.headers['Content-Length']))
                rf = json.loads(raw).get('response_format') or {}
                proxy.formats.append(rf.get('type', 'text') + ('+schema' if 'schema' in rf else ''))
                if rf.get('type') == 'json_schema':
                    return self._send(status, json.dumps({'error': {'message': message, 'type': 'server_error'}}).encode())
                req = urllib.request.Request(target + self.path[len('/v1'):], data=raw, headers={'Content-Type': 'application/json'})
                try:
                    with urllib.request.urlopen(req) as r: self._send(r.status, r.read())
                except urllib.error.HTTPError as e: self._send(e.code, e.read())
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
    def close(self): self.httpd.shutdown(); self.httpd.server_close()

@pytest.mark.parametrize('status,message', [
    # llama-cpp-python 0.3
    (500, "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}]"),
    (422, "response_format: json_schema is not supported"),
    (400, "Unsupported parameter: 'response_format.json_schema'")])
def test_unsupported_response_format_downgrades_not_retries(pool, req, status, message):
    """A server that refuses json_schema (500 with a validation body, 422 or 400) costs one refused request,
    then json_object with the schema: no retries, no error."""
    with SimServer(Simulator(pool, seed=0)) as srv:
        p = _RefusingProxy(srv.url, status, message)
        try:
            t = OpenAITeacher('pgkd-simulator', base_url=p.url, api_key='x', per_request=16, **FAST)
            t0 = time.time(); g = t.generate(replace(req, n=16))
        finally: p.close()
    assert len(g.samples) == 16 and time.time() - t0 < 10
    assert t.mode == 'json_object_schema' and p.formats == ['json_schema', 'json_object+schema'] and g.usage.errors == 0

def test_plain_500_is_still_retried(pool, req):
    "A 500 that says nothing about the response format is a server error: retried, the mode unchanged."
    with SimServer(Simulator(pool, seed=0), script=['500']) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='x', per_request=16, **FAST)
        g = t.generate(replace(req, n=8))
    assert len(g.samples) == 8 and t.mode == 'json_schema' and g.usage.errors == 1

def test_the_answer_format_travels_with_each_request_not_on_the_teacher():
    "Classifying and generating on one teacher at once: each request carries its own schema; the teacher instance is never patched."
    from pgkd.cascade import classify_schema
    t = OpenAITeacher(model='m', base_url='http://127.0.0.1:9/v1', structured='json_schema')
    classes = ['a', 'b']
    gen, lab = t._response_format(classes), t._response_format(classes, classify_schema(classes), 'pgkd_labels')
    assert gen['json_schema']['name'] == 'pgkd_samples' and lab['json_schema']['name'] == 'pgkd_labels'
    assert lab['json_schema']['schema'] == classify_schema(classes) != gen['json_schema']['schema']
    assert '_response_format' not in vars(t)
    t.mode = 'none'
    assert t._response_format(classes, classify_schema(classes)) is None

def test_cache_keys_never_change(tmp_path):
    "Each site's cache key, pinned: a change of keying would stop every cached answer (users', benchmarks') from replaying."
    from pgkd.local import LocalTeacher
    msgs = [{'role': 'user', 'content': 'hi é'}]
    o = OpenAITeacher('gpt-4o-mini', temperature=0.0, seed=1)
    assert (o._answer_key(msgs, dict(round=0, request=1, kind='answer'))
            == '54333dff90869345bf6725575a1dae348c55c9de8c8bd26823502fbdee453807')
    g = tmp_path/'m.gguf'; g.write_bytes(b'GGUF')
    t = LocalTeacher(g); t.path = 'm.gguf'   # the path is part of the key
    # lines
    assert t._key(msgs, '- ', 64, 0, 1, 3) == 'e26f71c1cfc5afb12fa5ffbc37a79d8e6471c0bcc63ccf5be479682e4ee23a78'
    # json
    assert t._key(msgs, '', 512, 0, 1, None, {'type': 'object'}) == '81ad9f6924291e142cb90fe49c15f96276ff620cd5f0050b714079e1fcc8e402'
    assert t._classify_key('Stocks fell é', ['Business', 'Sci/Tech']) == '51b7d516f18fc3dc7ae9f52920c5baaabd8f5f32aec396dd2b52872dd141ac66'

def test_status_errors_are_the_openai_packages_public_classes():
    "The last failed attempt becomes the exception the openai client would raise for it, built from the package's public classes."
    import importlib
    from pgkd.teachers import _status_error
    hx = next(importlib.import_module(c.__module__.split('.')[0]) for c in openai.DefaultAsyncHttpxClient.__mro__
              if not c.__module__.startswith('openai'))
    req = hx.Request('POST', 'http://127.0.0.1:9/v1/chat/completions')
    client = openai.AsyncOpenAI(api_key='x', base_url='http://127.0.0.1:9/v1')
    for code, cls in ((400, openai.BadRequestError), (401, openai.AuthenticationError), (403, openai.PermissionDeniedError),
                      (404, openai.NotFoundError), (409, openai.ConflictError), (422, openai.UnprocessableEntityError),
                      (429, openai.RateLimitError), (500, openai.InternalServerError), (503, openai.InternalServerError),
                      (418, openai.APIStatusError)):
        for kw in (dict(json={'error': {'message': 'no', 'type': 'x'}}), dict(text='plain text'), dict(json=[1, 2])):
            r = hx.Response(code, request=req, **kw)
            e = _status_error(r)
            assert type(e) is cls and e.status_code == code and e.response is r
            ref = getattr(client, '_make_status_error_from_response', None)   # the client's own (private) mapping, where it still has one
            if ref is not None:
                want = ref(r)
                assert (type(e), str(e), e.body) == (type(want), str(want), want.body)
