import os, pytest
os.environ.setdefault('MPLBACKEND', 'Agg')
from pgkd.data import datasets_dir

def need_dataset(name):
    "Skip (with the reason) when the benchmark dataset `name` is not available."
    p = datasets_dir(name)
    if p is None: pytest.skip(f"benchmark dataset '{name}' not found: set PGKD_DATASETS to the shared datasets folder")
    return p
