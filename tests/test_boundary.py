"""The architecture's one rule: the engine runs without Qt and never loads it."""

import subprocess
import sys

CHECK = """
import sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'):
            raise ImportError('Qt is blocked for this check: ' + name)
sys.meta_path.insert(0, NoQt())
import ganvis.engine, ganvis.engine.store, ganvis.engine.files.images, ganvis.cli
from ganvis.engine import RunConfig, new_run
run = new_run(RunConfig(model='gan', width=8, batch_size=4, device='cpu'))
run.train_steps(1)
run.snapshot()
loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]
assert not loaded, loaded
print('engine ok without Qt')
"""


def test_engine_imports_and_trains_when_qt_cannot_be_imported():
    r = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "engine ok without Qt" in r.stdout
