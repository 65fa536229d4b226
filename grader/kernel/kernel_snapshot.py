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

    class FrozenFigure:
        """A figure as it stood then, described (kernel_side.py): a deep copy of a figure costs
        20-300 ms, its description a few."""
        __slots__ = ("description",)

        def __init__(self, description):
            self.description = description

    store.FrozenFigure = FrozenFigure

    def array_copy(value):
        size = getattr(value, "nbytes", 0)
        return value if not isinstance(size, int) or size > limit else value.copy()

    def estimator_copy(value):
        """A copy as deep as grading reads (its parameters and fitted attributes; a refit
        binds new ones): deep copies of a forest or a mixture cost 20-30 ms."""
        clone = copy.copy(value)
        attrs = vars(clone)
        for key, attr in list(attrs.items()):
            if type(attr).__name__ == "ndarray":
                attrs[key] = array_copy(attr)
            elif type(attr) in (list, dict):
                attrs[key] = copy.copy(attr)
        return clone

    def kept(value):
        """A copy that later in-place changes cannot reach, where copying is cheap; else the
        object itself (functions, modules, large arrays, what cannot be copied)."""
        if callable(value) or isinstance(value, types.ModuleType):
            return value
        module = type(value).__module__ or ""
        try:
            if module.startswith("matplotlib") and (hasattr(value, "savefig")
                                                  or hasattr(value, "get_xlabel")):
                side = sys.modules.get("__grader_side__")
                describe = getattr(side, "__grader_describe_figure__", None)
                return FrozenFigure(describe(value)) if describe else value
            if hasattr(value, "get_params") and hasattr(value, "fit"):
                return estimator_copy(value)
        except Exception:
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
