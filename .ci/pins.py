"""Fail on any requirement that would install from a place only one machine has: a direct reference (`name @ URL`),
a `file:` or `git+` URL, or a path, in constraints.txt or in settings.ini's requirement lines; every constraint is `name==version`.

    python .ci/pins.py [ROOT]     # ROOT: the folder holding both files (default: this repository)
"""
import re, sys
from configparser import ConfigParser
from pathlib import Path
from packaging.requirements import InvalidRequirement, Requirement

root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
bad = []

def check(where, text, pinned=False):
    try: r = Requirement(text)
    except InvalidRequirement as e: return bad.append(f"{where}: {text!r} is not a requirement ({e})")
    if r.url or re.search(r'file:|git\+|[/\\]', text): bad.append(f"{where}: {text!r} is a direct reference: name a release on PyPI")
    elif pinned and not re.fullmatch(r'==[^,*]+', str(r.specifier)): bad.append(f"{where}: {text!r} must be pinned as name==version")

for i, line in enumerate((root/'constraints.txt').read_text().splitlines(), 1):
    if (line := line.split('#')[0].strip()): check(f"constraints.txt, line {i}", line, pinned=True)
cfg = ConfigParser(delimiters=['=']); cfg.read(root/'settings.ini')
for key, val in cfg['DEFAULT'].items():
    if key.endswith('requirements'):
        for req in val.split(): check(f"settings.ini, {key}", req)
if bad: sys.exit('\n'.join(bad))
print("constraints.txt and settings.ini name only releases from the package index")
