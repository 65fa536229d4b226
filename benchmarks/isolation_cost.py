"""What the sandbox costs per submission in a warm batch: the marginal wall time of one more
submission, graded in the sandbox and unisolated, side by side in one run.

Usage: python benchmarks/isolation_cost.py [EXERCISE] [--rounds N] [--copies N]

Each round grades a batch of 1 and a batch of COPIES copies of the exercise's solution
(one worker, warm kernels, the reference already cached), once isolated and once not, in
alternating order; the marginal cost per submission is (T[COPIES] - T[1]) / (COPIES - 1). What
the sandbox adds per submission (namespaces per forked kernel, a fresh /dev/shm and /tmp, the
answer channel read by descriptor, the working folder's watch, an unprivileged uid when run as
root) is the difference of the two medians. Prints every run and the medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from grader import BatchSettings, GradeSettings, get_exercise, grade_class


def batch_seconds(solution: Path, copies: int, isolate: bool, top: Path) -> float:
    subs = Path(tempfile.mkdtemp(dir=top))
    for i in range(copies):
        shutil.copy(solution, subs / f"s{i:03d}.ipynb")
    settings = BatchSettings(GradeSettings(isolate=isolate), jobs=1, allow_unisolated=True)
    started = time.perf_counter()
    grade_class([subs], solution.stem, subs / "out", settings)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercise", nargs="?", default="kmeans_basics")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=9)
    args = parser.parse_args()
    solution = get_exercise(args.exercise).solution_path
    marginal: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as top:
        batch_seconds(solution, 1, True, Path(top))   # warm the reference cache
        for r in range(args.rounds):
            for isolate in ((True, False) if r % 2 == 0 else (False, True)):
                one = batch_seconds(solution, 1, isolate, Path(top))
                many = batch_seconds(solution, args.copies, isolate, Path(top))
                marginal[isolate].append((many - one) / (args.copies - 1))
                print(f"round {r + 1} {'sandbox   ' if isolate else 'unisolated'} "
                      f"1: {one:.2f} s  {args.copies}: {many:.2f} s  "
                      f"per submission: {marginal[isolate][-1]:.3f} s", flush=True)
    on, off = (statistics.median(marginal[k]) for k in (True, False))
    print(f"\n{args.exercise}, one worker, warm: per submission {on:.3f} s in the sandbox, "
          f"{off:.3f} s unisolated (medians of {args.rounds}); the sandbox adds {on - off:+.3f} s")


if __name__ == "__main__":
    main()
