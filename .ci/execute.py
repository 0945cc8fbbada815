"""Re-execute notebooks in place so they carry their outputs: `python .ci/execute.py nbs/08_loop.ipynb [...]` (no argument: every notebook).

Cells flagged `#| slow`, `#| llm` or `#| cuda` are not run and keep the outputs they were committed with (from a run on a machine
that could run them). Plots are small PNGs (50 dpi); widget views are reduced to their text (a notebook carries no widget state), then `nbdev_clean` tidies the file.
Each notebook runs from its own folder, as nbdev_test runs it. Stops at the first error, naming the notebook."""
import re, subprocess, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

SKIP = {'slow', 'llm', 'cuda'}
WIDGET = 'application/vnd.jupyter.widget-view+json'
SMALL_PLOTS = "import matplotlib.pyplot as plt; plt.rcParams.update({'figure.dpi': 50, 'savefig.dpi': 50})   # plots as small PNGs"

def _skip(cell):
    flags = set(re.findall(r'^#\|\s*([\w-]+)\s*$', cell.source, re.M))
    return bool(flags & SKIP)

def execute(path: Path):
    nb = read_nb(path)
    kept = {i: c.get('outputs', []) for i, c in enumerate(nb.cells) if c.cell_type == 'code' and _skip(c)}
    sh = CaptureShell(path=path.parent, mpl_format='png')
    sh.run(SMALL_PLOTS)   # set up the kernel first (run_all's inject_code would replace the notebook's first cell)
    sh.run_all(nb, exc_stop=True, preproc=_skip)
    for i, c in enumerate(nb.cells):
        if i in kept: c['outputs'] = kept[i]
        for o in c.get('outputs', []):
            if WIDGET in o.get('data', {}): o['data'] = {k: v for k, v in o['data'].items() if k == 'text/plain'}
    nb.metadata.pop('widgets', None)
    write_nb(nb, path)

if __name__ == '__main__':
    root = Path(__file__).resolve().parents[1]
    nbs = [Path(p).resolve() for p in sys.argv[1:]] or sorted(p for p in (root/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
    for p in nbs:
        print(f"executing {p.relative_to(root)}", flush=True)
        try: execute(p)
        except Exception as e: sys.exit(f"{p.relative_to(root)}: {type(e).__name__}: {e}")
    subprocess.run(['nbdev_clean'], cwd=root, check=True)
