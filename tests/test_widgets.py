"Headless tests of the PGKD control panel (pgkd.widgets): buttons are clicked from code, rounds run in the panel's worker thread."
import json
from pathlib import Path
import pytest
from pgkd import demo_data
from pgkd.loop import PGKD, Callback
from pgkd.students import TfidfStudent
from pgkd.teachers import SimulatedTeacher, OpenAITeacher
from pgkd.server import SimServer
from pgkd.simulator import Simulator
from pgkd.widgets import PGKDPanel, PanelCallback

NBS = Path(__file__).resolve().parents[1]/'nbs'

@pytest.fixture(scope='module')
def data():
    train, valid, test, pool = demo_data(seed=1)
    small = train.sample(per_class=8, seed=1)   # a small labelled start: 112 texts
    return small, valid, test, pool

def make(data, **kw):
    train, valid, test, pool = data
    kw = dict(dict(steps=6, n=16, k=4, mining='valid', progress=False), **kw)
    return PGKD(TfidfStudent(seed=0), SimulatedTeacher(pool, seed=0), train, valid, test, **kw)

def test_next_round_three_times_redraws(data):
    p = make(data)
    panel = p.widget()
    assert isinstance(panel, PGKDPanel) and p.history == []
    n0 = panel.n_draws
    for _ in range(3):
        panel.btn_next.click()
        panel.wait()
    assert [h['round'] for h in p.history] == [0, 1, 2]
    assert panel.n_draws == n0 + 3
    valid_line, test_line = panel.figs['curve'].axes[0].lines[:2]
    assert list(valid_line.get_xdata()) == [0, 1, 2]
    assert list(valid_line.get_ydata()) == [h['valid_macro_f1'] for h in p.history]
    assert len(test_line.get_xdata()) == 3
    assert panel.img_curve.value[:4] == b'\x89PNG' and panel.img_f1.value[:4] == b'\x89PNG'
    assert len(panel.figs['f1'].axes[0].patches) == len(p.train.classes)
    assert 'Round 2' in panel.prompt.value and 'Round 2' in panel.hard.value
    assert f"{p.teacher.usage.prompt_tokens:,} prompt" in panel.status.value
    assert not panel.busy and not panel.btn_next.disabled and panel.btn_stop.disabled

def test_rejected_samples_never_reach_training(data):
    p = make(data)
    panel = p.widget(review=True)
    panel.btn_next.click(); panel.wait()            # round 0: nothing to review
    assert panel.pending is None and len(p.history) == 1
    n_train = len(p.train)
    panel.btn_next.click(); panel.wait()            # round 1 pauses after generation
    assert panel.pending is not None and not panel.btn_accept.disabled
    assert len(p.history) == 1 and len(p.train) == n_train   # nothing added yet
    pending = panel.pending
    drop = {0, 1, len(pending) - 1}
    for i in drop: panel.boxes[i].value = False
    dropped = {pending.texts[i] for i in drop}
    kept = {t for i, t in enumerate(pending.texts) if i not in drop}
    panel.btn_accept.click(); panel.wait()
    assert len(p.history) == 2
    assert not dropped & set(p.train.texts) and not dropped & set(p.generated.texts)
    assert kept <= set(p.train.texts)
    assert p.history[-1]['added'] == len(pending) - 3 and len(p.train) == n_train + len(pending) - 3
    assert p.history[-1]['rejected_by']['reviewer'] == 3
    assert panel.pending is None and panel.btn_accept.disabled

def test_review_only_pauses_panel_rounds(data):
    "With review on, a round run from code (not by the panel) must not block waiting for a click."
    p = make(data, steps=1)
    p.widget(review=True)
    p.run()
    assert p.done and p.history[-1]['added'] > 0

def test_settings_apply_before_next_round(data):
    p = make(data)
    panel = p.widget()
    panel.btn_next.click(); panel.wait()
    panel.n.value, panel.k.value, panel.quotas.value = 8, 2, False
    assert (p.cfg.n, p.cfg.k, p.cfg.quotas) == (8, 2, False)
    panel.btn_next.click(); panel.wait()
    assert 0 < p.history[-1]['added'] <= 8
    assert panel.temperature.disabled        # the simulator has no temperature

def test_settings_changed_while_running_wait_for_the_next_round(data):
    p = make(data)
    panel = p.widget(review=True)
    panel.btn_next.click(); panel.wait()
    panel.btn_next.click(); panel.wait()            # round 1 is held for review: a round is running
    panel.n.value = 5
    assert p.cfg.n == 16                             # not mid-round
    panel.btn_accept.click(); panel.wait()
    assert p.cfg.n == 16
    panel.review.value = False
    panel.btn_next.click(); panel.wait()
    assert p.cfg.n == 5 and p.history[-1]['added'] <= 5

def test_stop_pauses_run_to_the_end(data):
    p = make(data, steps=4)
    panel = p.widget(review=True)
    panel.btn_run.click(); panel.wait()             # round 0 runs, round 1 waits for review
    assert len(p.history) == 1 and panel.busy
    panel.btn_stop.click(); panel.btn_accept.click(); panel.wait()
    assert len(p.history) == 2 and not p.done and not panel.busy   # paused, not finished
    panel.review.value = False
    panel.btn_run.click(); panel.wait()
    assert p.done and len(p.history) >= 3 and panel.btn_next.disabled and panel.btn_run.disabled
    assert 'finished' in panel.status.value

def test_failed_round_is_rolled_back(data):
    class DownOnce(Callback):
        n = 0
        def after_generate(self):
            DownOnce.n += 1
            if DownOnce.n == 1: raise ConnectionError("teacher down")
    p = make(data, cbs=DownOnce())
    panel = p.widget()
    panel.btn_next.click(); panel.wait()
    n_train = len(p.train)
    panel.btn_next.click()
    with pytest.raises(ConnectionError, match="teacher down"): panel.wait()
    assert (p.round, len(p.train), len(p.history)) == (0, n_train, 1)
    assert 'teacher down' in panel.errors.value and not panel.btn_next.disabled
    panel.btn_next.click(); panel.wait()
    assert [h['round'] for h in p.history] == [0, 1] and panel.error is None

def test_reset_replays_the_same_run(data):
    p = make(data)
    panel = p.widget()
    for _ in range(3): panel.btn_next.click(); panel.wait()
    first = [dict(h) for h in p.history]
    panel.btn_reset.click()
    assert (p.history, p.round, p.done, p.teacher.usage.prompt_tokens) == ([], -1, False, 0)
    assert sum(isinstance(c, PanelCallback) for c in p.cbs) == 1
    for _ in range(3): panel.btn_next.click(); panel.wait()
    for a, b in zip(first, p.history):
        for k in ('n_train', 'added', 'valid_loss', 'test_macro_f1', 'prompt_tokens'): assert a[k] == b[k], k

def test_one_panel_per_loop_and_out_folder_not_reset(data, tmp_path):
    p = make(data, out=tmp_path/'run', steps=1)
    p.widget(); panel = p.widget()
    assert sum(isinstance(c, PanelCallback) for c in p.cbs) == 1
    assert panel.btn_reset.disabled
    with pytest.raises(ValueError, match="writes to the folder"): panel.reset()
    panel.btn_run.click(); panel.wait()
    assert p.done and (tmp_path/'run'/'report.json').exists()

def test_real_teacher_over_http_with_temperature(data, monkeypatch):
    "An OpenAITeacher (the openai client over real HTTP, against the local simulator server): the temperature slider drives it."
    train, valid, test, pool = data
    temps, respond = [], SimServer.respond
    monkeypatch.setattr(SimServer, 'respond', lambda self, body: (temps.append(body.get('temperature')), respond(self, body))[1])
    with SimServer(Simulator(pool, seed=0)) as srv:
        t = OpenAITeacher('pgkd-simulator', base_url=srv.url, api_key='not-a-key', temperature=0.7)
        p = PGKD(TfidfStudent(seed=0), t, train, valid, steps=3, n=16, k=4, mining='valid', progress=False)
        panel = p.widget()
        assert not panel.temperature.disabled and panel.temperature.value == 0.7
        panel.temperature.value = 0.2
        assert t.temperature == 0.2
        for _ in range(2): panel.btn_next.click(); panel.wait()
    assert len(p.history) == 2 and p.history[-1]['added'] > 0 and srv.calls >= 1
    assert temps and set(temps) == {0.2}   # what the HTTP requests carried
    assert f"{t.usage.prompt_tokens:,} prompt" in panel.status.value

def test_notebooks_hold_no_widget_state():
    """No notebook in the repo carries widget state or widget views: they are large, change on every run, and
    nbdev_clean (2.4) keeps them (it preserves `metadata.widgets`), so notebooks are committed without them."""
    mine = ['09_widgets.ipynb', 'tutorials/quickstart.ipynb', 'tutorials/own_data.ipynb', 'tutorials/real_llm.ipynb',
            'tutorials/reading_a_run.ipynb']
    assert all((NBS/nb).exists() for nb in mine)
    for f in sorted(NBS.rglob('*.ipynb')):
        if '.ipynb_checkpoints' in f.parts: continue
        text = f.read_text()
        assert 'application/vnd.jupyter.widget-state+json' not in text, f"{f.name}: widget state in the notebook"
        assert 'application/vnd.jupyter.widget-view+json' not in text, f"{f.name}: a widget view in the outputs"
        assert 'widgets' not in json.loads(text).get('metadata', {}), f"{f.name}: metadata.widgets"
    for nb in mine:
        cells = json.loads((NBS/nb).read_text())['cells']
        # text and a few 50-dpi PNG plots (.ci/execute.py)
        assert sum(len(json.dumps(c.get("outputs", []))) for c in cells) < 100_000, f"{nb}: large outputs"

def test_what_the_page_shows_is_readable(data):
    """The browser-found problems, checked on the widgets: review rows keep their height, a disabled Accept is not green,
    rounds are whole numbers, headers align, the off temperature says why, per-class F1 says how few texts it rests on."""
    from pgkd.widgets import df_html
    p = make(data, metric='loss')
    panel = p.widget(review=True)
    assert panel.btn_accept.disabled and panel.btn_accept.button_style == ''
    assert panel.temperature.disabled and 'no temperature' in panel.temperature_note.value and panel.temperature.tooltip.startswith('off')
    panel.btn_next.click(); panel.wait()
    ticks = panel.figs['curve'].axes[0].get_xticks()
    assert all(float(t).is_integer() for t in ticks)                 # one round: no -0.04 ... 0.04
    assert 'stopping' in ' '.join(l.get_label() for ax in panel.figs['curve'].axes for l in ax.lines)   # macro-F1 curve, loss marked
    assert 'texts a class' in panel.figs['f1'].axes[0].get_xlabel()
    panel.btn_next.click(); panel.wait()                              # paused for review
    assert panel.btn_accept.button_style == 'success'
    rows = panel.samples.children[1:]
    assert rows and all(r.layout.flex == '0 0 auto' for r in rows)   # a row never shrinks to fit the scrolling box
    panel.accept(); panel.wait()
    assert 'text-align: left' in df_html(p.new.to_df()[['label', 'text']])
