"""Print how long each exercise's solution takes to run through the grader (issue #3 budget:
at most 20 s per solution, 4 minutes for the chapter, on a 2-core machine).

Usage: python benchmarks/solution_times.py [EXERCISE_ID ...]
Each solution runs once in a fresh kernel (BLAS pinned to 1 thread, as in grading); the time
includes kernel start-up and answer extraction, not the reference cache.
"""

from __future__ import annotations

import sys
import time

from grader import list_exercises
from grader.core.records import Limits
from grader.core.submission import load_submission
from grader.kernel.execute import run_notebook

BUDGET_S = 20.0


def main(ids: list[str]) -> int:
    exercises = [e for e in list_exercises() if not ids or e.id in ids]
    total, over = 0.0, []
    print(f"{'exercise':<32} {'tasks':<14} {'questions':>9} {'seconds':>8}")
    for ex in exercises:
        started = time.monotonic()
        run = run_notebook(load_submission(ex.solution_path), ex.extract_names, ex.probes,
                           ex.parameters, Limits(ex.cell_timeout, ex.notebook_timeout))
        seconds = time.monotonic() - started
        total += seconds
        failed = [r.index + 1 for r in run.cells if r.status != "ok"]
        flag = " over budget" if seconds > BUDGET_S else ""
        flag += f" FAILED cells {failed}" if failed else ""
        if flag:
            over.append(ex.id)
        tasks = ",".join(map(str, ex.chapter_tasks))
        print(f"{ex.id:<32} {tasks:<14} {len(ex.questions):>9} {seconds:>8.1f}{flag}")
    print(f"{'total':<32} {'':<14} {sum(len(e.questions) for e in exercises):>9} {total:>8.1f}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
