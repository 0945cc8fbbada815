"Tests of pgkd.prompts (building and parsing PGKD prompts) and a build -> simulate -> parse round trip with pgkd.simulator."
import json, random
from collections import Counter
from dataclasses import replace
import pytest
from pgkd.data import TextData
from pgkd.prompts import (Example, PGKDRequest, Parsed, build_messages, parse_answer, repair_messages, count_tokens,
                          ANSWER_SCHEMA, answer_schema, report_rows)
from pgkd.simulator import Simulator, PoolExhausted, read_prompt

CLS = ['card_arrival', 'card_linking', 'refund_not_showing_up']
TWO = [{"text": "where is my card", "label": "card_arrival"}, {"text": "link my card", "label": "card_linking"}]
WANT = [("where is my card", "card_arrival"), ("link my card", "card_linking")]
LIST = json.dumps(TWO)

# ---- parser: the shapes an answer comes in ----
@pytest.mark.parametrize("answer", [
    LIST,                                                         # bare list
    json.dumps({"samples": TWO}),                                 # wrapped, the schema's key
    json.dumps({"reasoning": "short [notes]", "items": TWO}),     # wrapped, any key, brackets inside strings
    "```json\n" + LIST + "\n```",                                 # fenced
    "```\n" + json.dumps({"samples": TWO}, indent=2) + "\n```",   # fenced, no language, pretty-printed
    "Sure! Here are [2] samples:\n" + LIST + "\nLet me know {if} you need more.",  # prose around, with brackets
    "Here:\n```json\n" + LIST + "\n```\nand the same again: ```json\n[]\n```",     # the first fence wins
])
def test_parse_shapes(answer):
    p = parse_answer(answer, CLS)
    assert p.items == WANT and p.rejected == Counter() and not p.truncated and p.error is None

def test_parse_truncated_keeps_complete_items():
    full = json.dumps({"samples": TWO + [{"text": "my refund has not arrived yet", "label": "refund_not_showing_up"}]})
    for cut in (full.index("my refund") + 5, full.index('"refund_not') + 3, len(full) - 3):
        p = parse_answer(full[:cut], CLS)
        assert p.items == WANT and p.truncated and p.error is None, cut
    p = parse_answer("```json\n" + LIST[:-1], CLS)  # the list is complete but never closed, in an unclosed fence
    assert p.items == WANT and p.truncated

def test_parse_truncated_before_any_item():
    p = parse_answer('{"samples": [{"text": "where is', CLS)
    assert p.items == [] and p.truncated and p.error == "no complete JSON item found"

def test_parse_validation_reasons():
    xs = TWO + [{"text": "weather?", "label": "weather"}, {"text": " ", "label": "card_arrival"}, {"text": None, "label": "card_arrival"},
                {"label": "card_arrival"}, ["a", "list"], 7, {"text": "WHERE is my card!", "label": "card_linking"},
                {"text": "refund", "label": "Refund not showing up"}, {"text": "typo", "label": "card_linkin"}]
    p = parse_answer(json.dumps(xs), CLS)
    assert p.items == WANT + [("refund", "refund_not_showing_up"), ("typo", "card_linking")]
    assert p.rejected == Counter(unknown_label=1, empty_text=1, bad_text=1, missing_field=1, not_an_object=2, duplicate=1)

def test_parse_unknown_labels_never_added():
    p = parse_answer(json.dumps([{"text": f"t{i}", "label": l} for i,l in enumerate(["new_class", "card", "", None])]), CLS)
    assert p.items == [] and p.rejected == Counter(unknown_label=4) and p.error is None

def test_parse_malformed_item_in_the_middle():
    bad = LIST[:-1] + ', {"text": "x" "label": "card_arrival"}, {"text": "my refund", "label": "refund_not_showing_up"}]'
    p = parse_answer(bad, CLS)
    assert p.items == WANT + [("my refund", "refund_not_showing_up")] and p.rejected == Counter(malformed_item=1)

@pytest.mark.parametrize("answer,err", [("", "empty answer"), ("I'm sorry, I can't help with that.", "no JSON list of samples found"),
                                        (str(TWO), "no complete JSON item found"), ("[1, 2, 3]", "no JSON list of samples found")])
def test_parse_errors(answer, err):
    p = parse_answer(answer, CLS)
    assert p.items == [] and p.error == err

def test_repair_messages():
    msgs = build_messages(PGKDRequest(CLS, n=3))
    r = repair_messages(msgs, "nope", "no JSON list of samples found")
    assert [m['role'] for m in r] == ['system', 'user', 'assistant', 'user'] and len(msgs) == 2
    assert "no JSON list of samples found" in r[-1]['content'] and '"samples"' in r[-1]['content']
    assert read_prompt(r)['classes'] == CLS   # the simulator still reads the original prompt

# ---- building ----
def _req(**kw):
    E = Example
    return PGKDRequest(CLS, n=6, descriptions={'card_arrival': 'waiting for a card'}, examples=[E("where is my card", 'card_arrival')],
                       report="class precision recall f1 support\ncard_arrival 0.9 0.9 0.9 5\ncard_linking 0.5 0.2 0.3 5",
                       correct=[E("card not here", 'card_arrival', 'card_arrival', 0.99)],
                       misclassified=[E("cannot link", 'card_linking', 'card_arrival', 0.6)],
                       hard_negatives=[E("not in app", 'card_linking', 'card_arrival', 0.95)], **kw)

def test_sections_left_out():
    full = build_messages(_req())[1]['content']
    assert all(h in full for h in ["## Classes (3)", "## Labelled examples", "validation report", "classified correctly",
                                   "misclassified", "## Hard negatives"])
    vanilla = build_messages(replace(_req(), report=None, correct=[], misclassified=[], hard_negatives=[]))[1]['content']
    assert "report" not in vanilla and "Hard negatives" not in vanilla and "| student:" not in vanilla and "\n\n\n" not in vanilla
    assert "validation report" not in build_messages(replace(_req(), report=None))[1]['content']
    assert "Hard negatives" not in build_messages(replace(_req(), hard_negatives=[]))[1]['content']

def test_quota_lines():
    u = build_messages(_req(quotas={'card_linking': 5, 'card_arrival': 1}, confusions={'card_linking': 'card_arrival'}))[1]['content']
    assert '- 5 samples of class "card_linking", which the student confuses with "card_arrival"' in u
    assert '- 1 sample of class "card_arrival"\n' in u
    with pytest.raises(ValueError, match="quotas sum to 5 but n is 6"): _req(quotas={'card_linking': 5})

def test_long_texts_clipped():
    u = build_messages(replace(_req(), examples=[Example("word " * 500 + "\nEND", 'card_arrival')]), max_text_chars=100)[1]['content']
    line = next(l for l in u.splitlines() if l.startswith("- label: card_arrival"))
    assert len(line) < 130 and "END" not in line and line.endswith('…"')

def test_150_classes_fit_budget():
    rnd = random.Random(1)
    cls = [f"intent_{rnd.choice(['card','transfer','travel','music'])}_{i}" for i in range(150)]
    long = lambda: "please help me with my request about the thing " * 20
    exs = lambda: [Example(long(), rnd.choice(cls), rnd.choice(cls), 0.8) for _ in range(16)]
    rep = "class precision recall f1 support\n" + "\n".join(f"{c} 0.5 0.5 {rnd.random():.2f} 3" for c in cls)
    req = PGKDRequest(cls, n=32, descriptions={c: long() for c in cls}, examples=exs(), report=rep, correct=exs(),
                      misclassified=exs(), hard_negatives=exs())
    msgs = build_messages(req)
    assert sum(count_tokens(m['content']) for m in msgs) <= 6000
    lines = set(msgs[1]['content'].splitlines())
    assert all(f"- {c}" in lines for c in cls)
    info = read_prompt(msgs)
    assert info['classes'] == cls and info['n'] == 32 and info['hard_negatives']

def test_schema():
    s = answer_schema(CLS)
    assert s['properties']['samples']['items']['properties']['label']['enum'] == CLS and s['required'] == ['samples']
    assert 'enum' not in json.dumps(ANSWER_SCHEMA)

def test_report_rows_formats():
    rows = report_rows("f1 by class:\n| card_arrival | 0.91 | 0.88 | 0.89 | 10 |", CLS)
    assert rows == {}   # no header naming the columns: numbers alone are not trusted
    rows = report_rows("| class | precision | recall | f1-score | support |\n| card_arrival | 0.91 | 0.88 | 0.89 | 10 |", CLS)
    assert list(rows.values()) == [{'class': 'card_arrival', 'precision': 0.91, 'recall': 0.88, 'f1': 0.89}]

# ---- round trip: build -> simulate -> parse ----
def _pool(k=6, per=40):
    cs = [f"class_{i}" for i in range(k)]
    return TextData([f"sample {j} of {c}, with \"quotes\", a [bracket] and a newline\nhere" for c in cs for j in range(per)],
                    [c for c in cs for j in range(per)])

def test_round_trip():
    pool = _pool()
    sim = Simulator(pool, seed=0)
    C = pool.classes
    req = PGKDRequest(C, n=12, quotas={C[0]: 6, C[1]: 5, C[2]: 1}, confusions={C[0]: C[1]},
                      hard_negatives=[Example("x", C[0], C[1], 0.9)], report="class f1\nclass_0 0.2")
    p = parse_answer(sim.answer(build_messages(req)), C)
    assert p.error is None and p.rejected == Counter() and not p.truncated
    assert Counter(l for _,l in p.items) == Counter({C[0]: 6, C[1]: 5, C[2]: 1})
    truth = dict(zip(pool.texts, pool.labels))
    assert all(truth[t] == l for t,l in p.items)          # no noise: real texts with their true labels

def test_round_trip_until_exhausted():
    pool = _pool(k=3, per=10)
    sim = Simulator(pool, seed=1)
    msgs = build_messages(PGKDRequest(pool.classes, n=7))
    seen = []
    while sim.remaining: seen += [t for t,_ in parse_answer(sim.answer(msgs), pool.classes).items]
    assert sorted(seen) == sorted(pool.texts)             # every pool text once, never twice
    with pytest.raises(PoolExhausted, match="simulator pool exhausted"): sim.answer(msgs)

def test_simulator_faults_parse_as_errors():
    pool = _pool(k=4, per=200)
    sim = Simulator(pool, seed=2, refusal=0.3, garbage=0.3, noise=0.1)
    msgs = build_messages(PGKDRequest(pool.classes, n=8))
    for _ in range(40):
        p = parse_answer(sim.answer(msgs), pool.classes)
        kind = sim.last['kind']
        if kind == 'samples': assert p.error is None and len(p.items) == 8
        elif kind == 'garbage:truncated': assert p.truncated and len(p.items) < 8
        else: assert p.error is not None and not p.items

def test_request_accepts_numpy_ints():
    import numpy as np
    r = PGKDRequest(CLS, n=np.int64(4), quotas={'card_arrival': np.int64(3), 'card_linking': np.int64(1)})
    assert r.n == 4 and type(r.n) is int and r.quotas == {'card_arrival': 3, 'card_linking': 1}
    assert '- 3 samples of class "card_arrival"' in build_messages(r)[1]['content']

def test_simulator_reads_a_real_report():
    "pgkd.report's to_prompt text -> build_messages -> read_prompt: the worst class gets the most samples."
    import numpy as np
    from pgkd.report import Report
    pool = _pool(k=5, per=100)
    C = pool.classes
    y = np.repeat(np.arange(5), 40)
    probs = np.full((200, 5), 0.02); probs[np.arange(200), y] = 0.92
    probs[:30] = 0.02; probs[:30, 1] = 0.92              # 30 of the 40 class_0 samples predicted as class_1
    r = Report.from_probs(y, probs, C)
    msgs = build_messages(PGKDRequest(C, n=20, report=r.to_prompt(max_classes=3)))
    info = read_prompt(msgs)
    assert set(info['f1']) == set(r.worst(3).index) and 'class_0' in info['f1']
    sim = Simulator(pool, seed=0)
    got = Counter(l for _,l in parse_answer(sim.answer(msgs), C).items)
    assert sum(got.values()) == 20 and got['class_0'] == max(got.values()) and got['class_0'] > got['class_4']

def test_simulated_teacher_reads_the_request_not_the_text():
    "In-process, the request is the contract: a custom template without the report changes what an LLM reads, not what the simulator does."
    import numpy as np
    from pgkd import demo_data, SimulatedTeacher
    from pgkd.report import Report
    train, valid, test, pool = demo_data()
    C = train.classes
    y = np.arange(len(C)).repeat(5); pred = y.copy(); pred[:20] = (pred[:20] + 1) % len(C)   # the first classes are weak
    req = PGKDRequest(C, n=24, report=Report.from_preds(y, pred, C))
    a = SimulatedTeacher(pool, seed=0).generate(req, round=1)
    b = SimulatedTeacher(pool, seed=0, prompt_kw=dict(template="{task}\n\n{taxonomy}\n\n{ask}")).generate(req, round=1)
    assert "validation report" in a.messages[0][1]['content'] and "validation report" not in b.messages[0][1]['content']
    assert a.samples.texts == b.samples.texts
    vanilla = SimulatedTeacher(pool, seed=0).generate(replace(req, report=None), round=1)
    assert vanilla.samples.texts != a.samples.texts   # the report does steer it: the test above can fail
