"""The HTML docs (`python .ci/docs.py`) in a real browser: every page, served over loopback, opened in headless Chromium.

Builds the docs into a temporary folder, serves it with `http.server` on 127.0.0.1 and opens each page (one browser,
one context, pages one after another) with Playwright and the system Chromium. For each page: HTTP 200, no console
error, no page error, no request that fails or leaves the machine, a title and text a reader sees; as many loaded
`<img>` (naturalWidth > 0) as its notebook has plots, and output areas if its notebook has code outputs. Every notebook
in nbs/ has a page, and every link between pages leads to a page that exists. Needs `playwright` and a Chromium (see
tests/test_browser.py): a missing piece FAILS the test, it is never skipped.
"""
import functools, http.server, json, re, subprocess, sys, threading, time
from pathlib import Path
from urllib.parse import urlsplit
from test_browser import REPO, chromium_path, need_python

T = 60_000   # ms: the longest wait for one page (2 shared cores)

def shown(cell) -> bool:
    "Whether the docs show this cell's outputs (nbdev drops `#| hide` cells; Quarto's `include`/`output: false` drop outputs)."
    src = ''.join(cell['source'])
    opts = dict(re.findall(r'^#\|\s*([\w-]+)(?::\s*(.*?))?\s*$', src, re.M))
    return 'hide' not in opts and opts.get('include') != 'false' and opts.get('output') != 'false'

def expected(src: str) -> dict:
    "What the committed notebook nbs/`src` says its page must show: how many images, whether code outputs."
    cells = [c for c in json.loads((REPO/'nbs'/src).read_text())['cells'] if c['cell_type'] == 'code' and shown(c)]
    outs = [o for c in cells for o in c.get('outputs', [])]
    return dict(images=sum(k.startswith('image/') for o in outs for k in o.get('data', {})), outputs=bool(outs))

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def test_docs_in_a_real_browser(tmp_path, capsys):
    pw = need_python('playwright.sync_api', 'playwright')
    exe = chromium_path()
    out, t0 = tmp_path/'_docs', time.time()
    r = subprocess.run([sys.executable, '.ci/docs.py', '--out', str(out)], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, f"python .ci/docs.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"
    t_build = time.time() - t0
    pages = json.loads((out/'pages.json').read_text())
    from nbdev.doclinks import nbglob
    on_disk = {p.relative_to(REPO/'nbs').as_posix() for p in nbglob(REPO/'nbs', func=Path)}
    assert {p['src'] for p in pages} == on_disk, "a notebook without a page, or a page without a notebook"
    assert pages[0]['html'] == 'index.html' and (out/'index.html').exists()

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{server.server_address[1]}/'
    problems, links, events = [], set(), []
    try:
        with pw.sync_playwright() as p:
            args = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu']   # as tests/test_browser.py launches it
            try: browser = p.chromium.launch(executable_path=exe, headless=True, args=args)
            except Exception as e: raise AssertionError(f"Playwright could not start Chromium at {exe}: {e}")
            try:
                ctx = browser.new_context(viewport={'width': 1400, 'height': 1000})
                ctx.set_default_timeout(T)
                def route(r):   # nothing may come from outside the machine: the docs must work offline
                    if urlsplit(r.request.url).hostname == '127.0.0.1': r.continue_()
                    else: events.append(f'a request off the machine: {r.request.url}'); r.abort()
                ctx.route('**/*', route)
                page = ctx.new_page()
                page.on('console', lambda m: m.type == 'error' and events.append(f'console error: {m.text} at {m.location}'))
                page.on('pageerror', lambda e: events.append(f'page error: {e}'))
                page.on('requestfailed', lambda q: events.append(f'request failed: {q.url} ({q.failure})'))
                for pg in pages:
                    events.clear()
                    url = base + pg['html']
                    resp = page.goto(url, wait_until='load')
                    page.wait_for_load_state('networkidle')
                    where = f"{pg['html']} (nbs/{pg['src']})"
                    if resp is None or resp.status != 200: problems.append(f"{where}: HTTP {resp and resp.status}")
                    problems += [f'{where}: {e}' for e in events]
                    facts = page.evaluate('''() => ({
                        h1: document.querySelector('main h1')?.innerText || '',
                        text: document.querySelector('main')?.innerText.length || 0,
                        imgs: [...document.querySelectorAll('main img')].filter(i => i.complete && i.naturalWidth > 0).length,
                        outputs: [...document.querySelectorAll('.jp-OutputArea-output')].filter(o => o.getClientRects().length).length,
                        nav: [...document.querySelectorAll('nav.docs a')].map(a => a.href),
                        links: [...document.querySelectorAll('a[href]')].map(a => a.href)})''')
                    if facts['h1'].strip() != pg['title']:
                        problems.append(f"{where}: its title reads {facts['h1']!r}, not {pg['title']!r}")
                    if facts['text'] < 200: problems.append(f"{where}: almost no text ({facts['text']} characters)")
                    if set(facts['nav']) != {base + q['html'] for q in pages}:
                        problems.append(f"{where}: the sidebar does not link every page")
                    want = expected(pg['src'])
                    if facts['imgs'] < want['images']:
                        problems.append(f"{where}: {facts['imgs']} images loaded, the notebook has {want['images']} plots")
                    if want['outputs'] and not facts['outputs']: problems.append(f"{where}: the notebook has outputs but none is shown")
                    links |= {l.split('#')[0] for l in facts['links'] if l.startswith(base)}
            finally:
                browser.close()
    finally:
        server.shutdown(); server.server_close()
    missing = sorted(l[len(base):] for l in links if not (out/l[len(base):]).is_file())
    problems += [f'a link to a page that does not exist: {l}' for l in missing]
    with capsys.disabled():
        print(f"\n[test_docs] {len(pages)} pages: built in {t_build:.0f}s, all opened in {time.time() - t0 - t_build:.0f}s", flush=True)
    assert not problems, '\n'.join(problems)
