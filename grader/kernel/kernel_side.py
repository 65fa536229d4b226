# Runs INSIDE the student's kernel, after the student's cells, as the source of one extra cell.
# It must not import grader (the kernel may not see it) and it must not be trusted: everything it
# writes is re-validated by grader.core.answers on the host, which loads arrays with
# allow_pickle=False and JSON with plain types only. Its job is only to reduce the student's
# objects to plain data (JSON + .npy) in the output folder the host made for this run.


def __grader_describe_figure__(value):
    """A matplotlib Figure (or Axes) as what a figure check can look at: no pixels. Also
    what a snapshot keeps of a figure (kernel_snapshot.py): copying one costs 20-300 ms."""
    fig = value if hasattr(value, "savefig") else value.figure
    axes = []
    for ax in fig.axes:
        scatters = []
        for coll in ax.collections:
            offsets = coll.get_offsets()
            values = coll.get_array()
            if values is not None and len(values) == len(offsets):
                groups = [float(v) for v in values]
            else:
                colours = coll.get_facecolors()
                if len(colours) == len(offsets):
                    seen = {}
                    groups = [seen.setdefault(tuple(c), len(seen)) for c in colours.tolist()]
                else:
                    groups = [0] * len(offsets)
            scatters.append({"points": len(offsets), "groups": groups[:200000]})
        axes.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(),
                     "ylabel": ax.get_ylabel(),
                     "lines": [len(line.get_xdata()) for line in ax.lines],
                     "scatters": scatters, "images": len(ax.images),
                     "legend": ax.get_legend() is not None, "patches": len(ax.patches)})
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    return {"__type__": "figure", "suptitle": suptitle, "axes": axes}


def __grader_extract__(request_json):
    import json
    import os
    import sys

    request = json.loads(request_json)
    out = request["out"]
    os.makedirs(out, exist_ok=True)  # the host made it (grader.kernel.channel)
    try:
        ns = get_ipython().user_ns
    except NameError:   # preloaded as a module by a warm kernel's zygote (grader.kernel.zygote)
        try:
            from IPython import get_ipython as shell
            ns = shell().user_ns
        except Exception:
            ns = sys.modules["__main__"].__dict__
    max_bytes = request["max_bytes"]
    counter = [0]

    def new_file():
        counter[0] += 1
        return "a%d.npy" % counter[0]

    def plain(value, depth=0):
        """Value as JSON-plain data, or raise TypeError."""
        if value is None or type(value) in (bool, str):
            return value
        if type(value) is int or type(value) is float:
            return value
        np = sys.modules.get("numpy")
        if np is not None and isinstance(value, np.generic) and value.dtype.kind in "biufU":
            return value.item()
        if depth < 4 and type(value) in (list, tuple, range):
            return [plain(v, depth + 1) for v in value]
        if depth < 4 and type(value) is dict and all(type(k) is str for k in value):
            return {k: plain(v, depth + 1) for k, v in value.items()}
        raise TypeError(type(value).__name__)

    def save_array(arr):
        np = sys.modules["numpy"]
        arr = np.ascontiguousarray(np.asarray(arr))
        if arr.nbytes > max_bytes:
            return {"status": "error", "error": "the answer is an array of %d MB; the limit is "
                    "%d MB" % (arr.nbytes // 2**20, max_bytes // 2**20)}
        name = new_file()
        np.save(os.path.join(out, name), arr, allow_pickle=False)
        return {"status": "ok", "kind": "npy", "file": name}

    def estimator(value):
        params = {}
        for key, val in value.get_params(deep=False).items():
            try:
                params[key] = plain(val)
            except TypeError:
                np = sys.modules.get("numpy")
                if np is not None and isinstance(val, np.ndarray) and val.size <= 10000:
                    params[key] = val.tolist()
                else:
                    params[key] = "<%s>" % type(val).__name__
        try:
            from sklearn.utils.validation import check_is_fitted
            check_is_fitted(value)
            fitted = True
        except Exception:
            fitted = False
        learned = sorted(k for k in vars(value) if k.endswith("_") and not k.startswith("_"))
        return {"status": "ok", "kind": "estimator",
                "value": {"__type__": "estimator", "class": type(value).__name__,
                          "module": type(value).__module__, "params": params,
                          "fitted": fitted, "learned": learned,
                          "n_samples_fit": fitted_samples(value) if fitted else None,
                          "n_features_in": count(vars(value).get("n_features_in_"))}}

    def count(n):
        """n as an int when it is a whole number of things (a scaler counts in floats), else
        None."""
        np = sys.modules.get("numpy")
        if type(n) is int or (np is not None and isinstance(n, np.integer)):
            return int(n)
        if (type(n) is float or (np is not None and isinstance(n, np.floating))) \
                and n == n and abs(n) < 2**53 and n == int(n):
            return int(n)
        return None

    def fitted_samples(value, depth=0):
        """How many samples a fitted estimator was trained on, when its fitted attributes say
        so (neighbours, PCA, forests, scalers; the labels_ or embedding_ of a clusterer or a
        manifold learner; a Pipeline's first step; a search's refitted best_estimator_), else
        None (a linear model or a mixture keeps no trace of it). Reads instance attributes
        only: no property of the student's object runs."""
        np = sys.modules.get("numpy")
        try:
            attrs = vars(value)
            for name in ("n_samples_fit_", "n_samples_", "_n_samples", "n_samples_seen_"):
                if count(attrs.get(name)) is not None:
                    return count(attrs[name])
            for name in ("labels_", "embedding_"):
                found = attrs.get(name)
                if np is not None and type(found) is np.ndarray and found.ndim >= 1:
                    return int(found.shape[0])
            inner = None
            if type(attrs.get("steps")) is list and attrs["steps"]:
                inner = attrs["steps"][0][1]   # a Pipeline: its first step sees every sample
            elif "best_estimator_" in attrs:
                inner = attrs["best_estimator_"]
            if depth < 3 and hasattr(inner, "get_params") and hasattr(inner, "fit"):
                return fitted_samples(inner, depth + 1)
        except Exception:
            pass
        return None

    def figure(value):
        return {"status": "ok", "kind": "figure", "value": __grader_describe_figure__(value)}

    def is_figure(value):
        module = type(value).__module__ or ""
        return module.startswith("matplotlib") and (hasattr(value, "savefig")
                                                    or hasattr(value, "get_xlabel"))

    frozen = getattr(sys.modules.get("__grader_snapshots__"), "FrozenFigure", None)

    def encode(value):
        np = sys.modules.get("numpy")
        if frozen is not None and type(value) is frozen:   # a figure a snapshot described
            return {"status": "ok", "kind": "figure", "value": value.description}
        if is_figure(value):
            return figure(value)
        if np is not None and isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                return save_array(value)
            value = value.tolist()
        if hasattr(value, "to_numpy") and type(value).__module__.startswith("pandas"):
            return encode(value.to_numpy())
        if hasattr(value, "get_params") and hasattr(value, "fit"):
            return estimator(value)
        if np is not None and type(value) in (list, tuple) and value:
            try:
                arr = np.asarray(value)
                if arr.dtype.kind in "biuf" and arr.ndim >= 1:
                    return save_array(arr)
            except Exception:
                pass
        try:
            return {"status": "ok", "kind": "json", "value": plain(value)}
        except TypeError:
            pass
        if callable(value):
            return {"status": "ok", "kind": "callable"}
        return {"status": "unsupported", "type": type(value).__name__}

    taken = getattr(sys.modules.get("__grader_snapshots__"), "taken", {})
    notes = {}

    def bound(name, head):
        """(found, value) of `head` for `name`: as it stood at the end of its question's cells
        when the host took a snapshot there, else as it stands now."""
        question = request.get("question_of", {}).get(name)
        snapshot = taken.get(question) if question else None
        if snapshot is not None and head in snapshot:
            original, copied = snapshot[head]
            if head not in ns or ns[head] is not original:
                notes[name] = ("`%s` was changed by a later cell; graded as it stood at the end "
                               "of question %s's cells" % (head, question))
            return True, copied
        if head not in ns:
            return False, None
        if snapshot is not None:
            notes[name] = ("`%s` is defined only after question %s's cells; graded as it "
                           "stands at the end of the notebook" % (head, question))
        return True, ns[head]

    def lookup(name):
        head, *attrs = name.split(".")
        found, value = bound(name, head)
        if not found:
            return {"status": "missing"}
        for attr in attrs:
            value = getattr(value, attr)
        return encode(value)

    def guarded(fn, *args):
        try:
            return fn(*args)
        except BaseException as exc:  # the student's objects may raise anything
            return {"status": "error", "error": "%s: %s" % (type(exc).__name__, exc)}

    def probe(spec):
        np = sys.modules.get("numpy") or __import__("numpy")
        found, fn = bound(spec["function"], spec["function"])
        if not found or fn is None:
            return {o: {"status": "missing", "function": spec["function"]} for o in spec["outputs"]}
        args = [np.load(p, allow_pickle=False) for p in spec["inputs"]]
        try:
            result = fn(*args)
        except BaseException as exc:
            status = "not-implemented" if isinstance(exc, NotImplementedError) else "error"
            err = {"status": status, "error": "%s(...) raised %s: %s"
                   % (spec["function"], type(exc).__name__, exc)}
            return dict.fromkeys(spec["outputs"], err)
        results = result if len(spec["outputs"]) > 1 else (result,)
        if type(results) not in (list, tuple) or len(results) != len(spec["outputs"]):
            err = {"status": "error", "error": "%s(...) should return %d values (%s), got %s"
                   % (spec["function"], len(spec["outputs"]), ", ".join(spec["outputs"]),
                      type(result).__name__)}
            return dict.fromkeys(spec["outputs"], err)
        return {o: guarded(encode, r) for o, r in zip(spec["outputs"], results)}

    answers = {name: guarded(lookup, name) for name in request["names"]}
    for spec in request["probes"]:
        answers.update(probe(spec))
    with open(os.path.join(out, "answers.json"), "w") as f:
        json.dump(answers, f)
    with open(os.path.join(out, "notes.json"), "w") as f:
        json.dump(notes, f)
