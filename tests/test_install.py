"Installs that work on any machine: constraints.txt and settings.ini name only releases from the package index."
import shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def pins(root): return subprocess.run([sys.executable, str(ROOT/'.ci'/'pins.py'), str(root)], capture_output=True, text=True)

def test_repo_names_only_index_releases():
    r = pins(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr

@pytest.mark.parametrize('line', ['interegular @ file:///work/scratch/interegular-0.3.3-py37-none-any.whl',
                                  'pgkd @ git+https://github.com/pgkd/pgkd', './wheels/foo-1.0-py3-none-any.whl', 'numpy>=2.4'])
def test_direct_references_and_ranges_fail(tmp_path, line):
    shutil.copy(ROOT/'settings.ini', tmp_path)
    (tmp_path/'constraints.txt').write_text((ROOT/'constraints.txt').read_text() + line + '\n')
    r = pins(tmp_path)
    assert r.returncode == 1 and 'constraints.txt, line' in r.stderr, r.stdout + r.stderr

def test_settings_direct_reference_fails(tmp_path):
    shutil.copy(ROOT/'constraints.txt', tmp_path)
    ini = (ROOT/'settings.ini').read_text().replace('requirements = torch>=2.14', 'requirements = torch @ file:///tmp/torch.whl', 1)
    (tmp_path/'settings.ini').write_text(ini)
    r = pins(tmp_path)
    assert r.returncode == 1 and 'settings.ini, requirements' in r.stderr, r.stdout + r.stderr

def test_dev_set_bounds_known_breaks():
    "nbdev 2.4.x does not import with execnb >= 0.2 or fastcore 2: the dev extra must exclude them."
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    dev = dict(r.split('>=', 1) for r in cfg['DEFAULT']['dev_requirements'].split() if '>=' in r)
    assert dev['execnb'].endswith(',<0.2') and dev['fastcore'].endswith(',<2') and dev['nbdev'].endswith(',<3'), dev

def test_ci_runs_the_readme_test_command():
    "CI runs exactly the command the README gives for the tests (the line ending in tests/run_all.sh)."
    cmd = [l.strip() for l in (ROOT/'README.md').read_text().splitlines() if l.strip().endswith('bash tests/run_all.sh')]
    assert len(cmd) == 1, cmd
    assert cmd[0] in (ROOT/'.ci'/'run').read_text().splitlines()

def test_no_logs_locks_or_caches_are_committed_under_bench():
    files = subprocess.run(['git', 'ls-files', 'bench'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert files and not [f for f in files if f.endswith(('.log', '.lock')) or '/embeddings/' in f], files
