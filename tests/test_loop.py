"End-to-end tests of the PGKD loop through the CLI: run folder contract, kill -9 and resume, errors."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd, pytest
from pgkd.data import load_demo

PGKD = [sys.executable, '-c', 'import sys; from pgkd.cli import main; sys.exit(main())']

@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "The demo set as train/test CSV files, as a user would have them."
    d = tmp_path_factory.mktemp('data')
    demo = load_demo()
    train, test = demo.split(valid=0.3, seed=0)
    train.to_df()[['text', 'label']].to_csv(d/'train.csv', index=False)
    test.to_df()[['text', 'label']].to_csv(d/'test.csv', index=False)
    return d

def run_args(files, out, *extra):
    return PGKD + ['run', '--train', str(files/'train.csv'), '--test', str(files/'test.csv'), '--n-labelled', '280',
                   '--n-valid', '70', '--teacher', 'sim', '--student', 'tfidf', '--method', 'pgkd', '--steps', '6',
                   '--n', '32', '--k', '16', '--patience', '5', '--seed', '0', '--out', str(out), *extra]

def test_run_folder_contract(files, tmp_path):
    r = subprocess.run(run_args(files, tmp_path/'run'), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path/'run'/'report.json').read_text())
    assert {'accuracy', 'macro_f1', 'weighted_f1'} <= set(rep['test'])
    hist = pd.read_csv(tmp_path/'run'/'history.csv')
    assert hist['round'].tolist() == list(range(len(hist))) and len(hist) >= 2
    gen = [json.loads(l) for l in (tmp_path/'run'/'generated.jsonl').read_text().splitlines()]
    assert len(gen) == rep['generated'] > 0 and all(g['round'] >= 1 for g in gen)
    test_texts = set(pd.read_csv(files/'test.csv', keep_default_na=False).text)
    assert not test_texts & {g['text'] for g in gen}
    shown = subprocess.run(PGKD + ['report', str(tmp_path/'run')], capture_output=True, text=True)
    assert shown.returncode == 0 and 'test after:' in shown.stdout

def test_kill_9_then_resume_gives_the_same_result(files, tmp_path):
    full = subprocess.run(run_args(files, tmp_path/'full', '--quiet'), capture_output=True, text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    out = tmp_path/'killed'
    p = subprocess.Popen(run_args(files, out, '--quiet'), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:  # kill once round 2 has finished, in the middle of round 3's work
        st = out/'state.json'
        if st.exists() and json.loads(st.read_text())['round'] >= 2: break
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    assert not (out/'report.json').exists()
    again = subprocess.run(run_args(files, out, '--quiet'), capture_output=True, text=True)
    assert again.returncode == 1 and 'already holds a run' in again.stderr
    resumed = subprocess.run(run_args(files, out, '--quiet', '--resume'), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert 'resuming' in resumed.stdout
    a, b = (json.loads((d/'report.json').read_text()) for d in (tmp_path/'full', out))
    assert a['test'] == b['test'] and a['generated'] == b['generated'] and a['best_round'] == b['best_round']
    assert (tmp_path/'full'/'generated.jsonl').read_text() == (out/'generated.jsonl').read_text()

def test_bad_input_exit_codes(files, tmp_path):
    r = subprocess.run(PGKD + ['run', '--train', str(tmp_path/'missing.csv')], capture_output=True, text=True)
    assert r.returncode == 1 and 'missing.csv: file not found' in r.stderr
    r = subprocess.run(PGKD + ['run', '--train', str(files/'train.csv'), '--n-labelled', '100000'], capture_output=True, text=True)
    assert r.returncode == 1 and '--n-labelled 100000 is more than its' in r.stderr
    r = subprocess.run(PGKD + ['run', '--train', str(files/'train.csv'), '--steps', 'ten'], capture_output=True, text=True)
    assert r.returncode == 2 and "argument --steps: 'ten' is not a whole number" in r.stderr
    for cmd in ('run', 'demo', 'report', 'serve-sim'):
        h = subprocess.run(PGKD + [cmd, '--help'], capture_output=True, text=True)
        assert h.returncode == 0 and 'usage:' in h.stdout, cmd

def test_loop_over_http_with_faults_cache_and_no_key_leak(files, tmp_path):
    "The loop through the real openai client and the local simulator server, 30% faults; a rerun costs no call."
    from pgkd.cli import load_inputs
    from pgkd.server import SimServer
    from pgkd.simulator import Simulator
    secret = 'sk-test-DO-NOT-LEAK-1234567890'
    *_, pool = load_inputs(files/'train.csv', files/'test.csv', n_labelled=280, n_valid=70, seed=0, need_pool=True)
    faults = {f: 0.05 for f in ('429', '500', 'malformed', 'truncated', 'bad_label', 'duplicate')}
    env = {**os.environ, 'OPENAI_API_KEY': secret}
    with SimServer(Simulator(pool, seed=0), faults=faults, seed=1, retry_after=0.2) as srv:
        # options given twice: argparse keeps the last, so these override run_args' --teacher sim and --steps 6
        http = lambda out: run_args(files, out, '--teacher', 'openai', '--model', 'pgkd-simulator', '--base-url', srv.url,
                                    '--steps', '3', '--quiet')
        cmd = http(tmp_path/'http')
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
        assert r.returncode == 0, r.stderr
        calls = srv.calls
        assert calls >= 3 and sum(v for k, v in srv.faults_seen.items() if k != 'ok') > 0
        rep = json.loads((tmp_path/'http'/'report.json').read_text())
        assert rep['generated'] > 0 and rep['prompt_tokens'] > 0
        # a second run (another --out; the shared user cache) makes no completion request and writes the same samples
        cmd2 = http(tmp_path/'again')
        r2 = subprocess.run(cmd2, capture_output=True, text=True, timeout=300, env=env)
        assert r2.returncode == 0, r2.stderr
        assert srv.calls == calls
    assert (tmp_path/'http'/'generated.jsonl').read_text() == (tmp_path/'again'/'generated.jsonl').read_text()
    for f in [*(tmp_path/'http').rglob('*'), *Path(os.environ['XDG_CACHE_HOME']).rglob('*')]:
        if f.is_file(): assert secret.encode() not in f.read_bytes(), f"API key written to {f}"
    assert secret not in r.stdout + r.stderr

def test_retrain_continue_keeps_training_one_transformer_and_resumes(tmp_path):
    "retrain='continue': each round trains a copy of the last student further (same vocabulary); the best stays intact; resume matches."
    import numpy as np
    from pgkd.loop import PGKD
    from pgkd.transformer import TransformerStudent
    from pgkd.students import Student
    from pgkd.teachers import SimulatedTeacher
    demo = load_demo()
    rest, test = demo.split(valid=0.2, seed=0)
    train, valid = rest.sample(280, seed=0).split(valid=70, seed=0)
    pool, _ = rest.dedupe(against=[train, valid, test])
    def loop(out, retrain='continue', **kw):
        st = TransformerStudent.from_scratch(n_layers=1, hidden=32, heads=2, vocab_size=800, max_len=32, epochs=3, lr=3e-3,
                                             bs=32, progress=False, threads=1)
        return PGKD(st, SimulatedTeacher(pool, seed=0), train, valid, test, steps=2, n=32, k=8, mining='valid',
                    retrain=retrain, seed=0, progress=False, out=out, **kw)
    vocabs = []
    class Vocab:
        order = 0
        def __call__(self, event):
            if event == 'after_fit': vocabs.append(self.loop.student.tokenizer.get_vocab())
    full = loop(tmp_path/'full', cbs=[Vocab()]).run()
    assert len(vocabs) == 3 and vocabs[0] == vocabs[1] == vocabs[2]     # one tokenizer, trained on round 0's texts
    assert full.history[-1]['n_train'] > full.history[0]['n_train']
    x = test.texts[:20]
    assert np.allclose(full.best_student.predict_proba(x), Student.load(tmp_path/'full'/'best').predict_proba(x), atol=1e-5)
    part = loop(tmp_path/'part'); part.step(); part.step()               # rounds 0 and 1, then the process "dies"
    resumed = loop(tmp_path/'part', resume=True).run()
    a, b = (json.loads((d/'report.json').read_text()) for d in (tmp_path/'full', tmp_path/'part'))
    assert a['test'] == b['test'] and a['best_round'] == b['best_round']
    vocabs.clear()
    loop(tmp_path/'scratch', retrain='scratch', cbs=[Vocab()]).run()
    assert vocabs[0] != vocabs[-1]                                         # scratch: a new tokenizer every round

def test_a_folder_of_the_users_own_config_and_state_is_refused(files, tmp_path):
    "File names prove nothing: without pgkd's manifest.json the folder is foreign, on a first run and on --resume."
    d = tmp_path/'d'; d.mkdir()
    (d/'config.json').write_text('{"theme":"dark"}'); (d/'state.json').write_text('{"window":[1,2]}')
    for extra in ((), ('--resume',)):
        r = subprocess.run(run_args(files, d, '--quiet', *extra), capture_output=True, text=True, timeout=300)
        assert r.returncode == 1 and 'is not a pgkd run folder' in r.stderr and 'Traceback' not in r.stderr, r.stderr
        assert sorted(p.name for p in d.iterdir()) == ['config.json', 'state.json']
        assert (d/'config.json').read_text() == '{"theme":"dark"}' and (d/'state.json').read_text() == '{"window":[1,2]}'

KILLED_IN_SAVE = """import os, sys
from pgkd.students import TfidfStudent
from pgkd.cli import main
orig, calls = TfidfStudent.save, []
def save(self, d):
    orig(self, d); calls.append(d)
    if len(calls) == 2: os._exit(137)   # killed once the student's files are written, before pgkd lists them by name
TfidfStudent.save = save
sys.exit(main())"""

def test_a_save_cut_short_does_not_block_resume(files, tmp_path):
    full = subprocess.run(run_args(files, tmp_path/'full', '--quiet'), capture_output=True, text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    out = tmp_path/'cut'
    args = run_args(files, out, '--quiet')
    killed = subprocess.run([sys.executable, '-c', KILLED_IN_SAVE, *args[3:]], capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stderr
    listed = set(json.loads((out/'manifest.json').read_text())['files'])
    unlisted = [str(f.relative_to(out)) for f in out.rglob('*') if f.is_file() and str(f.relative_to(out)) not in listed]
    assert unlisted and any(f.endswith('/*') for f in listed), (unlisted, listed)   # the half-finished save, as a kill leaves it
    resumed = subprocess.run(run_args(files, out, '--quiet', '--resume'), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    a, b = (json.loads((d/'report.json').read_text()) for d in (tmp_path/'full', out))
    assert a['test'] == b['test'] and a['generated'] == b['generated'] and a['best_round'] == b['best_round']

KILLED_AFTER_TEACHER_LOG = """import os, sys
from pgkd.loop import TeacherLog
from pgkd.cli import main
orig = TeacherLog.after_generate
def after_generate(self):
    orig(self)
    if self.loop.round == 3: os._exit(137)   # killed once round 3's teacher line is written, before the round is committed
TeacherLog.after_generate = after_generate
sys.exit(main())"""

def test_resume_after_a_kill_logs_each_round_once(files, tmp_path):
    out = tmp_path/'run'
    args = run_args(files, out, '--quiet')
    killed = subprocess.run([sys.executable, '-c', KILLED_AFTER_TEACHER_LOG, *args[3:]], capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stderr
    rounds = lambda: [json.loads(l)['round'] for l in (out/'teacher.jsonl').read_text().splitlines()]
    assert rounds() == [1, 2, 3] and json.loads((out/'state.json').read_text())['round'] == 2
    resumed = subprocess.run(run_args(files, out, '--quiet', '--resume'), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    n = json.loads((out/'report.json').read_text())['rounds']
    assert rounds() == list(range(1, n + 1)), rounds()

@pytest.mark.parametrize('damage', ['state.json', 'history.jsonl', 'generated.jsonl', 'checkpoint'])
def test_a_damaged_run_file_is_named_on_resume(files, tmp_path, damage):
    out = tmp_path/'run'
    r = subprocess.run(run_args(files, out, '--quiet', '--steps', '2'), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    if damage == 'checkpoint':
        ck = next(f for f in sorted((out/'checkpoints').rglob('*')) if f.is_file())
        ck.write_bytes(ck.read_bytes()[:len(ck.read_bytes()) // 2]); named = ck.parent.name
    else:
        lines = (out/damage).read_text().splitlines(keepends=True)
        (out/damage).write_text(lines[0] + lines[-1][:len(lines[-1]) // 2] if len(lines) > 1 else '{"round": ')
        named = damage + (' is damaged (line 2:' if damage.endswith('.jsonl') else ' is damaged')
    r = subprocess.run(run_args(files, out, '--quiet', '--steps', '2', '--resume'), capture_output=True, text=True, timeout=300)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 1 and 'Traceback' not in r.stderr and len(err) == 1, r.stderr
    assert named in err[0] and ('is damaged' in err[0] or 'cannot be loaded' in err[0]), err

def test_the_filter_on_the_command_line_resumes_to_the_same_run(files, tmp_path):
    "`--filter` drops noisy texts, counts them per class in history.jsonl, and a run stopped after round 2 resumes to the whole run."
    args = lambda out, steps, *x: run_args(files, out, '--quiet', '--filter', '0.1', '--noise', '0.3', '--steps', str(steps), *x)
    full = subprocess.run(args(tmp_path/'full', 4), capture_output=True, text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    hist = [json.loads(l) for l in (tmp_path/'full'/'history.jsonl').read_text().splitlines()]
    assert all(sum(h['filtered_by_class'].values()) == h['rejected_by'].get('filtered', 0) for h in hist)
    assert sum(h['rejected_by'].get('filtered', 0) for h in hist) > 0
    part = subprocess.run(args(tmp_path/'part', 2), capture_output=True, text=True, timeout=300)
    assert part.returncode == 0, part.stderr
    resumed = subprocess.run(args(tmp_path/'part', 4, '--resume'), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    a, b = (json.loads((d/'report.json').read_text()) for d in (tmp_path/'full', tmp_path/'part'))
    assert a['test'] == b['test'] and a['generated'] == b['generated']
    assert (tmp_path/'full'/'generated.jsonl').read_text() == (tmp_path/'part'/'generated.jsonl').read_text()

def test_warnings_are_one_line_naming_the_command(files, tmp_path):
    "A warning on the command line reads like its errors, one line each: no Python file:line and no source line on stderr."
    pd.read_csv(files/'train.csv').head(20).to_csv(tmp_path/'pool.csv', index=False)   # the simulator runs short of texts
    r = subprocess.run(run_args(files, tmp_path/'run', '--quiet', '--pool', str(tmp_path/'pool.csv'), '--steps', '2'),
                       capture_output=True, text=True, timeout=300)
    lines = r.stderr.strip().splitlines()
    assert any(l.startswith('pgkd run: warning: ') and 'valid samples' in l for l in lines), r.stderr
    assert all(l.startswith('pgkd run: ') for l in lines), r.stderr

def test_a_taxonomy_too_large_for_the_prompt_is_refused_before_round_0(files, tmp_path):
    "A prompt that cannot fit even fully compressed is refused up front, in one line naming the option, and the option lifts it."
    r = subprocess.run(run_args(files, tmp_path/'small', '--quiet', '--max-prompt-tokens', '100'),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert 'the prompt for 14 classes needs' in r.stderr and '--max-prompt-tokens' in r.stderr
    assert not (tmp_path/'small'/'checkpoints').exists()   # refused before round 0 trained
    ok = subprocess.run(run_args(files, tmp_path/'big', '--quiet', '--max-prompt-tokens', '3000', '--steps', '1'),
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
