"""The PGKD loop's own time per round (all but student training/prediction and the teacher), with a 10k-sample training set.

    PGKD_DATASETS=../shared/datasets python bench/loop_overhead/loop_overhead.py   # clinc150: 10k training texts, 150 classes

Times every call into the student (fit, predict_proba, including out-of-fold mining fits) and the teacher, and
prints, per round, the round's wall time, those two, and what is left: the loop's overhead (mining arithmetic,
prompt building, validation and de-duplication of samples, the report, bookkeeping).
"""
import time, warnings; warnings.filterwarnings('ignore')
from pgkd.bench import protocol_data
from pgkd.data import load_benchmark
from pgkd.loop import PGKD, Callback
from pgkd.students import TfidfStudent
from pgkd.teachers import SimulatedTeacher

spent = dict(student=0., teacher=0.)
def timed(cls, name, key):
    f = getattr(cls, name)
    def g(*a, **k):
        t = time.perf_counter()
        try: return f(*a, **k)
        finally: spent[key] += time.perf_counter() - t
    setattr(cls, name, g)
for n in ('fit', 'predict_proba'): timed(TfidfStudent, n, 'student')
timed(SimulatedTeacher, 'generate', 'teacher')

_, valid, test, _ = protocol_data('clinc150', seed=0)
rest, _ = load_benchmark('clinc150').dedupe(against=[valid, test])
idx = set(rest.sample(10_000, seed=0).texts)
big = rest.new([i for i,t in enumerate(rest.texts) if t in idx])        # a 10k-sample training set
pool = rest.new([i for i,t in enumerate(rest.texts) if t not in idx])   # the rest for the simulator
class Overhead(Callback):
    def before_round(self): spent.update(student=0., teacher=0.); self.t0 = time.perf_counter()
    def after_round(self):
        wall = time.perf_counter() - self.t0
        print(f"round {self.round}: train {len(self.train)}, wall {wall:.2f} s, student {spent['student']:.2f} s, "
              f"teacher {spent['teacher']:.3f} s, loop overhead {wall - spent['student'] - spent['teacher']:.3f} s", flush=True)
PGKD(TfidfStudent(), SimulatedTeacher(pool, seed=0), big, valid, test, steps=3, progress=False, cbs=Overhead()).run()
