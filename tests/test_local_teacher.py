"""The local in-process teacher (`pgkd.local`) on the real SmolLM2-135M-Instruct GGUF (a checksummed test asset, see
tests/assets.py), on both backends (llama.cpp, the default for a .gguf file, and transformers): one request, PGKD rounds through the
CLI, constrained JSON, bad model files, and the line filter. A few minutes on 2 cores."""
import contextlib, io, json, os, re, sys
from pathlib import Path
import pytest
from conftest import asset
from pgkd.data import load_demo
from pgkd.prompts import PGKDRequest, Example
from pgkd.local import LocalTeacher, clean_lines, class_asks, lines_messages, answer_schema_for, pick_backend
from pgkd.prompts import parse_answer
from pgkd.cli import main

os.environ.setdefault('OMP_NUM_THREADS', '1')

@pytest.fixture(scope='module')
def gguf(): return asset('smollm2')

@pytest.fixture(scope='module')
def demo(): return load_demo()

def test_clean_lines():
    ans = ("- Here are 4 new texts about lost cards:\n- 1. I lost my card somewhere in town yesterday\n"
           "- 2) I lost my card somewhere in town yesterday!\n- thanks a lot\n- my card was stolen from my bag\n"
           "2. Where can I block my card, I left it on the bus\n- Your answer must contain at least 4 sentences\n- I cannot find my ca")
    texts, rej = clean_lines(ans, shown=['My card was stolen from my bag'], truncated=True)
    assert texts == ['I lost my card somewhere in town yesterday', 'Where can I block my card, I left it on the bus'], texts
    assert dict(rej) == {'truncated': 1, 'preamble': 2, 'near_duplicate': 1, 'too_short': 1, 'copied_from_prompt': 1}, rej

def test_clean_lines_salvages_dated_lines():
    "SmolLM2 often starts a line with a date: the text after it is kept; a bare number is still too short."
    texts, rej = clean_lines("- 2014-04-18: A new smartphone with built-in gaming goes on sale\n"
                             "- 22 April 2014: The Rangers beat the Giants 3-1\n"
                             "- 2023: Apple unveils a cheaper laptop for students\n- 1989\n- 3.5 million people lost power in the storm\n"
                             '- "- 32 percent of the season was spent on ads"')
    assert texts == ['A new smartphone with built-in gaming goes on sale', 'The Rangers beat the Giants 3-1',
                     'Apple unveils a cheaper laptop for students', '3.5 million people lost power in the storm',
                     '32 percent of the season was spent on ads'], texts
    assert dict(rej) == {'too_short': 1}, rej

def test_class_asks_follow_the_request(demo):
    "The per-class asks are the request's quotas; each carries that class's misclassified texts and the class it is confused with."
    mis = [Example('someone took my wallet with the card', 'card_stolen', 'card_lost', 0.9)]
    req = PGKDRequest(demo.classes, n=11, quotas={'card_stolen': 9, 'app_crash': 2}, confusions={'card_stolen': 'card_lost'},
                      misclassified=mis, descriptions=demo.descriptions)
    asks = class_asks(req, max_per_ask=8, pool=demo)
    assert [(a.label, a.n) for a in asks] == [('card_stolen', 8), ('card_stolen', 1), ('app_crash', 2)]
    assert asks[0].confused_with == 'card_lost' and asks[0].mistaken == [(mis[0].text, 'card_lost')] and not asks[2].mistaken
    assert all(len(a.examples) == 5 and all(demo.labels[demo.texts.index(t)] == a.label for t in a.examples) for a in asks)
    user = lines_messages(asks[0])[1]['content']
    assert '"card stolen"' in user and 'mistook' in user and '"card lost"' in user and mis[0].text in user
    vanilla = class_asks(PGKDRequest(demo.classes, n=20), pool=demo)   # no guidance: spread evenly, 20 over 14 classes
    assert sorted(a.n for a in vanilla) == [1]*8 + [2]*6 and not any(a.mistaken for a in vanilla)

@pytest.mark.parametrize('backend', ['llama-cpp', 'transformers'])
def test_missing_and_corrupt_model_files(tmp_path, demo, backend):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path/'nope.gguf'))): LocalTeacher(tmp_path/'nope.gguf', backend=backend)
    bad = tmp_path/'not_a_model.gguf'; bad.write_bytes(b'<html>404 Not Found</html>')
    with pytest.raises(ValueError, match=re.escape(f"{bad} is not a GGUF file")): LocalTeacher(bad, backend=backend).load()
    cut = tmp_path/'truncated.gguf'; cut.write_bytes(Path(asset('smollm2')).read_bytes()[:200_000])   # a download cut short
    with pytest.raises(ValueError, match=re.escape(f"could not load a chat model from {cut}")): LocalTeacher(cut, backend=backend).load()
    csv = tmp_path/'demo.csv'; demo.to_df()[['text', 'label']].to_csv(csv, index=False)
    for model in (bad, cut):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(['run', '--train', str(csv), '--n-labelled', '140', '--n-valid', '28', '--teacher', 'local', '--model', str(model),
                         '--backend', backend])
        assert code == 1 and str(model) in err.getvalue() and err.getvalue().count('\n') == 1, err.getvalue()

def test_backend_choice(tmp_path, monkeypatch):
    "auto: llama.cpp for a .gguf file, else transformers; llama.cpp refuses a folder; a missing llama-cpp-python says how to install it."
    assert pick_backend('m.gguf') == 'llama-cpp' and pick_backend('HuggingFaceTB/SmolLM2-135M-Instruct') == 'transformers'
    with pytest.raises(ValueError, match='choose one of'): pick_backend('m.gguf', 'vllm')
    g = tmp_path/'m.gguf'; g.write_bytes(b'GGUF')
    t, h = LocalTeacher(g), LocalTeacher(g, backend='transformers')
    assert (t.backend, h.backend) == ('llama-cpp', 'transformers') and "backend='llama-cpp'" in repr(t)
    k = lambda x: x._key([{'role': 'user', 'content': 'hi'}], '- ', 64, 0, 0, 3)
    assert k(t) != k(h)   # different backends write different texts: never replayed for each other
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path} is not one")): LocalTeacher(tmp_path, backend='llama-cpp')
    monkeypatch.setitem(sys.modules, 'llama_cpp', None)   # as if llama-cpp-python were not installed
    with pytest.raises(ImportError, match=re.escape(f"running {g} with llama.cpp needs llama-cpp-python")) as e: t.load()
    assert 'GGML_NATIVE=OFF' in str(e.value) and "pgkd[local]" in str(e.value)

def test_one_request(gguf, demo, tmp_path):
    "One PGKD request on the real model: samples of the asked classes only, real token counts at $0, a cache that replays it."
    mis = [Example('someone took my wallet with the card inside', 'card_stolen', 'card_lost', 0.8)]
    req = PGKDRequest(demo.classes, n=6, quotas={'card_stolen': 3, 'password_reset': 3}, confusions={'card_stolen': 'card_lost'},
                      misclassified=mis, descriptions=demo.descriptions)
    t = LocalTeacher(gguf, pool=demo, seed=0, cache_dir=tmp_path/'cache', max_new_tokens=160, device='cpu', backend='transformers')
    g = t.generate(req, round=1)
    assert g.stats['requests'] >= 2 and g.stats['parse_rate'] > 0 and g.stats['texts_per_minute'] > 0, g.stats
    assert 1 <= len(g.samples) <= 6 and set(g.samples.labels) <= {'card_stolen', 'password_reset'}, g.samples.to_df()
    assert g.usage.prompt_tokens > 100 and g.usage.completion_tokens > 10 and g.usage.cost == 0 and g.usage.calls == g.stats['requests']
    assert any(mis[0].text in m[1]['content'] and 'card lost' in m[1]['content'] for m in g.messages)
    assert all(len(s.split()) >= 4 and not s.startswith(('-', '1.')) for s in g.samples.texts)
    again = LocalTeacher(gguf, pool=demo, seed=0, cache_dir=tmp_path/'cache', max_new_tokens=160, device='cpu', backend='transformers')
    g2 = again.generate(req, round=1)   # all from the cache: the model is never loaded
    assert g2.samples.texts == g.samples.texts and g2.usage.calls == 0 and g2.usage.cached == g.usage.calls and not again._be.loaded
    st = t.state_dict(); t2 = LocalTeacher(gguf); t2.load_state_dict(json.loads(json.dumps(st)))
    assert t2.usage == t.usage

def test_pgkd_rounds_through_the_cli(gguf, demo, tmp_path):
    "Two PGKD rounds with SmolLM2 as the teacher: the round log shows the parse rate and rejections; generated texts carry taxonomy labels."
    csv = tmp_path/'demo.csv'; demo.to_df()[['text', 'label']].to_csv(csv, index=False)
    out, buf = tmp_path/'run', io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(['run', '--train', str(csv), '--n-labelled', '140', '--n-valid', '28', '--teacher', 'local', '--model', gguf,
                     '--device', 'cpu', '--backend', 'transformers', '--student', 'tfidf', '--method', 'pgkd', '--steps', '2', '--n', '6',
                     '--seed', '0', '--out', str(out)])
    log = buf.getvalue()
    assert code == 0, log
    assert log.count('parse rate') == 2 and 'rejected:' in log, log
    hist = [json.loads(l) for l in (out/'history.jsonl').read_text().splitlines()]
    assert [h['round'] for h in hist] == [0, 1, 2] and all(0 < h['teacher_parse_rate'] <= 1 for h in hist[1:]), hist
    gen = [json.loads(l) for l in (out/'generated.jsonl').read_text().splitlines()]
    assert len(gen) >= 4 and {g['label'] for g in gen} <= set(demo.classes) and {g['round'] for g in gen} <= {1, 2}
    rep = json.loads((out/'report.json').read_text())
    assert rep['generated'] == len(gen) and rep['cost'] == 0 and rep['completion_tokens'] > 0
    assert len((out/'teacher.jsonl').read_text().splitlines()) == 2

def test_constrained_json_request(gguf, demo):
    "strategy='json' with constrained decoding (lm-format-enforcer): every answer is valid JSON under the schema, labels from the taxonomy."
    import lmformatenforcer  # pgkd[local] brings it: a missing one fails, it never skips
    t = LocalTeacher(gguf, strategy='json', seed=0, device='cpu', max_new_tokens=120, max_item_chars=80, per_request=2,
                     backend='transformers')
    req = PGKDRequest(demo.classes, n=2, quotas={'card_stolen': 1, 'app_crash': 1}, descriptions=demo.descriptions)
    g = t.generate(req, round=1)
    assert g.stats['strategy'] == 'json' and g.answers and g.stats['parse_rate'] > 0, (g.stats, g.answers)
    for a in g.answers:
        obj = json.loads(a)   # a truncated answer would fail here: the schema caps items and text length to fit the token budget
        assert set(obj) == {'samples'} and 1 <= len(obj['samples']) <= 2, a
        assert all(set(x) == {'text', 'label'} and x['label'] in demo.classes and 20 <= len(x['text']) <= 80 for x in obj['samples']), a
    assert set(g.samples.labels) <= set(demo.classes) and len(g.samples) >= 1
    assert answer_schema_for(demo.classes, 2)['properties']['samples']['maxItems'] == 2

# ---------------------------------------------------------------------------------------------- llama.cpp (llama-cpp-python)
def test_one_request_llama_cpp(gguf, demo, tmp_path):
    "The llama.cpp backend (auto for a .gguf file): samples of the asked classes, real token counts, a cache that replays without loading."
    mis = [Example('someone took my wallet with the card inside', 'card_stolen', 'card_lost', 0.8)]
    req = PGKDRequest(demo.classes, n=6, quotas={'card_stolen': 3, 'password_reset': 3}, confusions={'card_stolen': 'card_lost'},
                      misclassified=mis, descriptions=demo.descriptions)
    kw = dict(pool=demo, seed=0, cache_dir=tmp_path/'cache', max_new_tokens=160, threads=1)
    t = LocalTeacher(gguf, **kw)
    assert t.backend == 'llama-cpp'
    g = t.generate(req, round=1)
    assert g.stats['requests'] >= 2 and g.stats['parse_rate'] > 0 and g.stats['texts_per_minute'] > 0, g.stats
    assert 1 <= len(g.samples) <= 6 and set(g.samples.labels) <= {'card_stolen', 'password_reset'}, g.samples.to_df()
    assert g.usage.prompt_tokens > 100 and g.usage.completion_tokens > 10 and g.usage.cost == 0 and g.usage.calls == g.stats['requests']
    assert all(len(s.split()) >= 4 and not s.startswith(('-', '1.')) for s in g.samples.texts)
    assert all(0 < u.completion_tokens <= 160 and u.prompt_tokens > 50 for u in g.calls), g.calls
    again = LocalTeacher(gguf, **kw)
    g2 = again.generate(req, round=1)   # all from the cache: the model is never loaded
    assert g2.samples.texts == g.samples.texts and g2.usage.calls == 0 and g2.usage.cached == g.usage.calls and not again._be.loaded
    fresh = LocalTeacher(gguf, **{**kw, 'cache_dir': tmp_path/'other'}).generate(req, round=1)   # seeded: the same texts again
    assert fresh.samples.texts == g.samples.texts and fresh.usage == g.usage

def test_pgkd_round_through_the_cli_llama_cpp(gguf, demo, tmp_path):
    "One PGKD round with SmolLM2 on llama.cpp as the teacher, through `pgkd run --backend llama-cpp`."
    csv = tmp_path/'demo.csv'; demo.to_df()[['text', 'label']].to_csv(csv, index=False)
    out, buf = tmp_path/'run', io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(['run', '--train', str(csv), '--n-labelled', '140', '--n-valid', '28', '--teacher', 'local', '--model', gguf,
                     '--backend', 'llama-cpp', '--student', 'tfidf', '--method', 'pgkd', '--steps', '1', '--n', '6', '--seed', '0',
                     '--cache-dir', str(tmp_path/'cache'), '--out', str(out)])
    log = buf.getvalue()
    assert code == 0, log
    assert log.count('parse rate') == 1, log
    hist = [json.loads(l) for l in (out/'history.jsonl').read_text().splitlines()]
    assert [h['round'] for h in hist] == [0, 1] and 0 < hist[1]['teacher_parse_rate'] <= 1, hist
    gen = [json.loads(l) for l in (out/'generated.jsonl').read_text().splitlines()]
    assert len(gen) >= 2 and {g['label'] for g in gen} <= set(demo.classes) and {g['round'] for g in gen} == {1}
    rep = json.loads((out/'report.json').read_text())
    assert rep['generated'] == len(gen) and rep['cost'] == 0 and rep['completion_tokens'] > 0

def test_constrained_json_request_llama_cpp(gguf, demo):
    "strategy='json' on llama.cpp: its own grammar (from the answer schema) makes every answer valid JSON with taxonomy labels."
    t = LocalTeacher(gguf, strategy='json', seed=0, max_new_tokens=120, max_item_chars=80, per_request=2, threads=1)
    req = PGKDRequest(demo.classes, n=2, quotas={'card_stolen': 1, 'app_crash': 1}, descriptions=demo.descriptions)
    g = t.generate(req, round=1)
    assert t.backend == 'llama-cpp' and g.stats['strategy'] == 'json' and g.answers and g.stats['parse_rate'] > 0, (g.stats, g.answers)
    for a in g.answers:
        obj = json.loads(a)
        assert set(obj) == {'samples'} and 1 <= len(obj['samples']) <= 2, a
        assert all(set(x) == {'text', 'label'} and x['label'] in demo.classes and 20 <= len(x['text']) <= 80 for x in obj['samples']), a
    assert set(g.samples.labels) <= set(demo.classes) and len(g.samples) >= 1

def test_bench_quality_with_a_real_teacher_records_its_figures_and_resumes(gguf, tmp_path, monkeypatch, capsys):
    "`pgkd bench quality --teacher local`: the protocol with a real LLM, its parse rate, texts/min, fidelity per job; a rerun runs nothing."
    from conftest import need_dataset
    need_dataset('banking77')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'cache'))
    args = ['bench', 'quality', '--teacher', 'local', '--model', gguf, '--datasets', 'banking77', '--methods', 'alone', 'vanilla',
            '--seeds', '0', '--steps', '1', '--n', '8', '--filter', '0.1', '--out', str(tmp_path/'q')]
    assert main(args) == 0
    recs = {r['method']: r for r in map(json.loads, (tmp_path/'q'/'results.jsonl').read_text().splitlines())}
    v = recs['vanilla']
    assert v['teacher'] == 'SmolLM2-135M-Instruct.Q4_1.gguf (local)' and v['filter'] == 0.1 and v['generated'] > 0
    assert v['teacher_requests'] > 0 and 0 < v['parse_rate'] <= 1 and 0 <= v['fidelity'] <= 1 and v['texts_per_minute'] > 0
    assert 'filtered' in v and 'fidelity' not in recs['alone']
    assert 'label fidelity' in capsys.readouterr().out
    assert main(args) == 0   # done: nothing runs again
    assert len((tmp_path/'q'/'results.jsonl').read_text().splitlines()) == 2
    assert '2 jobs already done' in capsys.readouterr().out
