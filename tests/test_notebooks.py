"The notebooks are the docs: each chapter and tutorial is committed with the outputs a reader should see (`python .ci/execute.py` makes them)."
import ast, json, re
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'
NOTEBOOKS = sorted(p for p in NBS.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)

def _flags(src): return set(re.findall(r'^#\|\s*([\w-]+)', src, re.M))

def must_show(src:str) -> bool:
    "Does this code cell certainly print or display something? A top-level `print(...)`, or a last line that is a value (not a call, not `;`-silenced)."
    lines = [l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))]
    try: body = ast.parse('\n'.join(lines)).body
    except SyntaxError: return False
    if not body: return False
    printed = any(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and getattr(s.value.func, 'id', None) == 'print' for s in body)
    last = body[-1]
    shown = isinstance(last, ast.Expr) and not isinstance(last.value, (ast.Call, ast.Constant, ast.Await)) and not lines[-1].rstrip().endswith(';')
    return printed or shown

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: str(p.relative_to(NBS)))
def test_notebook_carries_its_outputs(nb):
    cells = json.loads(nb.read_text())['cells']
    missing = []
    for i, c in enumerate(cells):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source'])
        if _flags(src) & {'export', 'exports', 'hide', 'notest', 'slow', 'llm', 'cuda'}: continue   # flagged cells keep what a capable machine recorded
        if must_show(src) and not c.get('outputs'): missing.append(f"cell {i}: {src.strip().splitlines()[-1][:60]}")
    assert not missing, f"{nb.relative_to(NBS)}: cells with no committed output (run python .ci/execute.py {nb.relative_to(NBS.parent)}): {missing}"

def test_the_check_can_fail():
    assert must_show("x = 1\nx") and must_show("print('a')") and must_show("df.head()[['a']]")
    assert not must_show("x = 1") and not must_show("test_eq(1, 1)") and not must_show("x;")
