"""`python -m jupyterlab_dlcoach.predictor --model FILE`: load one exported model and answer predictions.

The protocol is one JSON object per line. On stdout, first a greeting once the model is loaded:
``{"ready": true, "classes": [...], "device": "cpu", "reference": {...} | null, "seconds": s}``, or
``{"ready": false, "error": {...}}`` and exit 3 when the model cannot be loaded. Then, for each request
line ``{"image": "<base64 bytes>"}`` on stdin, one answer line: ``{"label", "probability", "classes",
"note", "seconds"}`` or ``{"error": {"status", "message", "field"}}``. End of stdin (the server stopped
or died) ends the process, so a predictor never outlives its server.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from pathlib import Path

from jupyterlab_dlcoach.core import images
from jupyterlab_dlcoach.core.errors import CoachError

EXIT_LOAD_FAILED = 3


def protocol_stream():
    """A private copy of stdout for answers; fd 1 then points at stderr (the log), so that a library's
    stray print can never corrupt the protocol."""
    out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def pick_device(wanted: str, threads: int) -> str:
    import torch

    # One picture at a time gains little from several threads, and on a busy CPU (a training job beside
    # it) threads that wait for each other make an answer 10x slower: measured 620 ms vs 43 ms (p50).
    torch.set_num_threads(threads)
    if wanted == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return wanted


def load(model: Path, device: str):
    from fastai.learner import load_learner

    learn = load_learner(model, cpu=device == "cpu")
    if device != "cpu":
        learn.model.to(device)
        learn.dls.to(device)
    learn.model.eval()
    return learn


def predict(learn, data: bytes, reference: dict | None) -> dict:
    from fastai.vision.core import PILImage

    img = images.decode(data)
    with learn.no_bar():
        _, _, probs = learn.predict(PILImage.create(img))
    vocab = [str(v) for v in learn.dls.vocab]
    ranked = sorted(zip(vocab, probs.tolist(), strict=True), key=lambda c: -c[1])
    return {
        "label": ranked[0][0],
        "probability": ranked[0][1],
        "classes": [{"label": label, "probability": p} for label, p in ranked],
        "note": images.unlike_training(reference, images.stats(img)),
    }


def answer(learn, line: bytes, reference: dict | None) -> dict:
    t0 = time.perf_counter()
    try:
        request = json.loads(line)
        data = base64.b64decode(request["image"], validate=True)
        reply = predict(learn, data, reference)
    except CoachError as e:
        return {"error": {"status": e.status, **e.to_json()}}
    except (ValueError, KeyError, TypeError) as e:
        return {"error": {"status": 400, "message": f"The request could not be read: {e}."}}
    except Exception as e:  # one picture the model chokes on must not end the process for the next
        message = f"The model could not make a prediction for this picture ({type(e).__name__}: {e})."
        return {"error": {"status": 422, "message": message[:600], "field": "image"}}
    reply["seconds"] = round(time.perf_counter() - t0, 4)
    return reply


def main(argv=None) -> int:
    prog = "python -m jupyterlab_dlcoach.predictor"
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, type=Path, help="a model.pkl exported by fastai")
    p.add_argument("--dataset", type=Path, help="the training images' folder, to compare pictures with")
    p.add_argument("--device", default="auto", help="auto (the GPU when there is one), cpu or cuda")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for one prediction")
    args = p.parse_args(argv)
    out = protocol_stream()
    t0 = time.perf_counter()
    try:
        device = pick_device(args.device, max(1, args.threads))
        learn = load(args.model, device)
    except Exception as e:  # whatever unpickling raises, the server needs it in words, not a traceback
        message = f"{type(e).__name__}: {e}"[:1500]
        print(json.dumps({"ready": False, "error": {"kind": "load_failed", "message": message}}), file=out)
        return EXIT_LOAD_FAILED
    reference = None
    if args.dataset is not None and args.dataset.is_dir():
        reference = images.reference(args.dataset)
    greeting = {
        "ready": True,
        "classes": [str(v) for v in learn.dls.vocab],
        "device": device,
        "reference": reference,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    print(json.dumps(greeting), file=out)
    for line in sys.stdin.buffer:
        if line.strip():
            print(json.dumps(answer(learn, line, reference)), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
