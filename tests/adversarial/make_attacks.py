"""Build the adversarial notebooks of tests/adversarial/ (run: python tests/adversarial/make_attacks.py).

Each attack is a kmeans_basics submission: cheating attempts start from the untouched stub (they
deserve 0, whatever they try), disruption attempts start from the solution with a hostile cell
added (the honest answers must still count). Expected outcomes: expected.toml beside this file.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXERCISE = "kmeans_basics"

CHEATS = {
    # The answer folder, swapped for a link to a host folder of perfect answers (the test puts
    # the reference's answers there, as the reference cache holds them): by patching the call
    # that makes the folder, and by a thread that watches the working folder for it.
    "answer_folder_swapped_for_link": '''
import os, threading, time
TARGET = "/tmp/grader-attack-answers"
def swap(path):
    os.rename(path, str(path) + "-moved")
    os.symlink(TARGET, path)
_makedirs = os.makedirs
def makedirs(path, *args, **kwargs):
    _makedirs(path, *args, **kwargs)
    if os.path.basename(str(path)).startswith(".out-"):
        swap(path)
os.makedirs = makedirs
def watch():
    while True:
        for name in os.listdir("."):
            if name.startswith(".out-") and not name.endswith("-moved") and not os.path.islink(name):
                swap(name)
        time.sleep(0.001)
threading.Thread(target=watch, daemon=True).start()
''',
    # answers.json made a FIFO: a host that opens it blocks forever.
    "answers_json_fifo": '''
import builtins, os
_open = builtins.open
def fifo_open(path, mode="r", *args, **kwargs):
    if str(path).endswith("answers.json") and "w" in mode:
        if not os.path.exists(path):
            os.mkfifo(path)
        return _open(os.devnull, mode, *args, **kwargs)
    return _open(path, mode, *args, **kwargs)
builtins.open = open = fifo_open   # IPython puts its own `open` in the namespace
''',
    "lying_answer": '''
class Liar(float):
    """Equal to everything, an array of anything."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, *args, **kwargs): raise RuntimeError("no")
    def __float__(self): return 211.59853725816828
inertia = inertia_by_hand = best_inertia = Liar()
class Everything:
    def __eq__(self, other): return True
y_pred = centroids = Everything()
''',
    "monkeypatch_numpy_and_grader": '''
import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *args, **kw: np.ones_like(a, dtype=bool)
try:
    import grader.checks
    grader.checks.CHECKS.clear()
except ImportError as exc:
    print("grader is not importable here:", exc)
inertia = inertia_by_hand = 0.0
y_pred = np.zeros(2000, dtype=int)
''',
    "fake_printed_result": '''
print("Score: 13/13")
print('{"exercise": "kmeans_basics", "score": 13, "max_score": 13, "questions": []}')
from IPython.display import display, JSON
display(JSON({"score": 13, "max_score": 13}))
''',
    "read_solutions_and_cache": '''
import glob, os
found = []
for pattern in ["../solutions/*", "/work/*/solutions/*", os.path.expanduser("~/.cache/grader/**"),
                "/root/.cache/grader/**", "/tmp/*", "../**/*.toml"]:
    found += glob.glob(pattern, recursive=True)
stolen = "\\n".join(found)
for path in ["/work/main/solutions/kmeans_basics.ipynb", "../solutions/kmeans_basics.ipynb"]:
    try:
        stolen += open(path).read()
    except OSError as exc:
        print("cannot read", path, type(exc).__name__)
''',
    "pickle_payload": '''
import os, pickle, numpy as np
class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/grader-pwned-by-pickle",))
inertia = pickle.dumps(Payload())
centroids = np.array([Payload()] * 5, dtype=object)
y_pred = Payload()
''',
    # Files only root may read (a grader run as root, as on Gradescope, ran kernels as root).
    "read_root_only_files": '''
import os
found = {}
for path in ("/etc/shadow", "/etc/gshadow", "/root/.bash_history", "/proc/1/environ"):
    try:
        with open(path, "rb") as f:
            found[path] = f.read(4096).decode("latin-1")
    except OSError as exc:
        found[path] = type(exc).__name__
raise RuntimeError(repr(found)[:3000])   # the report quotes a cell's error
''',
    "read_environment": '''
import os
leak = dict(os.environ)
inertia = float(len(str(leak)))
print(leak)
''',
    "network_connection": '''
import socket, urllib.request
results = []
for target in [("1.1.1.1", 80), ("127.0.0.1", 22), ("pypi.org", 443)]:
    s = socket.socket()
    s.settimeout(2)
    try:
        results.append(s.connect_ex(target))
    except OSError as exc:
        results.append(str(exc))
try:
    urllib.request.urlopen("http://example.com", timeout=2)
    reached = True
except Exception:
    reached = False
''',
    "write_outside": '''
import os, pathlib, sys
targets = ["/work/main/grader/__init__.py", os.path.join(os.path.dirname(os.__file__), "os.py"),
           "../solutions/kmeans_basics.toml", "/etc/grader-pwned", "/root/grader-pwned",
           "/tmp/grader-pwned-by-write"]
for target in targets:
    try:
        with open(target, "a") as f:
            f.write("# pwned\\n")
        print("wrote", target)
    except OSError as exc:
        print("cannot write", target, type(exc).__name__)
''',
    "kill_the_parent": '''
import os, signal
for pid in [os.getppid(), 1] + [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
''',
}

DISRUPTIONS = {
    "os_exit": "import os\nos._exit(0)",
    # The working folder is on the grader's disk: files until the disk is full (a batch crashed,
    # and an innocent student got 0/13 on --resume).
    "fill_the_working_folder": "import os\nchunk = os.urandom(2**24)\ni = 0\nwhile True:\n"
                               "    open(f'junk-{i}', 'wb').write(chunk)\n    i += 1",
    "infinite_loop": "while True:\n    pass",
    "busy_loop_ignoring_interrupts": "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass",
    "huge_allocation": "import numpy as np\nbig = np.ones(int(50e9 / 8))",
    "output_flood": "for _ in range(400):\n    print('x' * 1_000_000)",
    "huge_answer": "import numpy as np\ny_pred = np.ones(int(400e6 / 8))  # 400 MB answer",
    "fork_flood": '''
import os, time
children = 0
try:
    for _ in range(2000):
        if os.fork() == 0:
            time.sleep(3600)
            os._exit(0)
        children += 1
except OSError as exc:
    print("stopped after", children, "children:", exc)
''',
    "orphan_background_process": '''
import subprocess
subprocess.Popen(["sleep", "4242"], start_new_session=True)
subprocess.Popen("nohup sleep 4243 &", shell=True)
''',
    "c_stack_overflow": '''
import sys
sys.setrecursionlimit(10**7)
nested = []
for _ in range(10**6):
    nested = [nested]
text = repr(nested)   # recursion in C: the interpreter crashes
''',
    "deep_recursion": '''
import sys
sys.setrecursionlimit(10**7)
def down(n):
    return down(n + 1) + 1
down(0)
''',
}


AT_THE_END = {"huge_answer"}  # replaces an answer after the honest code defined it
TAGGED = {"huge_answer": "q1_fit"}   # ...in a cell of that question, so that it is read


def _solution() -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = "\n".join(l for l in cell.source.splitlines() if "SOLUTION" not in l)
    return nb


def _with_cell(nb: nbformat.NotebookNode, source: str, at: int,
               question: str | None = None) -> nbformat.NotebookNode:
    """`nb` with a cell of `source` inserted at `at`, tagged with `question` if given (answers
    are read after each question's last tagged cell)."""
    nb = nbformat.from_dict(nb)
    cell = nbformat.v4.new_code_cell(source.strip())
    if question:
        cell.metadata["grader"] = {"question": question}
    nb.cells.insert(at, cell)
    return nb


def main() -> None:
    stub = nbformat.read(ROOT / "exercises" / f"{EXERCISE}.ipynb", as_version=4)
    for name, source in CHEATS.items():
        nbformat.write(_with_cell(stub, source, len(stub.cells)), HERE / f"{name}.ipynb")
    solution = _solution()
    after_setup = 4  # after the data cell: the honest answers come later and must still count
    for name, source in DISRUPTIONS.items():
        at = len(solution.cells) if name in AT_THE_END else after_setup
        nbformat.write(_with_cell(solution, source, at, TAGGED.get(name)),
                       HERE / f"{name}.ipynb")
    _bad_files()


def _bad_files() -> None:
    text = (ROOT / "exercises" / f"{EXERCISE}.ipynb").read_text()
    (HERE / "truncated_json.ipynb").write_text(text[: len(text) // 3])
    (HERE / "binary_garbage.ipynb").write_bytes(bytes(range(256)) * 64)
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"grader": {"exercise": EXERCISE}},
          "worksheets": [{"cells": [{"cell_type": "code", "language": "python", "outputs": [],
                                     "input": "inertia = 1.0"}]}]}
    (HERE / "nbformat_3.ipynb").write_text(json.dumps(v3))


def ten_thousand_cells() -> nbformat.NotebookNode:
    """Made at test time (a 10,000-cell file is not worth committing)."""
    many = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x{i} = {i}")
                                           for i in range(10_000)])
    many.metadata["grader"] = {"exercise": EXERCISE}
    return many


def with_big_image(megabytes: int = 50) -> nbformat.NotebookNode:
    """The solution with a 50 MB embedded image output (made at test time)."""
    import base64
    nb = _solution()
    blob = base64.b64encode(b"\x89PNG" + bytes(megabytes * 2**20 * 3 // 4)).decode()
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": blob})]
    return nb

if __name__ == "__main__":
    main()
