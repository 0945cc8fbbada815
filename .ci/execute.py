"""Execute the notebooks the way nbdev_test does: write their outputs in, or check that the committed outputs still come out.

    python .ci/execute.py [--workers 2] [notebook ...]          # re-execute in place, so each carries its outputs
    python .ci/execute.py --check [--workers 2] [notebook ...]  # re-execute in memory, compare with the committed outputs

No notebook argument: every notebook `nbdev_test` would test (nbdev's own `nbglob`: `nbs/`, recursively, without files or
folders whose names start with `_` or `.`, nor folders holding a `.notest` file). Each notebook runs in a fresh Python
process, from its own folder, with pgkd's root on `sys.path` and `IN_TEST=1`, as nbdev_test runs it; `--workers N` runs N at once.
Every child gets the CI environment (the values of tests/run_all.sh, forced so a run on a laptop matches CI): MPLBACKEND=Agg,
PYTHONHASHSEED=0, OMP_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false, COLUMNS=80, and its own fresh, empty XDG_CACHE_HOME
(no teacher answer or embedding is replayed from an earlier run or another notebook). PGKD_MINILM and PGKD_SMOLLM2 come
from the environment, else from `.assets/env.sh` (written by tests/run_all.sh, or `python tests/assets.py > .assets/env.sh`).

Cells that are not run (nbdev_test's rules, read from nbdev): cells flagged with a `tst_flags` flag of settings.ini
(`notest slow cuda llm`), `#| eval: false` cells, cells calling `nbdev_export(`; notebooks with `skip_exec: true` in their
front matter, or whose kernel is not Python. Writing keeps the committed outputs of those cells, except that it does run
`#| notest` cells, so they show outputs too (`#| slow`, `#| llm` and `#| cuda` cells keep the outputs recorded on a
machine that could run them). Plots are small PNGs (50 dpi); widget views are reduced to their text (a notebook carries no
widget state); then `nbdev_clean` tidies the written notebook.

--check executes exactly the cells nbdev_test executes, so it replaces nbdev_test: an exception fails the notebook (the
notebook, the cell and the error are named). It writes nothing. For each executed code cell it compares the new outputs
with the committed ones: the text of stdout and stderr streams, and the `text/plain`, `text/markdown` and `text/html` of
display data and results. Image bytes are not compared, but an output that had an image must still have one (and no new
one may appear); other MIME types (widget views, javascript) are ignored. Before comparing, both sides are normalised:

* Timings are masked, so any value passes (the tolerance for timings is unlimited): wall time on shared CI cores varies
  several-fold, and no timing pgkd prints is a result. A timing is: a number followed by a time or rate unit (`1.2 s`,
  `3ms`, `40 µs`, `2 min`, `3 h`, `12 it/s`, `2,930 texts/s`, `5.4 texts/min`, any `<word>/s|sec|min|h`) or a size
  unit (`1,218 bytes`, `282 MB`, `1.5 GiB`: peak memory varies, and so do the sizes of files that hold timings, PIDs or
  plots); the value of a key or keyword argument whose name says time, speed
  or memory (`'fit_s': 0.175`, `latency_p50_ms=`, `'peak_rss_mb':`, `texts_per_s`, `seconds`, `elapsed`, ...); a number
  following `took`, `elapsed`, `duration`, `seconds` or `wall time`; the numbers in a table column whose header says so
  (`sec`, `seconds`, `fit_seconds`, `texts/min`, ...) in space-aligned text tables (pandas, pgkd's round table: a number
  right- or left-aligned with the header), Markdown tables and HTML tables; tqdm progress bars. Only what a terminal
  would show is compared (text overwritten after a carriage return is dropped).
* Machine- and run-specific text: temporary paths (anything under /tmp, /var/tmp or the temp folder, and `tmpXXXXXXXX`
  names), this checkout's root, site-packages folders and the home folder; loopback ports (`127.0.0.1:NNNN`, `localhost:`
  with 4-5 digits); PIDs (`PID 1234`, `pid=1234`); dates and clock times (`2026-01-31`, `2026-01-31T12:00:00Z`,
  `12:00:05`); memory addresses (`0x7f3a...`); this machine's hostname and `host=`/`hostname:` values; IPython's
  `<ipython-input-N-hash>` cell names.
* Runs of spaces and tabs compare equal to one space and lines are stripped (column widths follow the width of a masked
  timing); trailing blank lines are dropped.

Numbers (`-12`, `0.8123`, `1,794,520`, `2.3e-06`) are then compared with a tolerance, everything else exactly. Integers
must be equal. Other numbers must agree within a relative 1e-6 (`math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)`): seeded
code run again on the same kind of machine reproduces its numbers exactly; the slack only absorbs the last digits of a full
float repr (BLAS summation order, e.g. 0.6927675673993358 vs ...356). It is far below the last printed digit of any rounded
metric, so 0.8123 -> 0.8124 fails, and so does a printed rounding that flips (that is real non-determinism: seed it).

Why not nbval (0.11.0, measured on nbs/08_loop.ipynb): it fails the first compared cell with "Unrun reference cell has
outputs", because nbdev_clean strips the execution counts it reads as "ran"; and its regex sanitizers cannot give a tolerance
on numbers nor mask a table's timing column by its header, which is most of what is masked here.

Every difference is reported with its notebook, the cell's index and first line, and the first differing line (committed
vs new, normalised, shortened); the exit status is non-zero when any cell differs or any notebook fails."""
import argparse, json, math, os, re, socket, subprocess, sys, sysconfig, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITE_SKIP_EXEMPT = {'notest'}   # writing runs these (their outputs are shown); checking skips them, as nbdev_test does
WIDGET = 'application/vnd.jupyter.widget-view+json'
TEXT_MIMES = ('text/plain', 'text/markdown', 'text/html')
SMALL_PLOTS = ("import matplotlib.pyplot as _plt; _plt.rcParams.update({'figure.dpi': 50, 'savefig.dpi': 50}); del _plt"
               "   # plots as small PNGs")
CI_ENV = dict(MPLBACKEND='Agg', PYTHONHASHSEED='0', OMP_NUM_THREADS='1', TOKENIZERS_PARALLELISM='false', COLUMNS='80',
              IN_TEST='1')
REL_TOL, ABS_TOL = 1e-6, 1e-12

# ---------------------------------------------------------------------------------------------- normalising and comparing
NUM = r'(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\d])'
_NUM = re.compile(NUM)
_TIME_UNIT = r'(?:s|ms|us|µs|μs|ns|sec|secs|second|seconds|min|mins|minute|minutes|h|hr|hrs|hour|hours)'
_MEM_UNIT = r'(?:[kKMGT]i?B|bytes?)'
_UNIT_RE = re.compile(rf"({NUM})\s?(?:{_TIME_UNIT}|{_MEM_UNIT}|[A-Za-z]+/(?:s|sec|second|min|minute|h|hour))(?![\w/])")
_UNIT_AFTER_MASK = re.compile(rf"<t>\s?(?:{_TIME_UNIT}|{_MEM_UNIT}|[A-Za-z]+/(?:s|sec|second|min|minute|h|hour))(?![\w/])")
_TIMEWORDS = {'s', 'ms', 'us', 'µs', 'ns', 'sec', 'secs', 'second', 'seconds', 'time', 'elapsed', 'duration', 'latency',
              'wall', 'walltime', 'rss', 'mb', 'mib', 'gb', 'gib', 'kb', 'kib', 'throughput', 'speed', 'took'}
_PER = {'s', 'sec', 'second', 'min', 'minute', 'h', 'hour'}

def timeword(name: str) -> bool:
    "Does a key, keyword or column header `name` say that its value is a time, a speed or a memory size?"
    n = name.strip('\'"`*').lower()
    if re.search(r'/(?:s|sec|second|min|minute|h|hour)$', n): return True
    parts = [p for p in re.split(r'[_\s\-./()\[\]]+', n) if p]
    return any(p in _TIMEWORDS for p in parts) or any(a == 'per' and b in _PER for a, b in zip(parts, parts[1:]))

def _mask_spans(line, spans, mask='<t>'):
    for a, b in sorted(spans, reverse=True): line = line[:a] + mask + line[b:]
    return line

def _aligned(m, a, b): return m.end() == b or m.start() == a

def _mask_text_tables(lines):
    """Space-aligned tables: mask the numbers aligned (right or left) with a header that says time/speed/memory. A table
    starts at a header row (two spaces between some headers, no number) and ends at a blank line; a line in it is a row
    when at least half of the headers have a token aligned with them (other lines, e.g. a progress note, are left alone)."""
    out, cols, heads = [], None, None
    for line in lines:
        if not line.strip(): cols = None; out.append(line); continue
        toks = list(re.finditer(r'\S+', line))
        hdr = [(m.start(), m.end()) for m in toks if timeword(m.group())]
        if hdr and not _NUM.search(line) and '  ' in line.strip():   # a header row
            cols, heads = hdr, [(m.start(), m.end()) for m in toks]; out.append(line); continue
        if cols and 2 * sum(any(_aligned(m, a, b) for m in toks) for a, b in heads) >= len(heads):
            line = _mask_spans(line, [(m.start(), m.end()) for m in _NUM.finditer(line) if any(_aligned(m, a, b) for a, b in cols)])
        out.append(line)
    return out

def _mask_md_tables(lines):
    "Markdown tables: mask the numbers in a column whose header says time/speed/memory."
    out, cols, n = [], None, 0
    for line in lines:
        s = line.strip()
        if not s.startswith('|'): cols = None; out.append(line); continue
        cells = s.strip('|').split('|')
        if cols is None:
            cols, n = {i for i, c in enumerate(cells) if timeword(c.strip())}, len(cells)
        elif len(cells) == n and cols:
            cells = [_NUM.sub('<t>', c) if i in cols else c for i, c in enumerate(cells)]
            line = '|' + '|'.join(cells) + '|'
        out.append(line)
    return out

_CELL = re.compile(r'(<t[hd][^>]*>)(.*?)(</t[hd]>)', re.S)
def _mask_html_tables(s):
    "HTML tables (pandas): mask the numbers in a column whose header says time/speed/memory."
    def table(m):
        t = m.group(0)
        head = re.search(r'<thead.*?</thead>', t, re.S)
        cols = set()
        for r in re.findall(r'<tr.*?</tr>', head.group(0) if head else '', re.S):
            cols |= {i for i, c in enumerate(_CELL.findall(r)) if timeword(re.sub(r'<[^>]+>', '', c[1]).strip())}
        if not cols: return t
        def row(r):
            i = iter(range(10**6))
            return _CELL.sub(lambda c: c.group(1) + (_NUM.sub('<t>', c.group(2)) if next(i) in cols else c.group(2)) + c.group(3),
                             r.group(0))
        body = re.search(r'<tbody.*?</tbody>', t, re.S)
        if not body: return t
        return t[:body.start()] + re.sub(r'<tr.*?</tr>', row, body.group(0), flags=re.S) + t[body.end():]
    return re.sub(r'<table.*?</table>', table, s, flags=re.S)

def _tmp_dirs():
    ds = {'/tmp', '/var/tmp', '/private/tmp', tempfile.gettempdir(), os.environ.get('TMPDIR', '/tmp').rstrip('/')}
    return sorted((d for d in ds if d), key=len, reverse=True)

def _machine_paths():
    ps = {str(ROOT): '<repo>', **({str(Path.home()): '~'} if len(str(Path.home())) > 4 else {})}
    for k in ('purelib', 'platlib'):
        try: ps[sysconfig.get_paths()[k]] = '<site-packages>'
        except KeyError: pass
    return sorted(ps.items(), key=lambda kv: len(kv[0]), reverse=True)

_PATHCH = r"[^\s'\"`<>|,;:()\[\]{}]"
_HOST = socket.gethostname()

def normalise(text: str) -> str:
    "`text` with what legitimately varies between runs masked (see the module docstring); numbers are left for `same`."
    lines = [l.split('\r')[-1] if '\r' in l.rstrip('\r') else l.rstrip('\r') for l in text.split('\n')]  # what a terminal shows
    lines = _mask_md_tables(_mask_text_tables(lines))
    s = _mask_html_tables('\n'.join(lines))
    s = re.sub(r'\[[^\]\n]*(?:it/s|s/it|\?it/s)[^\]\n]*\]', '[<progress>]', s)                             # tqdm
    s = re.sub(r'<ipython-input-\d+-[0-9a-f]+>', '<ipython-input>', s)
    for d in _tmp_dirs(): s = re.sub(re.escape(d) + rf'/{_PATHCH}*', '<tmp>', s)                             # temp paths
    s = re.sub(r'\btmp(?:[a-z0-9_]{8}|\.[A-Za-z0-9]{10})\b', '<tmp>', s)
    for p, r in _machine_paths(): s = s.replace(p, r)
    s = re.sub(rf'/{_PATHCH}*?/site-packages\b', '<site-packages>', s)
    s = re.sub(r'\b(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\]):\d{4,5}\b', r'\1:<port>', s)                # ports
    s = re.sub(r'\b(pid|PID|Pid|process)(\s*[=:]?\s*)\d+\b', r'\1\2<pid>', s)                              # PIDs
    s = re.sub(r'\b0x[0-9a-fA-F]{4,}\b', '0x<addr>', s)                                                     # addresses
    s = re.sub(r'\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b', '<date>', s)
    s = re.sub(r'\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b', '<time>', s)
    if len(_HOST) >= 3: s = s.replace(_HOST, '<host>')
    s = re.sub(r'''\b(host(?:name)?['"]?\s*[=:]\s*['"]?)[\w.-]+''', r'\1<host>', s)
    s = _UNIT_RE.sub('<t>', s)                                                                              # timings
    s = _UNIT_AFTER_MASK.sub('<t>', s)   # a number a table rule masked keeps no unit, whichever rule got it first
    s = re.sub(rf'''(['"]?)([A-Za-z_][\w-]*)\1(\s*[:=]\s*)({NUM})''',
               lambda m: m.group(0)[:m.start(4) - m.start(0)] + '<t>' if timeword(m.group(2)) else m.group(0), s)
    s = re.sub(rf'^(\s*([A-Za-z_]\w*)\s+)({NUM})\s*$', lambda m: m.group(1) + '<t>' if timeword(m.group(2)) else m.group(0),
               s, flags=re.M)                                                                               # Series rows
    s = re.sub(rf'''(?<![\w'"])(took|elapsed|duration|seconds|secs|wall time)(?![\w'"])(\W{{0,3}})({NUM})''', r'\1\2<t>',
               s, flags=re.I)
    lines = [re.sub(r'[ \t]+', ' ', l).strip() for l in s.split('\n')]
    while lines and not lines[-1]: lines.pop()
    return '\n'.join(lines)

def _num(s): return float(s.replace(',', ''))
def _isint(s): return not re.search(r'[.eE]', s)

def same_line(a: str, b: str) -> bool:
    "Do two normalised lines agree: the same text around their numbers, the numbers equal within the tolerance?"
    if a == b: return True
    pa, pb = _NUM.split(a), _NUM.split(b)
    na, nb = _NUM.findall(a), _NUM.findall(b)
    if len(na) != len(nb) or pa != pb: return False
    for x, y in zip(na, nb):
        if x == y: continue
        if _isint(x) and _isint(y): return False
        if not math.isclose(_num(x), _num(y), rel_tol=REL_TOL, abs_tol=ABS_TOL): return False
    return True

def _short(s, n=110): return s if len(s) <= n else s[:n - 3] + '...'

def _window(x, y, n=100):
    "x and y shortened around where they first differ."
    i = next((k for k, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    a = max(0, min(i - 30, max(len(x), len(y)) - n))
    cut = lambda s: ('...' if a else '') + s[a:a + n] + ('...' if len(s) > a + n else '')
    return cut(x), cut(y)

def compare_text(old: str, new: str):
    "None if `new` reproduces `old` (after `normalise`, numbers within the tolerance), else the first difference, in words."
    a, b = normalise(old).split('\n'), normalise(new).split('\n')
    for i, (x, y) in enumerate(zip(a, b)):
        if not same_line(x, y): return "line {}: committed {!r} | new {!r}".format(i + 1, *_window(x, y))
    if len(a) != len(b):
        i = min(len(a), len(b))
        return f"line {i+1}: committed {_short(a[i]) if i < len(a) else '(end)'!r} | new {_short(b[i]) if i < len(b) else '(end)'!r}"
    return None

def _text(v): return ''.join(v) if isinstance(v, list) else str(v)

def output_items(outputs):
    "The comparable parts of a cell's outputs: (kind, text) for streams and text MIME types, ('image', '') for images."
    items = []
    for o in outputs or []:
        t = o.get('output_type')
        if t == 'stream':
            k = o.get('name', 'stdout')
            if items and items[-1][0] == k: items[-1] = (k, items[-1][1] + _text(o.get('text', '')))   # split streams
            else: items.append((k, _text(o.get('text', ''))))
        elif t in ('display_data', 'execute_result'):
            data = o.get('data', {})
            for m in TEXT_MIMES:
                if m in data: items.append((f"{t} {m}", _text(data[m])))
            if any(m.startswith('image/') for m in data): items.append((f"{t} image", ''))
        elif t == 'error': items.append(('error', f"{o.get('ename')}: {o.get('evalue')}"))
    return items

def compare_outputs(old, new):
    "None if a cell's `new` outputs reproduce its committed `old` ones (see the module docstring), else the difference, in words."
    a, b = output_items(old), output_items(new)
    if [k for k, _ in a] != [k for k, _ in b]:
        first = lambda its: next((f" {k} {_short(t.strip().splitlines()[0], 70)!r}" for k, t in its if t.strip()), '')
        extra = first(x for x in b if x not in a) or first(x for x in a if x not in b)
        return f"outputs differ: committed {[k for k, _ in a] or 'none'} | new {[k for k, _ in b] or 'none'}" + (
            f"; first text not on both sides:{extra}" if extra else '')
    for (k, x), (_, y) in zip(a, b):
        if (d := compare_text(x, y)): return f"{k} {d}"
    return None

# -------------------------------------------------------------------------------------------------- running one notebook
def _first_line(src):
    ls = [l for l in src.splitlines() if l.strip() and not re.match(r'\s*#\s*\|', l)]
    return _short(ls[0].strip(), 70) if ls else ''

def _with_outputs(nb, new):
    "`nb` with the new outputs of the cells that ran (widget views reduced to their text, no widget state)."
    for i, outs in new.items():
        for o in outs:
            if WIDGET in o.get('data', {}): o['data'] = {k: v for k, v in o['data'].items() if k == 'text/plain'}
        nb.cells[i]['outputs'] = outs
    nb.metadata.pop('widgets', None)
    return nb

def run_notebook(path: Path, check: bool, save_new: str = None) -> dict:
    """Run the notebook at `path` in this process (cwd: its folder); check it, or write it. A dict of what happened.
    With `check` and `save_new`, a notebook that differs or fails is also written, with its new outputs, into that folder."""
    from execnb.nbio import dict2nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.basics import str2bool
    from nbdev.config import get_config
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor, nb_lang
    text = path.read_text(encoding='utf-8')
    def load():
        nb = dict2nb(json.loads(text)); nb['path_'] = str(path)
        return nb
    committed, nb = load(), load()
    for c in nb.cells: c.orig_ = c.idx_
    nb = NBProcessor(nb=nb, procs=FrontmatterProc, process=True).nb   # as nbdev_test: directives read and removed
    fm = getattr(nb, 'frontmatter_', {})
    if str2bool(fm.get('skip_exec', False)) or nb_lang(nb) != 'python': return dict(skipped='skip_exec or not Python')
    flags = set(get_config(path=ROOT).tst_flags.split()) - (set() if check else WRITE_SKIP_EXEMPT)
    def no_eval(cell):   # nbdev.test.test_nb's _no_eval
        if cell.cell_type != 'code': return True
        if 'nbdev_export' + '(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return bool(flags & direc.keys())
    ran, current = [], [None]
    def pre(cell):
        if no_eval(cell): return True
        cell.outputs = []; current[0] = cell; ran.append(cell)   # a cell that prints nothing now must lose its old output
        return False
    sh = CaptureShell(path=path.parent, mpl_format='png')
    sh.run(SMALL_PLOTS)   # set up the kernel first (run_all's inject_code would replace the notebook's first cell)
    error, t0 = None, time.time()
    try: sh.run_all(nb, exc_stop=True, preproc=pre)
    except BaseException as e:
        c = current[0]
        tb = ''.join(__import__('traceback').format_exception(type(e), e, e.__traceback__)).strip().splitlines()
        tb = tb[next((i for i, l in enumerate(tb) if '<ipython-input' in l), 0):][-25:]   # from the cell's own frame
        error = dict(cell=getattr(c, 'orig_', None), line=_first_line(committed.cells[c.orig_].source) if c else '',
                     error=f"{type(e).__name__}: {e}", traceback='\n'.join(tb))
    res = dict(seconds=round(time.time() - t0, 1), cells_run=len(ran), error=error, diffs=[])
    new = {c.orig_: c.get('outputs', []) for c in ran if hasattr(c, 'orig_')}
    if check:
        for i, outs in new.items():
            if error and i == error['cell']: continue
            old = committed.cells[i]
            if (d := compare_outputs(old.get('outputs', []), outs)):
                res['diffs'].append(dict(cell=i, line=_first_line(old.source), diff=d))
        if save_new and (error or res['diffs']):
            dest = Path(save_new)/(path.relative_to(ROOT/'nbs') if path.is_relative_to(ROOT/'nbs') else path.name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            write_nb(_with_outputs(committed, new), dest)
    elif not error:
        write_nb(_with_outputs(committed, new), path)
        from nbdev.clean import nbdev_clean
        nbdev_clean(fname=str(path))
    return res

# ------------------------------------------------------------------------------------------------------ the parent side
def notebooks(paths):
    "The notebooks to run: those named, or the ones nbdev_test tests."
    if paths: return [Path(p).resolve() for p in paths]
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    from nbdev.test import _keep_file
    cwd = os.getcwd(); os.chdir(ROOT)   # nbglob reads the config (recursive) from the working folder
    try: files = nbglob(str(get_config(path=ROOT).nbs_path), as_path=True)
    finally: os.chdir(cwd)
    return [f.resolve() for f in sorted(files) if _keep_file(f, '.notest')]

def _env_file():
    f, env = ROOT/'.assets'/'env.sh', {}
    if f.exists():
        for m in re.finditer(r'^\s*export\s+(\w+)=(.*)$', f.read_text(), re.M): env[m.group(1)] = m.group(2).strip().strip('"\'')
    return env

def child_env(cache):
    env = dict(os.environ)
    for k, v in _env_file().items(): env.setdefault(k, v)
    env.update(CI_ENV, XDG_CACHE_HOME=cache)
    return env

def _spawn(path: Path, check: bool, save_new=None) -> dict:
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix='pgkd-nb-') as d:
        out, cache = Path(d)/'result.json', Path(d)/'cache'
        cache.mkdir()
        cmd = ([sys.executable, str(Path(__file__).resolve()), '--one', str(path), '--result', str(out)] + (['--check'] if check else [])
               + (['--save-new', save_new] if save_new else []))
        p = subprocess.run(cmd, cwd=path.parent, env=child_env(str(cache)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if out.exists(): res = json.loads(out.read_text())
        else: res = dict(error=dict(cell=None, line='', error=f"the notebook's process ended with status {p.returncode}",
                                    traceback='\n'.join(p.stdout.strip().splitlines()[-15:])), diffs=[])
    res.update(nb=str(rel), wall=round(time.time() - t0, 1))
    status = ('skipped: ' + res['skipped']) if res.get('skipped') else ('FAILED' if res.get('error') else
             (f"{len(res['diffs'])} cell(s) differ" if res['diffs'] else 'ok'))
    print(f"{'checked' if check else 'executed'} {rel} in {res['wall']:.0f}s: {status}", flush=True)
    return res

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks to run (default: those nbdev_test tests)')
    ap.add_argument('--check', action='store_true', help='compare with the committed outputs; write nothing')
    ap.add_argument('--workers', type=int, default=1, help='notebooks run at once, each in its own process')
    ap.add_argument('--save-new', metavar='DIR',
                    help='with --check: write each notebook that differs or fails, with its new outputs, into DIR')
    ap.add_argument('--one', help=argparse.SUPPRESS)
    ap.add_argument('--result', help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one:   # the child: one notebook, in this process
        sys.path.insert(0, str(ROOT))
        res = run_notebook(Path(a.one), a.check, a.save_new)
        Path(a.result).write_text(json.dumps(res))
        return 0
    nbs, t0 = notebooks(a.notebooks), time.time()
    save_new = str(Path(a.save_new).resolve()) if a.save_new else None
    with ThreadPoolExecutor(max(1, a.workers)) as ex: results = list(ex.map(lambda p: _spawn(p, a.check, save_new), nbs))
    failed = [r for r in results if r.get('error')]
    diffs = [(r['nb'], d) for r in results for d in r.get('diffs', [])]
    for r in failed:
        e = r['error']
        where = f"cell {e['cell']} `{e['line']}`" if e.get('cell') is not None else 'setting up'
        print(f"\nFAILED {r['nb']} {where}: {e['error']}\n{e.get('traceback', '')}")
    if diffs:
        print(f"\n{len(diffs)} cell(s) whose outputs differ from the committed ones "
              f"(rerun `python .ci/execute.py NOTEBOOK` to record them if the change is meant):")
        for nb, d in diffs: print(f"- {nb} cell {d['cell']} `{d['line']}`: {d['diff']}")
    n = sum(not r.get('skipped') for r in results)
    print(f"\n{n} notebook(s) {'checked' if a.check else 'executed'} in {time.time() - t0:.0f}s with {a.workers} worker(s); "
          f"{len(failed)} failed, {len(diffs)} cell(s) differ", flush=True)
    return 1 if failed or diffs else 0

if __name__ == '__main__': sys.exit(main())
