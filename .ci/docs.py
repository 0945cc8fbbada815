"""Build the HTML docs without Quarto (it cannot be installed here): one page per notebook, readable offline.

    python .ci/docs.py [--out _docs] [--workers 2]

1. nbdev's pre-processing, as `nbdev_proc_nbs` runs it (minus its attempt to install Quarto; like it, it refreshes
   pgkd/_modidx.py for the doc links): `_proc/` gets the processed notebooks (show_doc cells run; every other cell
   keeps the output committed with its notebook).
2. nbconvert's HTMLExporter (`lab` template) writes each processed notebook to `<out>/`, named as Quarto names it
   (the front matter's `output-file`, e.g. `00_data.ipynb` -> `data.html`), WITHOUT executing anything. Pages follow
   `nbs/sidebar.yml` (a page listed there but missing is skipped with a warning; a notebook not listed comes last);
   each has a sidebar linking every page. Nothing is loaded from the network: require.js, MathJax, mermaid and the
   widget manager are left out (LaTeX shows as source), plots are embedded PNGs. Links to notebooks (`x.ipynb`) and
   nbdev's doc links (`https://<doc_host>/<baseurl>/x.html#name`) become relative links between the pages; links
   out of `nbs/` (`../bench/README.md`) point at the file on GitHub. `<out>/pages.json` lists the pages.
"""
import argparse, html, json, os, posixpath, re, sys, yaml
from pathlib import Path

root = Path(__file__).resolve().parent.parent
TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js %}{% endblock %}{% block jupyter_widgets %}{% endblock %}
{% block html_head_js_mathjax %}{% endblock %}{% block html_head_js_mermaidjs %}{% endblock %}
{% block extra_css %}<style>
nav.docs { position: fixed; top: 0; bottom: 0; left: 0; width: 15rem; overflow-y: auto; padding: 1rem; box-sizing: border-box;
  background: #f6f7f9; border-right: 1px solid #ddd; font: 14px/1.5 system-ui, sans-serif; }
nav.docs a { display: block; color: #1a55a5; text-decoration: none; padding: 1px 4px; }
nav.docs a.here { background: #dde7f5; font-weight: 600; } nav.docs a:hover { text-decoration: underline; }
nav.docs .site { font-size: 1.3em; font-weight: 700; } nav.docs .sec { margin: .8em 0 .2em; font-weight: 600; color: #555; }
body.jp-Notebook main { margin-left: 15rem; max-width: 1100px; } header.docs { font-family: var(--jp-content-font-family); }
header.docs h1 { font-size: 2.2em; margin: .5em 0 .2em; } header.docs p { font-size: 1.15em; color: #555; }
@media (max-width: 800px) { nav.docs { position: static; width: auto; } body.jp-Notebook main { margin-left: 0; } }
</style>{% endblock %}
{% block body_header %}<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.docs_nav }}<main>{{ resources.docs_head }}{% endblock %}"""

def sidebar(items, section=''):
    "(section, notebook path) for each entry of sidebar.yml's `contents`, in order."
    for it in items or []:
        if isinstance(it, str): yield section, it
        elif 'section' in it: yield from sidebar(it.get('contents'), it['section'])
        elif 'href' in it: yield section, it['href']

def front_matter(nb) -> dict:
    "The YAML front matter nbdev puts in a processed notebook's first (raw) cell; {} if none."
    c = nb.cells[0] if nb.cells else None
    if c and c.cell_type == 'raw' and c.source.startswith('---'): return yaml.safe_load(c.source.strip().strip('-')) or {}
    return {}

def prepare(nb):
    "Honour the Quarto cell options nbdev leaves (`#| echo/output/include: false`), drop the `#|` lines, fix `[a](b){attrs}` links."
    fix = lambda md: re.sub(r'\[([^\]]*)\]\(([^)\s]*)\)\{([^}]*)\}', r'<a href="\2" \3>\1</a>', md)
    for c in nb.cells:
        if c.cell_type == 'markdown': c.source = fix(c.source)
        if c.cell_type != 'code': continue
        opts = dict(re.findall(r'^#\|\s*([\w-]+):\s*(.*?)\s*$', c.source, re.M))
        tags = c.metadata.setdefault('tags', [])
        tags += [t for k, t in (('echo', 'hide-input'), ('output', 'hide-output'), ('include', 'hide-cell')) if opts.get(k) == 'false']
        c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip()
        for o in c.get('outputs', []):
            if 'text/markdown' in o.get('data', {}): o.data['text/markdown'] = fix(o.data['text/markdown'])
    nb.metadata.pop('widgets', None)   # widget state would load the widget manager from a CDN; the views are text already
    return nb

def pages_in_order(cfg, proc: Path) -> list:
    "One dict per page (src, html, title, section, description, nb), in nbs/sidebar.yml's order; unlisted notebooks last."
    import nbformat
    from nbdev.doclinks import nbglob
    nbs = cfg.nbs_path
    found = [p.relative_to(nbs).as_posix() for p in nbglob(nbs, func=Path)]
    order = list(sidebar(yaml.safe_load((nbs/'sidebar.yml').read_text())['website']['sidebar']['contents']))
    for _, src in order:
        if src not in found: print(f"warning: {src} is in nbs/sidebar.yml but not in nbs/: skipped", file=sys.stderr)
    listed = {src for _, src in order}
    order = [(s, src) for s, src in order if src in found] + [('Other', src) for src in sorted(found) if src not in listed]
    pages = []
    for section, src in order:
        if not (proc/src).exists(): print(f"warning: no _proc/{src} (not processed): skipped", file=sys.stderr); continue
        nb = nbformat.read(proc/src, as_version=4)
        fm = front_matter(nb)
        if fm: del nb.cells[0]                       # the front matter: shown as the page's title and description
        dest = fm.get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', Path(src).stem.lower()) + '.html'   # nbdev's naming
        pages.append(dict(src=src, html=posixpath.join(posixpath.dirname(src), dest), title=str(fm.get('title', Path(src).stem)),
                          section=section, description=str(fm.get('description', '')), nb=nb))
    return pages

def relink(body: str, page: dict, html_of: dict, site: str, repo: str) -> str:
    "Rewrite the page's links: notebooks and nbdev doc links to relative page links, files outside nbs/ to GitHub."
    here = posixpath.dirname(page['html']) or '.'
    def link(m):
        href, frag = m[2], m[3] or ''
        if href.startswith(site): return f'{m[1]}{posixpath.relpath(href[len(site):], here)}{frag}"'   # a doc link
        if not href or re.match(r'[a-z]+:|/', href): return m[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page['src']), html.unescape(href)))
        if target.startswith('../'): return f'{m[1]}{repo}{target[3:]}{frag}"'                  # outside nbs/: on GitHub
        if target.endswith('.ipynb'): return f'{m[1]}{posixpath.relpath(html_of.get(target, target[:-6] + ".html"), here)}{frag}"'
        return m[0]
    body = re.sub(r'(href=")([^"#]*)(#[^"]*)?"', link, body)
    return re.sub(r'(<h[1-6] id="|<a class="anchor-link" href="#)([^"]+)"', lambda m: m[1] + m[2].lower() + '"', body)  # #textdata

def main(out: Path, workers: int) -> list:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.filters import markdown2html_mistune
    from nbconvert.preprocessors import TagRemovePreprocessor
    import nbdev.doclinks
    from nbdev.config import get_config
    from nbdev.serve import proc_nbs
    cfg = get_config()
    proc = cfg.config_path/'_proc'
    nbdev.doclinks._build_modidx()                   # what nbdev_proc_nbs does before processing (for the doc links)
    proc_nbs(cfg.nbs_path, n_workers=workers)
    pages = pages_in_order(cfg, proc)
    html_of = {p['src']: p['html'] for p in pages}
    site, repo = f"{cfg.doc_host.rstrip('/')}{cfg.doc_baseurl.rstrip('/')}/", f"{cfg.git_url.rstrip('/')}/blob/{cfg.branch}/"
    exporter = HTMLExporter(template_name='lab', extra_loaders=[DictLoader({'docs.html.j2': TEMPLATE})], template_file='docs.html.j2',
                            exclude_input_prompt=True, exclude_output_prompt=True)   # no `In [ ]:`: nothing runs here
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'hide-input'}, remove_all_outputs_tags={'hide-output'},
                                                         remove_cell_tags={'hide-cell'}, enabled=True), enabled=True)
    if (out/'pages.json').exists():                  # the last build's pages, so none that was renamed or removed stays
        for old in json.loads((out/'pages.json').read_text()): (out/old['html']).unlink(missing_ok=True)
    for p in pages:
        rel = lambda target: posixpath.relpath(target, posixpath.dirname(p['html']) or '.')
        nav, sec = [f'<a class="site" href="{rel("index.html")}">{html.escape(cfg.title)}</a>'], ''
        for q in pages:
            if q['html'] == 'index.html': continue   # the site's name above links to it
            if q['section'] != sec: sec = q['section']; nav.append(f'<div class="sec">{html.escape(sec)}</div>')
            nav.append(f'<a href="{rel(q["html"])}"{" class=here" if q is p else ""}>{html.escape(q["title"])}</a>')
        p['nb'].metadata['title'] = p['title']
        body, _ = exporter.from_notebook_node(prepare(p['nb']), resources=dict(
            docs_nav=f'<nav class="docs">{"".join(nav)}</nav>',
            docs_head=f'<header class="docs"><h1>{html.escape(p["title"])}</h1>{markdown2html_mistune(p["description"])}</header>'))
        (out/p['html']).parent.mkdir(parents=True, exist_ok=True)
        (out/p['html']).write_text(relink(body, p, html_of, site, repo), encoding='utf-8')
    (out/'pages.json').write_text(json.dumps([{k: v for k, v in p.items() if k != 'nb'} for p in pages], indent=1))
    print(f"wrote {len(pages)} pages to {out}/ (from {proc}/): open {out/'index.html'}")
    return pages

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, default=root/'_docs', help='output folder (default: _docs/ in the repository)')
    ap.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1), help="nbdev_proc_nbs's worker processes")
    a = ap.parse_args()
    os.chdir(root)
    main(a.out.resolve(), a.workers)
