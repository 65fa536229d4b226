"""Run submissions' cells in warm kernels and time only the cells (run by benchmarks/compare.py
with our grader's python, which has jupyter_client and ipykernel).

    python warm_kernels.py CELLS.json OUT.json --workers N

CELLS.json maps a student to the sources of their code cells. Each of N worker processes starts
one kernel, imports the libraries, and waits at a barrier; the clock starts when all are ready.
Each worker then runs its share of the submissions in its kernel (`%reset -f` between two
submissions, untimed) and times each cell from request to idle reply.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import threading
import time

PREIMPORT = ("import numpy, scipy, sklearn, sklearn.cluster, sklearn.datasets, sklearn.metrics, "
             "sklearn.mixture, matplotlib")


def worker(share: dict, barrier, results, cell_timeout: float) -> None:
    from jupyter_client.manager import start_new_kernel
    try:
        km, kc = start_new_kernel(kernel_name="python3")
    except Exception as exc:
        barrier.abort()
        results.put(({}, [f"kernel did not start: {exc}"], time.perf_counter()))
        return
    errors, times, passed = [], {}, False
    try:
        _run(kc, PREIMPORT, cell_timeout, errors)
        barrier.wait()
        passed = True
        for student, cells in share.items():
            _run(kc, "%reset -f", cell_timeout, errors)
            started = time.perf_counter()
            for source in cells:
                _run(kc, source, cell_timeout, errors)
            times[student] = time.perf_counter() - started
    except Exception as exc:   # said in the output; the parent turns it into "failed"
        errors.append(f"{type(exc).__name__}: {exc}")
        if not passed:
            barrier.abort()   # the others (and the parent) stop waiting
    finally:
        results.put((times, errors, time.perf_counter()))
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _run(kc, source: str, timeout: float, errors: list) -> None:
    reply = kc.execute_interactive(source, timeout=timeout, store_history=False,
                                   output_hook=lambda msg: None)
    # A student's cell may raise (that is their mistake, graded elsewhere); only a kernel that
    # does not answer is our problem, and execute_interactive raises for that.
    if reply["content"]["status"] not in ("ok", "error"):
        errors.append(f"unexpected reply status {reply['content']['status']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cells")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cell-timeout", type=float, default=120)
    args = parser.parse_args()
    with open(args.cells, encoding="utf-8") as f:
        cells = json.load(f)
    students = sorted(cells)
    shares = [{s: cells[s] for s in students[i::args.workers]} for i in range(args.workers)]
    barrier, results = mp.Barrier(args.workers + 1), mp.Queue()
    procs = [mp.Process(target=worker, args=(share, barrier, results, args.cell_timeout))
             for share in shares]
    for p in procs:
        p.start()
    try:
        barrier.wait(timeout=300)
    except threading.BrokenBarrierError:
        pass   # a worker failed before the start: its error is in the results
    started = time.perf_counter()
    times, errors, finished = {}, [], []
    for _ in procs:
        t, e, end = results.get()
        times.update(t)
        errors += e
        finished.append(end)
    for p in procs:
        p.join()
    # perf_counter is CLOCK_MONOTONIC: comparable across processes on Linux
    wall = max(finished) - started
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"wall": wall, "per_submission": times, "errors": errors}, f, indent=1)


if __name__ == "__main__":
    main()
