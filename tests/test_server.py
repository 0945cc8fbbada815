"The simulator server survives malformed requests: a JSON error in OpenAI's shape for each, and it still answers afterwards."
import os, sys, json, time, socket, signal, logging, subprocess, http.client
from pathlib import Path
import pytest
import openai
import pgkd
from pgkd.data import load_demo, load_benchmark
from pgkd.prompts import PGKDRequest, build_messages
from pgkd.simulator import Simulator
from pgkd.server import SimServer
from pgkd.cli import command_parser

ENV = dict(os.environ, PYTHONPATH=str(Path(pgkd.__file__).parents[1]))

@pytest.fixture(scope='module')
def pool():
    try: return load_demo()
    except Exception: return load_benchmark('banking77')

@pytest.fixture(scope='module')
def msgs(pool): return build_messages(PGKDRequest(pool.classes, n=8, descriptions=pool.descriptions))

@pytest.fixture
def srv(pool):
    with SimServer(Simulator(pool, seed=0)) as s: yield s

def post(srv, body=None, raw=None, headers=None):
    "POST to the chat endpoint on a fresh connection: `(status, JSON reply, response headers)`."
    c = http.client.HTTPConnection(srv.host, srv.port, timeout=20)
    try:
        c.request('POST', '/v1/chat/completions', raw if raw is not None else json.dumps(body), headers or {})
        r = c.getresponse()
        return r.status, json.loads(r.read()), r.headers
    finally: c.close()

def send_raw(srv, data:bytes):
    "Send `data` as is on a fresh socket and parse the reply with the standard library: `(status, JSON reply, headers)`."
    with socket.create_connection((srv.host, srv.port), timeout=20) as s:
        s.sendall(data)
        r = http.client.HTTPResponse(s); r.begin()
        return r.status, json.loads(r.read()), r.headers

def chat_raw(headers:str, body=b'{}') -> bytes:
    return f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode() + body

def check(reply, status, param=None, code=None, says=None):
    "`reply` is an OpenAI-shaped JSON error with this status, `param`, `code`, and a one-line message holding `says`."
    st, obj, _ = reply
    assert st == status, obj
    assert set(obj) == {'error'} and set(obj['error']) == {'message', 'type', 'param', 'code'}, obj
    e = obj['error']
    assert isinstance(e['message'], str) and e['message'] and '\n' not in e['message']
    assert e['type'] == ('invalid_request_error' if status < 500 else 'server_error')
    if param is not None: assert e['param'] == param, e
    if code is not None: assert e['code'] == code, e
    if says is not None: assert says in e['message'], e

def alive(srv, msgs):
    "The server still answers a valid request with samples."
    st, obj, _ = post(srv, dict(model='m', messages=msgs, response_format={'type': 'json_object'}))
    assert st == 200, obj
    assert len(json.loads(obj['choices'][0]['message']['content'])['samples']) == 8

def test_body_not_json(srv, msgs):
    check(post(srv, raw=b'{"model": '), 400, code='invalid_json', says='not valid JSON')
    check(post(srv, raw=b'[' * 100_000), 400, code='invalid_json')        # nested too deep for the parser
    alive(srv, msgs)

def test_body_not_object(srv, msgs):
    check(post(srv, [1, 2]), 400, code='invalid_body', says='JSON object')
    alive(srv, msgs)

def test_message_without_content(srv, msgs):
    check(post(srv, dict(model='m', messages=[{'role': 'user'}])), 400, 'messages[0].content', 'invalid_type', "'messages[0].content'")
    alive(srv, msgs)

def test_message_content_not_string(srv, msgs):
    bad = msgs[:1] + [{'role': 'user', 'content': 123}]
    check(post(srv, dict(model='m', messages=bad)), 400, 'messages[1].content', 'invalid_type', 'got 123')
    check(post(srv, dict(model='m', messages=[{'role': 'user', 'content': [{'type': 'text', 'text': 5}]}])), 400, 'messages[0].content')
    check(post(srv, dict(model='m', messages=[{'content': 'hi'}])), 400, 'messages[0].role')
    alive(srv, msgs)

def test_max_tokens_not_integer(srv, msgs):
    check(post(srv, dict(model='m', messages=msgs, max_tokens='abc')), 400, 'max_tokens', 'invalid_type', "'max_tokens' must be an integer")
    alive(srv, msgs)

@pytest.mark.parametrize('field,value,code', [('model', 5, 'invalid_type'), ('temperature', 'hot', 'invalid_type'),
                                               ('stream', 'yes', 'invalid_type'), ('max_completion_tokens', True, 'invalid_type'),
                                               ('max_tokens', 0, 'invalid_value'), ('n', 1.5, 'invalid_type')])
def test_field_types(srv, msgs, field, value, code):
    check(post(srv, {'model': 'm', 'messages': msgs, field: value}), 400, field, code, f"'{field}'")
    alive(srv, msgs)

@pytest.mark.parametrize('length', ['abc', '-5', '1_0', '7, 9'])
def test_bad_content_length(srv, msgs, length):
    st, obj, h = reply = send_raw(srv, chat_raw(f"Content-Length: {length}\r\n"))
    check(reply, 400, 'Content-Length', 'invalid_content_length', 'Content-Length')
    assert h['Connection'] == 'close'                  # the server cannot tell where the body ends: it hangs up
    alive(srv, msgs)

def test_conflicting_content_lengths(srv, msgs):
    check(send_raw(srv, chat_raw("Content-Length: 2\r\nContent-Length: 3\r\n")), 400, 'Content-Length', 'invalid_content_length')
    alive(srv, msgs)

def test_missing_content_length(srv, msgs):
    check(send_raw(srv, chat_raw("")), 411, 'Content-Length', 'length_required')
    check(post(srv, raw=iter([b'{"model": "m"}'])), 411, 'Content-Length', 'length_required')   # http.client sends it chunked
    alive(srv, msgs)

def test_body_60mb_refused_unread(srv, msgs):
    "A 60 MB body gets a 413 from its Content-Length alone: the server answers before the client has sent any of it."
    t0 = time.monotonic()
    check(send_raw(srv, chat_raw(f"Content-Length: {60_000_000}\r\n", b'')), 413, 'Content-Length', 'body_too_large', '60,000,000 bytes')
    assert time.monotonic() - t0 < 4                  # it did not wait for (or try to read) the body first
    check(post(srv, raw=b' ' * 60_000_000), 413, 'Content-Length', 'body_too_large')   # a client that sends it all still reads the 413
    alive(srv, msgs)

def test_max_body_option(pool, msgs):
    with SimServer(Simulator(pool, seed=0), max_body=1000) as srv:
        check(post(srv, dict(model='m', messages=msgs)), 413, code='body_too_large', says='at most 1,000')
        check(post(srv, raw=b' ' * 1000), 400, code='invalid_json')                       # at the limit: read, then parsed
        assert srv.calls == 0
    assert '--max-body' in command_parser('serve-sim').format_help()
    with pytest.raises(ValueError, match='max_body'): SimServer(None, max_body=0)

def test_not_a_pgkd_prompt(srv, msgs):
    check(post(srv, dict(model='m', messages=[{'role': 'user', 'content': 'hi, write me a poem'}])), 422, 'messages', 'unreadable_prompt',
          'PGKD prompt')
    assert srv.calls == 0 and not srv.log             # refused before it counts as a call or draws a fault
    alive(srv, msgs)

def greedy(msgs, n=99_999_999):
    return msgs[:-1] + [dict(msgs[-1], content=msgs[-1]['content'].replace('Write exactly 8 new', f'Write exactly {n} new'))]

def test_samples_capped_at_max_n(srv, pool, msgs):
    "A prompt asking for 99,999,999 samples gets max_n of them (default 64), and the pool is not drained."
    st, obj, _ = post(srv, dict(model='m', messages=greedy(msgs), response_format={'type': 'json_object'}))
    assert st == 200, obj
    assert len(json.loads(obj['choices'][0]['message']['content'])['samples']) == srv.max_n == 64
    assert srv.simulator.n_used == 64 and srv.simulator.remaining > 0
    assert (srv.log[-1]['asked'], srv.log[-1]['n']) == (99_999_999, 64)
    alive(srv, msgs)

def test_max_n_option(pool, msgs):
    with SimServer(Simulator(pool, seed=0), max_n=5) as srv:
        st, obj, _ = post(srv, dict(model='m', messages=greedy(msgs, 500), response_format={'type': 'json_object'}))
        assert st == 200 and len(json.loads(obj['choices'][0]['message']['content'])['samples']) == 5
        st, obj, _ = post(srv, dict(model='m', messages=greedy(msgs, 3), response_format={'type': 'json_object'}))
        assert len(json.loads(obj['choices'][0]['message']['content'])['samples']) == 3   # under the cap: as asked
    assert '--max-n' in command_parser('serve-sim').format_help()

def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s: s.bind(('::1', 0)); return True
    except OSError: return False

needs_ipv6 = pytest.mark.skipif(not ipv6_loopback(), reason="this machine cannot bind the IPv6 loopback ::1")

@needs_ipv6
def test_ipv6_loopback(pool, msgs):
    with SimServer(Simulator(pool, seed=0), host='::1') as srv:
        assert srv.url.startswith('http://[::1]:') and srv.httpd.server_address[0] == '::1'
        check(post(srv, dict(model='m', messages=[{'role': 'user'}])), 400, 'messages[0].content')
        c = openai.OpenAI(base_url=srv.url, api_key='x', max_retries=0)
        assert [m.id for m in c.models.list()] == ['pgkd-simulator']
        alive(srv, msgs)
    for host in ('0.0.0.0', '::'):
        with pytest.raises(ValueError, match='loopback only'): SimServer(None, host=host)

@needs_ipv6
def test_serve_sim_cli_ipv6(pool, tmp_path):
    pool.sample(per_class=5, seed=0).to_df()[['text', 'label']].to_csv(tmp_path/'pool.csv', index=False)
    code = ("from pgkd.cli import run_command; import sys; "
            f"sys.exit(run_command(['serve-sim', '--pool', {str(tmp_path/'pool.csv')!r}, '--port', '0', '--host', '::1']))")
    proc = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        line = proc.stdout.readline()
        assert 'serving at http://[::1]:' in line, (line, proc.stderr.read() if proc.poll() is not None else '')
        assert [m.id for m in openai.OpenAI(base_url=line.split()[-1], api_key='x', max_retries=0).models.list()] == ['pgkd-simulator']
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None: proc.kill()
    assert proc.returncode == 0, err

class Flaky(Simulator):
    "Fails its first answer with an error the server does not expect."
    def answer(self, *args, **kw):
        if self.calls == 0: self.calls += 1; raise KeyError('broken\nsimulator')
        return super().answer(*args, **kw)

@pytest.mark.parametrize('debug', [False, True])
def test_internal_error_is_json_500(pool, msgs, caplog, debug):
    caplog.set_level(logging.ERROR, logger='pgkd.server')
    with SimServer(Flaky(pool, seed=0), debug=debug) as srv:
        st, obj, h = reply = post(srv, dict(model='m', messages=msgs))
        check(reply, 500, code='internal_error', says='KeyError')
        assert h['Connection'] == 'close'
        alive(srv, msgs)
    recs = [r for r in caplog.records if r.name == 'pgkd.server']
    assert len(recs) == 1 and '\n' not in recs[0].getMessage() and 'KeyError' in recs[0].getMessage()
    assert bool(recs[0].exc_info) == debug            # the traceback only with debug

def test_stdlib_refusals_are_json(srv, msgs):
    check(send_raw(srv, b"GARBAGE\r\n\r\n"), 400, says='GARBAGE')                        # not a request line
    check(send_raw(srv, b"POST /v1/chat/completions HTTP/x.y\r\n\r\n"), 400, says='version')   # a garbled request line
    check(send_raw(srv, chat_raw(f"X-Long: {'a' * 70_000}\r\nContent-Length: 2\r\n")), 431)             # a header too long
    check(send_raw(srv, b"PUT /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"), 501, says='PUT')
    alive(srv, msgs)
