"""What a student waits for: `grader check` of one notebook against the same code run as a plain
`python` script, side by side in one run (issue 16: at most 1.3x).

The script is the notebook's code cells (IPython magics blanked, the exercise's parameters
applied after its parameters cell), figures drawn with the Agg backend and saved as PNG, one
BLAS thread for both. Runs alternate (python, check, python, check...) `--rounds` times; the
reference is computed (and cached) once before, as a student's first check would leave it.

Usage: python benchmarks/check_vs_python.py [EXERCISE ...] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                            "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"), "1")
SAVE_FIGURES = ("\nimport io as _io, matplotlib.pyplot as _plt\n"
                "for _n in _plt.get_fignums():\n"
                "    _plt.figure(_n).savefig(_io.BytesIO(), format='png')\n"
                "_plt.close('all')\n")


def script_of(exercise: str) -> str:
    from grader import get_exercise
    from grader.kernel.execute import parameters_cell_index

    spec = get_exercise(exercise)
    code = [c for c in nbformat.read(spec.solution_path, as_version=4).cells
            if c.cell_type == "code"]
    at = parameters_cell_index(code)
    parts = []
    for i, cell in enumerate(code):
        parts.append("\n".join("" if line.lstrip().startswith(("%", "!")) else line
                               for line in cell.source.splitlines()))
        if i == at:
            parts += [f"{k} = {v!r}" for k, v in spec.parameters.items()]
        parts.append(SAVE_FIGURES)
    return "\n".join(parts)


def timed(command: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n"
                         f"{done.stderr}")
    return wall


def measure(exercise: str, rounds: int, work: Path) -> dict:
    from grader import get_exercise

    spec = get_exercise(exercise)
    work.mkdir(parents=True)
    for d in spec.data:
        shutil.copy(spec.spec_path.parent / d, work / Path(d).name)
    (work / "script.py").write_text(script_of(exercise), encoding="utf-8")
    shutil.copy(spec.solution_path, work / "notebook.ipynb")
    env = {**os.environ, **ONE_THREAD}
    plain = [sys.executable, "script.py"]
    check = [sys.executable, "-m", "grader", "check", "notebook.ipynb", "--exercise", exercise]
    timed(check, work, env)   # the reference, computed and cached once
    runs = {"python": [], "check": []}
    for _ in range(rounds):
        runs["python"].append(timed(plain, work, {**env, "MPLBACKEND": "Agg"}))
        runs["check"].append(timed(check, work, env))
    python, ours = statistics.median(runs["python"]), statistics.median(runs["check"])
    return {"exercise": exercise, "python": python, "check": ours, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["kmeans_basics", "dbscan"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="grader-check-bench-") as tmp:
        for exercise in args.exercises:
            rows.append(measure(exercise, args.rounds, Path(tmp) / exercise))
    lines = [f"# grader check vs plain python, {datetime.date.today()}", "",
             f"`python benchmarks/check_vs_python.py {' '.join(sys.argv[1:])}` (medians of "
             f"{args.rounds} alternating runs)", "",
             "| exercise | python script | grader check | ratio | python, every run | "
             "check, every run |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['exercise']} | {r['python']:.2f} s | {r['check']:.2f} s | "
                     f"{r['check'] / r['python']:.2f}x | "
                     f"{', '.join(f'{t:.2f}' for t in r['runs']['python'])} | "
                     f"{', '.join(f'{t:.2f}' for t in r['runs']['check'])} |")
    text = "\n".join(lines) + "\n"
    path = ROOT / "benchmarks" / "results" / f"check-vs-python-{datetime.date.today()}.md"
    path.write_text(text, encoding="utf-8")
    print(text + f"\nwritten to {path}")


if __name__ == "__main__":
    main()
