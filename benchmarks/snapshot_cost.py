"""What reading each question's answers where it ends (snapshots) costs per submission: the
same solution run in warm kernels with and without snapshots, alternating, in one run.

Usage: python benchmarks/snapshot_cost.py [EXERCISE ...] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from grader import get_exercise
from grader.core.records import Limits
from grader.core.submission import load_submission
from grader.kernel.execute import run_notebook
from grader.kernel.warm import KernelPool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["kmeans_basics", "image_segmentation"])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for exercise in args.exercises:
        spec = get_exercise(exercise)
        nb = load_submission(spec.solution_path)
        data = tuple(spec.spec_path.parent / d for d in spec.data)
        times: dict[bool, list[float]] = {True: [], False: []}
        with KernelPool() as pool:
            for i in range(args.runs + 1):
                for snapshots in ((True, False) if i % 2 else (False, True)):
                    started = time.perf_counter()
                    run_notebook(nb, spec.extract_names, spec.probes, spec.parameters,
                                 Limits(isolate=True), data, pool,
                                 spec.question_names if snapshots else None)
                    if i:   # the first round warms the pool up
                        times[snapshots].append(time.perf_counter() - started)
        on, off = (statistics.median(times[k]) for k in (True, False))
        print(f"{exercise}: with snapshots {on:.3f} s, without {off:.3f} s (medians of "
              f"{args.runs}): {on - off:+.3f} s per submission")
        print(f"  with:    {', '.join(f'{t:.3f}' for t in times[True])}")
        print(f"  without: {', '.join(f'{t:.3f}' for t in times[False])}")


if __name__ == "__main__":
    main()
