"""Record optimizer trajectories from MindSpore 2.10 (CPU, PyNative) into ``minispore/testing/data``.

Run with the MindSpore virtual environment::

    /work/msvenv/bin/python recording/record_optimizers.py --out minispore/testing/data
    /work/msvenv/bin/python recording/record_optimizers.py --out /tmp/regen --only plain_basic

``--check DIR`` compares what was just written with the files in ``DIR`` (JSON text and NPZ
arrays, bit for bit) and prints the differences. Every case is also replayed with the float32
NumPy evaluation of ``numpy_reference.py``; the result is the case's
``bitwise_reproducible_with_float32_numpy`` flag.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import numpy_replay
from cases_momentum import MOMENTUM_CASES
from cases_optimizers import NEW_CASES
from golden import (
    DEVICE,
    MINDSPORE_VERSION,
    MODE,
    SOURCE_DOC,
    first_line,
    param_entry,
    seeded_inputs,
    write_json,
    write_npz,
)

# Optimizer attribute holding a per-parameter state tuple; the npz prefix is MindSpore's name prefix.
STATE_ATTRS = {
    "Momentum": ["moments"],
    "SGD": ["accum", "stat"],
    "Adam": ["moment1", "moment2", "vhat"],
    "AdamWeightDecay": ["moments1", "moments2"],
    "RMSProp": ["mg", "ms", "moment"],
}
SCALAR_STATE = {"Adam": ["beta1_power", "beta2_power"]}


def _snapshot(opt: Any, attrs: list[str], scalars: list[str]) -> list[np.ndarray]:
    out = [p.asnumpy().copy() for p in opt.parameters]
    for a in attrs:
        out += [s.asnumpy().copy() for s in getattr(opt, a)]
    out += [getattr(opt, s).asnumpy().copy() for s in scalars]
    return [*out, opt.global_step.asnumpy().copy()]


def run_mindspore(case: dict[str, Any], init: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> dict[str, Any]:
    """Run the case in MindSpore; return the order, state names, arrays, returns and error."""
    import mindspore as ms
    from golden import decode_ms
    from mindspore import nn

    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
    cls = case.get("class", "Momentum")
    params = {n: ms.Parameter(ms.Tensor(init[n]), name=n, requires_grad=rg) for n, _, _, rg in case["params"]}
    opt = getattr(nn, cls)(**decode_ms(case["args"], params.__getitem__))
    order = [p.name for p in opt.parameters]
    attrs = [a for a in STATE_ATTRS[cls] if hasattr(opt, a)]
    scalars = SCALAR_STATE.get(cls, [])
    states = {a: [s.name for s in getattr(opt, a)] for a in attrs}
    prefixes = {a: names[0][: -len(order[0]) - 1] for a, names in states.items()}
    rec: dict[str, list[Any]] = {}
    returns: list[list[Any]] = []
    ret_type = "tuple"
    error = None
    for k in range(case["steps"]):
        g = tuple(ms.Tensor(grads[n][k]) for n in order)
        try:
            lr = opt.get_lr()
            lrs = [x.asnumpy() for x in lr] if isinstance(lr, tuple) else [lr.asnumpy()] * len(order)
        except Exception:  # the call below raises the same error, which is what gets recorded
            lrs = []
        before = _snapshot(opt, attrs, scalars)
        try:
            ret = opt(g)
        except Exception as exc:
            after = _snapshot(opt, attrs, scalars)
            error = {
                "step": k,
                "exception": type(exc).__name__,
                "message": first_line(exc),
                "state_unchanged": all(np.array_equal(a, b) for a, b in zip(before, after)),
            }
            break
        ret_type = type(ret).__name__
        returns.append([bool(np.asarray(r.asnumpy() if hasattr(r, "asnumpy") else r)) for r in ret])
        for i, n in enumerate(order):
            rec.setdefault("params/" + n, []).append(params[n].asnumpy().copy())
            for a in attrs:
                rec.setdefault(f"{prefixes[a]}/{n}", []).append(getattr(opt, a)[i].asnumpy().copy())
            rec.setdefault("lr_used/" + n, []).append(np.float32(np.asarray(lrs[i]).reshape(())))
        for s in scalars:
            rec.setdefault(s, []).append(np.float32(getattr(opt, s).asnumpy().reshape(())))
        rec.setdefault("global_step", []).append(np.int32(opt.global_step.asnumpy().reshape(-1)[0]))
    return {
        "order": order,
        "states": {prefixes[a]: dict(zip(order, names)) for a, names in states.items()},
        "scalars": scalars,
        "arrays": {k: np.stack(v) for k, v in rec.items()},
        "returns": returns,
        "ret_type": ret_type,
        "error": error,
    }


def _max_abs_diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    return max(
        float(np.max(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64))))
        for k in a
        if k in b and not k.startswith(("lr_used", "global_step"))
    )


def record_case(case: dict[str, Any], out: Path) -> dict[str, Any]:
    """Record one case into ``out/optimizer``; return its manifest entry."""
    cls = case.get("class", "Momentum")
    params = [param_entry(n, s, d, rg) for n, s, d, rg in case["params"]]
    init, grads = seeded_inputs(case["seed"], params, case["steps"], case.get("grad_scale", 1.0))
    res = run_mindspore(case, init, grads)
    order, error = res["order"], res["error"]
    n_rec = case["steps"] - (1 if error else 0)
    ref = numpy_replay.replay(case, init, grads, order, n_rec)
    notes = list(case["notes"])
    arrays_src = res["arrays"]
    if case["source"] == SOURCE_DOC:
        notes.append(
            f"MindSpore 2.10 CPU trajectory differs from the documented formula (max abs diff {_max_abs_diff(ref, arrays_src):.3g})"
        )
        arrays_src = {**arrays_src, **{k: v for k, v in ref.items() if k in arrays_src}}
        bitwise = None
    else:
        compared = [k for k in ref if k in arrays_src]
        bitwise = bool(compared) and all(np.array_equal(ref[k], arrays_src[k]) for k in compared)
    arrays: dict[str, np.ndarray] = {}
    for n in [p["name"] for p in params]:
        arrays["init/" + n] = init[n]
        arrays["grads/" + n] = grads[n]
        arrays["params/" + n] = arrays_src["params/" + n]
        for prefix in res["states"]:
            arrays[f"{prefix}/{n}"] = arrays_src[f"{prefix}/{n}"]
        arrays["lr_used/" + n] = arrays_src["lr_used/" + n]
    for s in res["scalars"]:
        arrays[s] = arrays_src[s]
    arrays["global_step"] = arrays_src["global_step"]
    meta: dict[str, Any] = {
        "id": case["id"],
        "kind": "optimizer",
        "source": case["source"],
        "description": case["description"],
        "mindspore_version": MINDSPORE_VERSION,
        "device": DEVICE,
        "mode": MODE,
        "params": params,
        "optimizer_parameter_order": order,
    }
    if cls == "Momentum":
        meta["moment_names"] = res["states"]["moments"]
    else:
        meta["state_names"] = res["states"]
        meta["scalar_state"] = res["scalars"]
    meta["constructor"] = {"class": f"mindspore.nn.{cls}", "args": case["args"]}
    meta.update(
        {
            "n_steps_attempted": case["steps"],
            "n_steps_recorded": n_rec,
            "expected_return": {"type": res["ret_type"], "per_step": res["returns"]},
            "expected_error": error,
            "notes": notes,
            "assert": case.get("assert", True),
            "bitwise_reproducible_with_float32_numpy": bitwise,
            "arrays": case["id"] + ".npz",
        }
    )
    if bitwise is None:  # only recorded cases carry the flag
        del meta["bitwise_reproducible_with_float32_numpy"]
    write_json(out / "optimizer" / (case["id"] + ".json"), meta)
    write_npz(out / "optimizer" / (case["id"] + ".npz"), arrays)
    entry = {
        "id": case["id"],
        "kind": "optimizer",
        "json": f"optimizer/{case['id']}.json",
        "npz": f"optimizer/{case['id']}.npz",
        "source": case["source"],
        "assert": case.get("assert", True),
    }
    if cls != "Momentum":
        entry["class"] = f"mindspore.nn.{cls}"
    dtypes = sorted({p["dtype"] for p in params})
    if dtypes != ["float32"]:
        entry["dtypes"] = dtypes
    return entry


def compare(out: Path, ref: Path, ids: list[str]) -> list[str]:
    """Differences between the files of ``ids`` in ``out`` and in ``ref`` (JSON text, NPZ keys and arrays)."""
    problems = []
    for i in ids:
        a, b = out / "optimizer" / (i + ".json"), ref / "optimizer" / (i + ".json")
        if not b.exists():
            problems.append(f"{i}: no reference file")
            continue
        if a.read_text() != b.read_text():
            problems.append(f"{i}: JSON text differs")
        with np.load(out / "optimizer" / (i + ".npz")) as x, np.load(ref / "optimizer" / (i + ".npz")) as y:
            if x.files != y.files:
                problems.append(f"{i}: NPZ keys {x.files} != {y.files}")
            for k in y.files:
                if k in x.files and (x[k].dtype != y[k].dtype or not np.array_equal(x[k], y[k])):
                    problems.append(f"{i}: array {k} differs")
        if (out / "optimizer" / (i + ".npz")).read_bytes() != (ref / "optimizer" / (i + ".npz")).read_bytes():
            problems.append(f"{i}: NPZ bytes differ")
    return problems


def update_manifest(out: Path, entries: list[dict[str, Any]]) -> None:
    """Replace or append the recorded cases' entries in ``out/manifest.json`` (other entries kept in place)."""
    path = out / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {"format_version": 1}
    manifest["generator"] = "recording/record_optimizers.py"
    for key, value in (("mindspore_version", MINDSPORE_VERSION), ("device", DEVICE), ("mode", MODE)):
        manifest.setdefault(key, value)
    manifest.setdefault("files", {})
    manifest.setdefault("cases", [])
    by_id = {e["id"]: e for e in entries}
    cases = [by_id.pop(c["id"], c) for c in manifest["cases"]]
    manifest["cases"] = cases + list(by_id.values())
    write_json(path, manifest)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="data folder to write (minispore/testing/data)")
    ap.add_argument("--only", nargs="*", help="case ids to record (default: all)")
    ap.add_argument("--check", type=Path, help="compare the written files with this data folder")
    args = ap.parse_args()
    cases = [c for c in MOMENTUM_CASES + NEW_CASES if not args.only or c["id"] in args.only]
    entries = []
    for case in cases:
        entry = record_case(case, args.out)
        meta = json.loads((args.out / entry["json"]).read_text())
        print(
            f"{case['id']:40s} bitwise={meta.get('bitwise_reproducible_with_float32_numpy')} error={meta['expected_error']}"
        )
        entries.append(entry)
    update_manifest(args.out, entries)
    if args.check:
        problems = compare(args.out, args.check, [c["id"] for c in cases])
        print("\n".join(problems) if problems else f"identical to {args.check}: {len(cases)} cases")


if __name__ == "__main__":
    main()
