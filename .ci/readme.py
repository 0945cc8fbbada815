"""Write README.md from nbs/index.ipynb (Quarto, and so nbdev_readme, cannot run here), or --check that they match.

Markdown cells are copied; code cells become ```python blocks, their text outputs ``` blocks.
Cells marked `#| hide` are left out, and `#|` directive lines are dropped.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(src.strip()); continue
        lines = src.split('\n')
        if any(l.strip() in ('#| hide', '#|hide') for l in lines): continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if code: parts.append(f"```python\n{code}\n```")
        out = ''.join(''.join(o.get('text', '')) if o.get('output_type') == 'stream'
                      else ''.join(o.get('data', {}).get('text/plain', '')) for o in c.get('outputs', []))
        if out.strip(): parts.append(f"```\n{out.rstrip()}\n```")
    return '<!-- Generated from nbs/index.ipynb by `python .ci/readme.py`: edit the notebook, not this file. -->\n\n' \
           + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    want, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if readme.read_text(encoding='utf-8') != want:
            sys.exit("README.md is out of step with nbs/index.ipynb: run `python .ci/readme.py` and commit the result")
        print("README.md matches nbs/index.ipynb")
    else: readme.write_text(want, encoding='utf-8'); print("wrote README.md")
