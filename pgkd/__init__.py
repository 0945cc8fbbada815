__version__ = "0.1.0"
"""pgkd: Performance-Guided Knowledge Distillation, an LLM teacher distilled into a small, fast text classifier.

The names below are the root API (`from pgkd import PGKD, TfidfStudent, SimulatedTeacher`). Each is imported from its module
when first used, so `import pgkd` and the TF-IDF path never load torch, fastai or transformers.
This file is written by hand (nbdev only updates `__version__`): each name's home is its notebook's module."""
import importlib

_API = {  # name -> module that defines it
    'TextData': 'data', 'DataError': 'data', 'load_demo': 'data', 'load_benchmark': 'data', 'demo_data': 'data',
    'split_data': 'data', 'protocol_data': 'data',
    'Report': 'report',
    'Student': 'students', 'TfidfStudent': 'students',
    'TransformerStudent': 'transformer',
    'EmbeddingStudent': 'embedding', 'ContrastiveStudent': 'contrastive',
    'PGKDRequest': 'prompts', 'Example': 'prompts', 'build_messages': 'prompts',
    'Teacher': 'teachers', 'SimulatedTeacher': 'teachers', 'OpenAITeacher': 'teachers', 'TeacherError': 'teachers',
    'BrokenAnswer': 'teachers', 'AnswerCache': 'teachers',
    'Usage': 'simulator',
    'LocalTeacher': 'local',
    'PGKD': 'loop', 'PGKDConfig': 'loop', 'Callback': 'loop', 'TeacherLog': 'loop', 'CancelRound': 'loop', 'CancelLoop': 'loop',
    'SimServer': 'server', 'PGKDPanel': 'widgets',
    'make_student': 'factories', 'make_teacher': 'factories',
    'export_onnx': 'export', 'OnnxStudent': 'export',
}
__all__ = sorted(_API)

def __getattr__(name):
    if name in _API:
        v = getattr(importlib.import_module(f'pgkd.{_API[name]}'), name)
        globals()[name] = v
        return v
    raise AttributeError(f"module 'pgkd' has no attribute {name!r}")

def __dir__(): return sorted(set(globals()) | set(_API))
