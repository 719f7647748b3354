"""Runs several exported NetSpec programs in one interpreter, so that torch is imported once.

stdin: {"runs": [{"script": PATH, "args": [ARG, ...], "checkpoint": PATH or null}]}
stdout: {"results": [{"stdout": TEXT, "checkpoint": {LAYER: {"W", "b"}} or null}]}

Each script is loaded with runpy (not as __main__) and its main(args) called with stdout
captured. With "checkpoint", the checkpoint the run saved is loaded back into a fresh Model (as
the README shows), and its layers are returned; the optimiser state must load too.
"""
import contextlib
import io
import json
import runpy
import sys

try:
    import torch
except ImportError:
    sys.exit(3)


def layers(model):
    return {
        name: {
            "W": layer.weight.detach().T.tolist(),
            "b": None if layer.bias is None else layer.bias.detach().tolist(),
        }
        for name, layer in model.dense_layers()
    }


def main():
    request = json.load(sys.stdin)
    results = []
    for run in request["runs"]:
        program = runpy.run_path(run["script"], run_name="netspec_export")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            program["main"](run["args"])
        result = {"stdout": out.getvalue(), "checkpoint": None}
        if run.get("checkpoint"):
            saved = torch.load(run["checkpoint"])
            model = program["Model"]()
            model.load_state_dict(saved["model"])
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1) if not saved["optimizer"]["state"] else None
            if optimizer is None:
                # The optimiser the program built, from its own source, then its saved state.
                kind = torch.optim.Adam if "exp_avg" in next(iter(saved["optimizer"]["state"].values())) else torch.optim.SGD
                optimizer = kind(model.parameters(), lr=0.1)
            optimizer.load_state_dict(saved["optimizer"])
            result["checkpoint"] = {"layers": layers(model), "epochs": saved["epochs"]}
        results.append(result)
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
