# Runs INSIDE the student's kernel, sent silently before the first cell. After the last cell of
# each question the host calls take() (also silently): the names that question's checks read
# are kept as they stand then, so that a later cell reusing a name (the books rebind
# `segmented_img`, `kmeans`, `labels`...) does not regrade an earlier question. The final
# extraction (kernel_side.py) reads them from here. Like kernel_side.py: no grader import, and
# nothing it keeps is trusted (the host re-validates all that comes back).


def __grader_install_snapshots__():
    import copy
    import json
    import sys
    import types

    store = types.ModuleType("__grader_snapshots__")
    store.taken = {}   # question -> {name: (the object bound then, a copy of it)}
    limit = 64 * 2**20   # larger arrays are kept by reference, not copied

    def kept(value):
        """A copy that later in-place changes cannot reach, where copying is cheap; else the
        object itself (functions, modules, large arrays, what cannot be copied)."""
        if callable(value) or isinstance(value, types.ModuleType):
            return value
        size = getattr(value, "nbytes", 0)
        if isinstance(size, int) and size > limit:
            return value
        try:
            return copy.deepcopy(value)
        except Exception:
            return value

    def take(request_json):
        request = json.loads(request_json)
        try:
            ns = get_ipython().user_ns
        except NameError:
            ns = sys.modules["__main__"].__dict__
        store.taken[request["question"]] = {
            head: (ns[head], kept(ns[head])) for head in request["heads"] if head in ns}

    store.take = take
    sys.modules["__grader_snapshots__"] = store


__grader_install_snapshots__()
del __grader_install_snapshots__
