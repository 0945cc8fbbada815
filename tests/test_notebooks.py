"""The notebooks are the docs: each chapter and tutorial is committed with the outputs a reader should see (`python .ci/execute.py`
makes them). That re-running them reproduces those outputs is checked by `python .ci/execute.py --check` (tests/run_all.sh runs it);
its comparison is tested here."""
import ast, importlib.util, json, re
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'
_spec = importlib.util.spec_from_file_location('ci_execute', NBS.parent/'.ci'/'execute.py')
ci = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(ci)
NOTEBOOKS = sorted(p for p in NBS.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)

def _flags(src): return set(re.findall(r'^#\|\s*([\w-]+)', src, re.M))

def must_show(src:str) -> bool:
    "Does this code cell surely print or display something? A top-level `print(...)` or a last value line (not a call, not `;`-silenced)."
    lines = [l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))]
    try: body = ast.parse('\n'.join(lines)).body
    except SyntaxError: return False
    if not body: return False
    printed = any(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and getattr(s.value.func, 'id', None) == 'print' for s in body)
    last = body[-1]
    shown = (isinstance(last, ast.Expr) and not isinstance(last.value, (ast.Call, ast.Constant, ast.Await))
             and not lines[-1].rstrip().endswith(';'))
    return printed or shown

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: str(p.relative_to(NBS)))
def test_notebook_carries_its_outputs(nb):
    cells = json.loads(nb.read_text())['cells']
    missing = []
    for i, c in enumerate(cells):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source'])
        # flagged cells keep what a capable machine recorded
        if _flags(src) & {'export', 'exports', 'hide', 'notest', 'slow', 'llm', 'cuda'}: continue
        if re.search(r'^#\|\s*eval:\s*false\s*$', src, re.M | re.I): continue   # never run (nbdev_test and execute.py skip it)
        if must_show(src) and not c.get('outputs'): missing.append(f"cell {i}: {src.strip().splitlines()[-1][:60]}")
    assert not missing, (f"{nb.relative_to(NBS)}: cells with no committed output "
                         f"(run python .ci/execute.py {nb.relative_to(NBS.parent)}): {missing}")

def test_the_check_can_fail():
    assert must_show("x = 1\nx") and must_show("print('a')") and must_show("df.head()[['a']]")
    assert not must_show("x = 1") and not must_show("test_eq(1, 1)") and not must_show("x;")

def _out(text, name='stdout'): return [dict(output_type='stream', name=name, text=text)]
def _res(text, png=False):
    data = {'text/plain': text, **({'image/png': 'iVBORw0KGgo=\n'} if png else {})}
    return [dict(output_type='execute_result', data=data, metadata={}, execution_count=None)]

def test_output_check_can_fail():
    "`execute.py --check`'s comparison: results must reproduce; timings, temp paths, ports, PIDs... may change."
    same, differ = (lambda a, b: ci.compare_text(a, b) is None), (lambda a, b: ci.compare_text(a, b) is not None)
    assert differ("accuracy 0.8123", "accuracy 0.8124") and differ("macro-F1 0.805 -> 0.876", "macro-F1 0.805 -> 0.877")
    assert differ("kept 16, rejected 0", "kept 17, rejected 0") and differ("best round 6", "best round 5")
    assert differ("card_lost", "card_stolen") and differ("a\nb", "a") and differ("0.5", "0.5 0.5")
    assert same("fit in 1.2 s", "fit in 3.4 s") and same("13.5 ms per answer", "40 ms per answer")
    assert same("18 HTTP calls in 1.5s", "18 HTTP calls in 12s") and differ("18 HTTP calls in 1.5s", "19 HTTP calls in 1.5s")
    assert same("kept 11, 14.6 texts/min; 2,930 texts/s", "kept 11, 127907.3 texts/min; 12 texts/s")
    assert same("history.csv    1,873 bytes", "history.csv    1,865 bytes") and same("peak 282.4 MB", "peak 301 MB")
    assert same("saved to /tmp/tmpab12cd34/run/best", "saved to /tmp/tmpzz99yy00/run/best")
    assert same("cache_dir='/tmp/tmpzuy9lxb0/cache')", "cache_dir='/tmp/tmp4x3ewr11/cache')")
    assert same("base_url='http://127.0.0.1:42331/v1'", "base_url='http://127.0.0.1:35601/v1'")
    assert differ("base_url='http://127.0.0.1:9/v1'", "base_url='http://127.0.0.1:8/v1'")   # a fixed port is not masked
    assert same("run folder run is in use by PID 1234", "run folder run is in use by PID 98765")
    assert same("<Foo object at 0x7f3a2b1c0d90>", "<Foo object at 0x7f00deadbeef>")
    assert same("written 2026-01-31T12:00:05Z", "written 2026-02-01T09:30:00Z")
    assert same("{'fit_s': 0.175, 'latency_p50_ms': 0.157, 'peak_rss_mb': 282.4, 'n_train': 400}",
                "{'fit_s': 1.9, 'latency_p50_ms': 1.2, 'peak_rss_mb': 301.0, 'n_train': 400}")
    assert differ("{'fit_s': 0.175, 'n_train': 400}", "{'fit_s': 0.175, 'n_train': 401}")
    assert same("{'fit_seconds': 364.6, 'test_macro_f1': 0.828}", "{'fit_seconds': 12.0, 'test_macro_f1': 0.828}")
    assert differ("{'fit_seconds': 364.6, 'test_macro_f1': 0.828}", "{'fit_seconds': 364.6, 'test_macro_f1': 0.829}")
    assert same("0.6927675673993358", "0.6927675673993356")   # float repr noise: within the 1e-6 relative tolerance
    # tables whose column header says time: the loop's round table, pandas, Markdown
    old = "round  train  v_acc       $   sec\n    0    210  0.800  0.0000   0.1  *\n    1    242  0.816  0.0000 327.0  *"
    assert same(old, old.replace('0.1 ', '2.5 ').replace('327.0', '  9.9'))
    assert differ(old, old.replace('0.816', '0.815'))
    md = "| method | macro-F1 | seconds |\n|---|---|---|\n| pgkd | 0.7609 | 51 |"
    assert same(md, md.replace('51', '7')) and differ(md, md.replace('0.7609', '0.7610'))
    # whole cells: outputs must keep their kinds; image bytes are not compared, but a plot must stay a plot
    assert ci.compare_outputs(_out("fit in 1.2 s\n") + _res("0.81", png=True), _out("fit in 3.4 s\n") + _res("0.81", png=True)) is None
    assert ci.compare_outputs(_res("<Figure>", png=True), _res("<Figure>")) is not None
    assert ci.compare_outputs(_out("x\n"), _out("x\n", 'stderr')) is not None and ci.compare_outputs(_out("x\n"), []) is not None
