"""Write README.md from nbs/index.ipynb (Quarto, and so nbdev_readme, cannot run here), or --check that they match.

Markdown cells are copied; code cells become ```python blocks, their text outputs ``` blocks, and Markdown outputs
(`IPython.display.Markdown`) are copied as Markdown. Cells marked `#| hide` are left out, `#| echo: false` drops the code
and keeps the output, and `#| ` directive lines are dropped. Relative links (written from `nbs/`) are made relative to the root.
"""
import json, posixpath, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def relink(md:str) -> str:
    "Markdown links relative to `nbs/` made relative to the repository root, where README.md lives."
    fix = lambda m: f"]({posixpath.normpath('nbs/' + m[1])})" if not re.match(r'[a-z]+:|#|/', m[1]) else m[0]
    return re.sub(r'\]\(([^)\s]+)\)', fix, md)

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(relink(src.strip())); continue
        lines = src.split('\n')
        flags = {l.replace(' ', '') for l in lines if l.startswith('#|')}
        if '#|hide' in flags: continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if code and '#|echo:false' not in flags: parts.append(f"```python\n{code}\n```")
        for o in c.get('outputs', []):
            d = o.get('data', {})
            if 'text/markdown' in d: parts.append(relink(''.join(d['text/markdown']).strip()))
            elif (out := ''.join(o.get('text', '') if o.get('output_type') == 'stream' else d.get('text/plain', ''))).strip():
                parts.append(f"```\n{out.rstrip()}\n```")
    return '<!-- Generated from nbs/index.ipynb by `python .ci/readme.py`: edit the notebook, not this file. -->\n\n' \
           + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    want, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if readme.read_text(encoding='utf-8') != want:
            sys.exit("README.md is out of step with nbs/index.ipynb: run `python .ci/readme.py` and commit the result")
        print("README.md matches nbs/index.ipynb")
    else: readme.write_text(want, encoding='utf-8'); print("wrote README.md")
