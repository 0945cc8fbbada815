"""The PGKD control panel in a real browser: JupyterLab (headless, on loopback) driven by Playwright with the system Chromium.

It opens a copy of the quickstart tutorial, runs all cells, clicks *Next round*, turns on review, clicks *Next round*
again, unticks two of the teacher's samples, clicks *Accept & train*, and checks what a user sees: review rows at full
height, the status line's counts, and the history's added/rejected counts (n - 2 accepted, the 2 dropped rejected).

Screenshots, the page's console log and the measured sizes go to `$PGKD_ARTIFACTS` (else `.artifacts/browser-<time>/`
in the repository, git-ignored); the test prints the folder. Needs `jupyterlab` and `playwright` (the dev extras) and
a Chromium: `$PGKD_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH (Debian: `apt-get install chromium`;
Playwright's own browser download is not used). A missing piece FAILS the test: it is never skipped.
"""
import json, os, re, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
QUICKSTART = REPO/'nbs'/'tutorials'/'quickstart.ipynb'
T = 60_000                 # ms: the default wait for anything in the page (2 shared cores: be generous)
T_RUN_ALL = 240_000        # ms: open the notebook, start the kernel, run every cell of the quickstart
T_ROUND = 120_000          # ms: one round of the loop
MIN_ROW_PX = 28            # a review row (checkbox + one line of text) must be drawn at least this high

# --- what the test needs: each one missing is a failure that says how to install it -------------------------------

def chromium_path() -> str:
    "The Chromium to drive: $PGKD_CHROMIUM, else `chromium` / `chromium-browser` on the PATH, else Debian's binary."
    env = os.environ.get('PGKD_CHROMIUM')
    if env:
        p = shutil.which(env) or env
        if not (os.path.isfile(p) and os.access(p, os.X_OK)): pytest.fail(f"$PGKD_CHROMIUM={env}: not an executable file")
        return p
    for name in ('chromium', 'chromium-browser'):
        if p := shutil.which(name): return p
    for p in ('/usr/lib/chromium/chromium', '/usr/bin/chromium', '/snap/bin/chromium'):
        if os.access(p, os.X_OK): return p
    pytest.fail("no Chromium found (tried $PGKD_CHROMIUM, chromium, chromium-browser): "
                "install it (Debian: apt-get install -y chromium) or set PGKD_CHROMIUM to its path. "
                "This test is never skipped: CI must be able to run it.")

def need_python(mod, pip):
    import importlib
    try: return importlib.import_module(mod)
    except ImportError as e:
        pytest.fail(f"{mod} is not installed ({e}): pip install -c constraints.txt -e '.[dev]' (it needs {pip}). "
                    "This test is never skipped: CI must be able to run it.")

# --- JupyterLab ------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def notebook_copy(root: Path) -> str:
    "The quickstart, outputs cleared, in `root` (so what the browser shows is what this run computed)."
    nb = json.loads(QUICKSTART.read_text())
    for c in nb['cells']:
        if c['cell_type'] == 'code': c['outputs'], c['execution_count'] = [], None
    nb['metadata']['kernelspec'] = {'display_name': 'Python 3 (ipykernel)', 'language': 'python', 'name': 'python3'}
    (root/'quickstart.ipynb').write_text(json.dumps(nb, indent=1))
    return 'quickstart.ipynb', len(nb['cells'])

class Lab:
    "A JupyterLab server on 127.0.0.1 (a free port, a random token) over a temporary root folder, in its own process group."
    def __init__(self, tmp: Path, log: Path, timeout=120):
        self.root, self.token, self.log = tmp/'root', secrets.token_hex(16), log
        self.root.mkdir()
        settings = tmp/'lab-settings'/'@jupyterlab'/'apputils-extension'
        settings.mkdir(parents=True)   # no news or update toasts over the page
        (settings/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp/'config'), JUPYTER_DATA_DIR=str(tmp/'data'),
                   JUPYTER_RUNTIME_DIR=str(tmp/'runtime'), JUPYTERLAB_SETTINGS_DIR=str(tmp/'lab-settings'),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp/'workspaces'), PYTHONUNBUFFERED='1')
        env.pop('MPLBACKEND', None)    # the kernel draws inline, as for a user
        self.notebook, self.n_cells = notebook_copy(self.root)
        for _ in range(3):             # a port taken between free_port() and the bind: try another
            self.port = free_port()
            self.url = f'http://127.0.0.1:{self.port}'
            cmd = [sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--ip=127.0.0.1', f'--port={self.port}',
                   '--ServerApp.port_retries=0', '--allow-root', f'--IdentityProvider.token={self.token}',
                   f'--ServerApp.root_dir={self.root}', '--ServerApp.disable_check_xsrf=False', '--LabApp.news_url=',
                   '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
            self.logf = open(log, 'a')
            self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=self.logf, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait(timeout): return
            self.close()
        pytest.fail(f"JupyterLab did not start; its log, {log}:\n{log.read_text()[-4000:]}")

    def _wait(self, timeout) -> bool:
        "Wait until the server answers /api/status (True), or it exits / `timeout` s pass (False)."
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None: return False
            try:
                with urllib.request.urlopen(f'{self.url}/api/status?token={self.token}', timeout=5) as r:
                    if r.status == 200: return True
            except OSError: pass
            time.sleep(0.5)
        return False

    def close(self):
        if self.proc.poll() is None:
            try:
                req = urllib.request.Request(f'{self.url}/api/shutdown?token={self.token}', method='POST')
                urllib.request.urlopen(req, timeout=10).close()
                self.proc.wait(20)
            except Exception: pass
        if self.proc.poll() is None:
            import signal
            try: os.killpg(self.proc.pid, signal.SIGTERM); self.proc.wait(10)
            except Exception:
                try: os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError: pass
        self.logf.close()

# --- the test ----------------------------------------------------------------------------------------------------------

@pytest.fixture
def artifacts(capsys):
    d = Path(os.environ['PGKD_ARTIFACTS']) if os.environ.get('PGKD_ARTIFACTS') else REPO/'.artifacts'/time.strftime('browser-%Y%m%d-%H%M%S')
    d.mkdir(parents=True, exist_ok=True)
    with capsys.disabled(): print(f"\n[test_browser] screenshots and logs: {d}", flush=True)
    return d

STATUS = r'round \S+ of \d+ · train \d+'   # the first line of the panel's status line

def test_panel_in_a_real_browser(tmp_path, artifacts, capsys):
    need_python('jupyterlab', 'jupyterlab'); need_python('ipykernel', 'ipykernel (a dependency of jupyterlab)')
    pw = need_python('playwright.sync_api', 'playwright')
    exe = chromium_path()
    t0, times, facts = time.time(), {}, {}
    lap = lambda what: times.__setitem__(what, round(time.time() - t0, 1))
    lab = Lab(tmp_path, artifacts/'jupyterlab.log')
    lap('jupyterlab up')
    console = []
    shot = lambda what, loc=None: (loc or page).screenshot(path=str(artifacts/f'{len(list(artifacts.glob("*.png"))):02d}-{what}.png'))
    try:
        with pw.sync_playwright() as p:
            try: browser = p.chromium.launch(executable_path=exe, headless=True,
                                             args=['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'])
            except Exception as e: pytest.fail(f"Playwright could not start Chromium at {exe}: {e}")
            page = None
            try:
                page = browser.new_page(viewport={'width': 1400, 'height': 1100})
                page.set_default_timeout(T)
                page.on('console', lambda m: console.append(f'{m.type}: {m.text}'))
                page.on('pageerror', lambda e: console.append(f'pageerror: {e}'))
                _run(page, pw, lab, shot, lap, facts)
            finally:
                (artifacts/'console.log').write_text('\n'.join(console))
                try: page and page.screenshot(path=str(artifacts/'99-last.png'))
                except Exception: pass   # a screenshot of a page that is gone: the failure above says why
                browser.close()
    finally:
        lab.close()
        lap('total')
        facts['seconds'] = times
        (artifacts/'facts.json').write_text(json.dumps(facts, indent=1, default=str))
        with capsys.disabled():
            print(f"[test_browser] timings (s since start): {times}", flush=True)
            for x in facts.get('problems', []): print(f"[test_browser] problem: {x}", flush=True)
    problems = facts.get('problems', [])
    problems += [f'the page raised: {c}' for c in console if c.startswith('pageerror')]
    problems += [f'the console logged a widget error: {c}' for c in console if c.startswith('error') and 'widget' in c.lower()]
    if times['total'] > 300: problems.append(f"the test took {times['total']:.0f}s, over its 5-minute budget")
    assert not problems, '; '.join(problems) + f' (screenshots: {artifacts})'

def _run(page, pw, lab, shot, lap, facts):
    expect = pw.expect
    problems = facts['problems'] = []
    page.goto(f'{lab.url}/lab/tree/{lab.notebook}?token={lab.token}', timeout=T_RUN_ALL)
    nb = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)').first
    expect(nb.locator('.jp-Cell')).to_have_count(lab.n_cells, timeout=T_RUN_ALL)
    # the kernel: started, connected and idle before anything runs
    kernel_idle(page, expect)
    lap('notebook open, kernel idle')
    shot('notebook-open')

    # Run > Run All Cells, as a user does; then wait for the panel (the last cell's output)
    run_all(page)
    panel = nb.locator('.jp-OutputArea-output:has(button:has-text("Next round"))')
    end, asked = time.time() + T_RUN_ALL/1000, 0
    while panel.count() != 1:
        if asked < 3 and select_kernel_dialog(page):   # the kernel was not ready after all: pick it, wait, run again
            asked += 1; kernel_idle(page, expect); run_all(page)
        if time.time() > end: expect(panel).to_have_count(1, timeout=1000)   # fails, saying what it waited for
        page.wait_for_timeout(500)
    wait_all_run(page, nb, expect)
    lap('all cells run')
    errs = nb.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
    assert errs.count() == 0, f"a cell raised: {errs.first.inner_text()[-2000:]}"
    panel.scroll_into_view_if_needed()
    status = panel.locator('.widget-html-content', has_text=re.compile(STATUS))
    expect(status).to_have_count(1)
    expect(status).to_contain_text('ready: click Next round')
    m = re.search(r'round \S+ of (\d+)', status.inner_text()); steps = int(m.group(1))
    shot('panel-ready', panel)
    watch_status(status)

    button = lambda name: panel.locator('button', has_text=re.compile(rf'^\s*{re.escape(name)}\s*$'))
    # round 0: the student on the labelled data
    button('Next round').click()
    expect(status).to_contain_text(re.compile(rf'round 0 of {steps} · train \d+.*paused', re.S), timeout=T_ROUND)
    n0 = int(re.search(r'train (\d+)', status.inner_text()).group(1))
    lap('round 0')
    shot('round-0', panel)

    # review on, round 1: the panel stops with the teacher's samples, each with a ticked box
    review = panel.locator('.widget-checkbox', has_text='review samples').locator('input[type=checkbox]')
    review.check()
    expect(review).to_be_checked()
    expect(button('Accept & train')).to_be_disabled()
    button('Next round').click()
    expect(status).to_contain_text(re.compile(r'review the \d+ new samples'), timeout=T_ROUND)
    n = int(re.search(r'review the (\d+) new samples', status.inner_text()).group(1))
    lap('round 1: review')
    expect(button('Accept & train')).to_be_enabled()
    expect(panel.locator('.lm-TabBar-tab.lm-mod-current')).to_contain_text('Samples')
    rows = panel.locator('.widget-tab-contents .widget-hbox:has(input[type=checkbox])').filter(visible=True)
    expect(rows).to_have_count(n)
    expect(rows.locator('input[type=checkbox]:checked')).to_have_count(n)
    expect(panel.locator('.widget-tab-contents').filter(visible=True)).to_contain_text(
        f'Round 1: {n} samples from the teacher, not yet in the training set')
    shot('review', panel)
    geo = measure_rows(page, rows)
    rows.last.scroll_into_view_if_needed(); shot('review-scrolled-to-the-end', panel); rows.first.scroll_into_view_if_needed()
    facts['review'] = dict(n=n, n_train_round0=n0, **geo)
    small = [h for h in geo['row_heights'] if h < MIN_ROW_PX]
    if small:
        problems.append(f"{len(small)} of {n} review rows are drawn under {MIN_ROW_PX}px high "
                        f"(heights {min(geo['row_heights'])}-{max(geo['row_heights'])}px; their content needs "
                        f"{min(geo['content_heights'])}-{max(geo['content_heights'])}px; box {geo['box']})")
    if geo['overlaps']: problems.append(f"{geo['overlaps']} review rows overlap the row above")
    if geo['box']['scrollHeight'] > geo['box']['clientHeight'] + 1 and not geo['box']['scrolls']:
        problems.append(f"the review box does not scroll: {geo['box']}")

    # untick two samples, accept: n - 2 join the training set, 2 are rejected by the reviewer
    drop = [1, 3]
    dropped = []
    for i in drop:
        row = rows.nth(i)
        row.scroll_into_view_if_needed()
        dropped.append(row.locator('.widget-html-content').inner_text().split(' · ', 1)[-1].strip())
        row.locator('input[type=checkbox]').uncheck()
        expect(row.locator('input[type=checkbox]')).not_to_be_checked()
    expect(rows.locator('input[type=checkbox]:checked')).to_have_count(n - 2)
    shot('review-two-unticked', panel)
    button('Accept & train').click()
    expect(status).to_contain_text(re.compile(rf'round 1 of {steps} · train {n0 + n - 2}\b.*paused', re.S), timeout=T_ROUND)
    lap('round 1: accepted, trained')
    expect(button('Accept & train')).to_be_disabled()
    expect(button('Next round')).to_be_enabled()
    seen = status.evaluate('e => e.__pgkdSeen || []')
    facts['status_lines'] = seen
    said = [s for s in seen if re.search(rf'\b{n - 2} samples accepted, 2 dropped', s)]
    if not said: problems.append(f"the status line never said '{n - 2} samples accepted, 2 dropped' (it said: {seen})")
    shot('accepted', panel)

    # what the Samples tab says now: n - 2 joined, the 2 dropped ones struck out
    samples = panel.locator('.widget-tab-contents > :not(.lm-mod-hidden)').filter(visible=True)
    expect(samples).to_contain_text(f'Round 1: {n - 2} samples joined the training set; you dropped 2')
    struck = samples.locator('s').all_inner_texts()
    assert sorted(s.strip() for s in struck) == sorted(dropped), (struck, dropped)

    # the History tab: round 1 added n - 2, rejected at least the 2 dropped
    panel.locator('.lm-TabBar-tab', has_text='History').click()
    table = panel.locator('.widget-tab-contents table').filter(visible=True)
    expect(table).to_have_count(1)
    shot('history', panel)
    hist = table.evaluate('''t => { const h = [...t.querySelectorAll('thead th')].map(e => e.innerText.trim());
        return [...t.querySelectorAll('tbody tr')]'''
        '''.map(r => Object.fromEntries([...r.children].map((c, i) => [h[i], c.innerText.trim()]))); }''')
    facts['history'] = hist
    assert [int(h['round']) for h in hist] == [0, 1], hist
    r0, r1 = hist
    assert int(r0['n_train']) == n0 and int(r0['added']) == 0
    assert int(r1['added']) == n - 2, f"history says round 1 added {r1['added']}, expected {n} - 2 = {n - 2}"
    assert int(r1['n_train']) == n0 + n - 2, r1
    assert int(r1['rejected']) >= 2, f"history says round 1 rejected {r1['rejected']}; the reviewer dropped 2"
    lap('checked')

def run_all(page):
    "Run > Run All Cells, from the menu bar."
    page.locator('.lm-MenuBar-itemLabel', has_text=re.compile(r'^Run$')).click()
    page.locator('.lm-Menu-itemLabel', has_text=re.compile(r'^Run All Cells$')).click()

def kernel_idle(page, expect):
    "Wait until the status bar says the notebook's Python kernel is connected and idle."
    expect(page.locator('#jp-main-statusbar')).to_contain_text(re.compile(r'Python 3.*\|\s*Idle'), timeout=T_RUN_ALL)

def select_kernel_dialog(page) -> bool:
    "If JupyterLab asks which kernel to use, accept its choice (Python 3); True if it asked."
    d = page.locator('.jp-Dialog', has_text='Select Kernel')
    if not d.count(): return False
    d.locator('button.jp-mod-accept').click()
    return True

def wait_all_run(page, nb, expect):
    "Wait until no cell is queued or running ([*]) and the kernel is idle, twice in a row (the UI updates asynchronously)."
    for _ in range(2):
        expect(nb.locator('.jp-InputPrompt', has_text='[*]')).to_have_count(0, timeout=T_RUN_ALL)
        kernel_idle(page, expect)
        page.wait_for_timeout(500)

def watch_status(status):
    "Record every text the status line shows (some last only while the student trains) in the element's __pgkdSeen."
    status.evaluate('''e => { e.__pgkdSeen = [e.innerText];
        new MutationObserver(() => { const t = e.innerText; if (e.__pgkdSeen.at(-1) !== t) e.__pgkdSeen.push(t); })
          .observe(e, {childList: true, subtree: true, characterData: true}); }''')

def measure_rows(page, rows) -> dict:
    "Heights of the review rows as drawn, the heights their content needs, overlaps, and the box they sit in."
    return rows.first.evaluate('''(first, n) => {
        const box = first.parentElement, rows = [...box.children].filter(r => r.querySelector('input[type=checkbox]'));
        const rs = rows.map(r => r.getBoundingClientRect());
        const content = rows.map(r => Math.max(...[...r.children].map(c => c.scrollHeight)));
        let overlaps = 0; for (let i = 1; i < rs.length; i++) if (rs[i].top < rs[i-1].bottom - 1) overlaps++;
        const before = box.scrollTop; box.scrollTop = 50; const scrolls = box.scrollTop > 0; box.scrollTop = before;
        const cs = getComputedStyle(rows[0]), r1 = x => Math.round(x * 10) / 10;
        const boxes = rows.map(r => r.querySelector('input[type=checkbox]').closest('.widget-checkbox') || r.children[0]);
        return {row_heights: rs.map(r => r1(r.height)), content_heights: content, overlaps,
                checkbox_widths: boxes.map(b => r1(b.getBoundingClientRect().width)),
                text_left: rows.map((r, i) => r1(r.children[r.children.length - 1].getBoundingClientRect().left - rs[i].left)),
                row_css: {flex: cs.flex, display: cs.display, minHeight: cs.minHeight},
                box: {clientHeight: box.clientHeight, scrollHeight: box.scrollHeight, scrolls, overflowY: getComputedStyle(box).overflowY}};
    }''', 0)
