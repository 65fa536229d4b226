"""The anchors' virtual environment: otter-grader and nbgrader, with our scientific stack.

Both tools run with exactly the numpy / scipy / scikit-learn / matplotlib / pandas versions our
grader uses, so every tool times the same library code. The environment is reused when its
recorded requirements match and its tools import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OTTER = "otter-grader==7.0.0"      # the versions this benchmark was written against
NBGRADER = "nbgrader==0.9.6"
SHARED = ("numpy", "scipy", "scikit-learn", "matplotlib", "pandas")
MARKER = "bench-requirements.json"


def versions(python: str, packages: tuple = SHARED) -> dict:
    code = ("import json, importlib.metadata as m; "
            f"print(json.dumps({{p: m.version(p) for p in {list(packages)!r}}}))")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def requirements(ours_python: str) -> list[str]:
    return [OTTER, NBGRADER] + [f"{p}=={v}" for p, v in versions(ours_python).items()]


def ensure(venv: Path, ours_python: str, say=print) -> Path:
    """The anchors' python, creating or updating `venv` when needed."""
    wanted = requirements(ours_python)
    python = venv / "bin" / "python"
    marker = venv / MARKER
    if python.exists() and marker.exists() and json.loads(marker.read_text()) == wanted \
            and _imports(python):
        say(f"anchors: reusing {venv}")
        return python
    say(f"anchors: installing {' '.join(wanted)} into {venv} (about a minute)")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *wanted],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not install the anchors: {done.stderr[-1500:]}")
    if not _imports(python):
        raise RuntimeError("otter-grader or nbgrader installed but does not import")
    marker.write_text(json.dumps(wanted))
    return python


def _imports(python: Path) -> bool:
    return subprocess.run([str(python), "-c", "import otter, nbgrader"],
                          capture_output=True).returncode == 0


def tool_versions(python: Path) -> dict:
    return versions(str(python), ("otter-grader", "nbgrader", *SHARED))
