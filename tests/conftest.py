import os, pytest
os.environ.setdefault('MPLBACKEND', 'Agg')
from pgkd.data import datasets_dir

def need_dataset(name):
    "Skip (with the reason) when the benchmark dataset `name` is not available."
    p = datasets_dir(name)
    if p is None: pytest.skip(f"benchmark dataset '{name}' not found: set PGKD_DATASETS to the shared datasets folder")
    return p

def asset(name):
    "The checked local path of a real-model test asset (`tests/assets.py`): from its variable ($PGKD_MINILM...), else fetched; never skips."
    import assets
    env = assets.ASSETS[name].env
    p = os.environ.get(env)
    if p:
        if not os.path.exists(p): raise FileNotFoundError(f"${env}={p}: no such file or folder")
        return p
    return str(assets.fetch(name))

def pipeline_labels(folder, texts) -> list:
    "Labels `transformers.pipeline('text-classification')` gives `texts` from the saved model `folder`, in a fresh process without pgkd."
    import json, subprocess, sys
    code = ("import json, sys, transformers; transformers.logging.set_verbosity_error(); "
            "p = transformers.pipeline('text-classification', model=sys.argv[1], device='cpu'); "
            "print(json.dumps([o['label'] for o in p(json.loads(sys.argv[2]))])); "
            "assert 'pgkd' not in sys.modules")
    out = subprocess.run([sys.executable, '-c', code, str(folder), json.dumps(list(texts))],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])

@pytest.fixture(autouse=True)
def _own_user_cache(tmp_path, monkeypatch):
    "Each test gets its own user cache folder (pgkd's shared teacher cache lives there), so no test replays another's answers."
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'user-cache'))

@pytest.fixture(scope='module')
def minilm():
    "The all-MiniLM-L6-v2 folder (a real checkpoint), for the pretrained students' tests."
    return asset('minilm')

@pytest.fixture(scope='module')
def demo_split():
    "The demo set's 420-text sample as (train, valid): 14 classes, 20 texts each to train, 10 to validate."
    from pgkd.data import load_demo
    return load_demo().sample(420, seed=1).split(valid=140, seed=1)
