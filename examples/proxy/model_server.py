#!/usr/bin/env python3
"""A small real model server for the proxy example: Flask, one logistic-regression "model" whose
weights differ per version. POST /predict {"features": [x1, x2, x3]} -> {"version", "score", "label"}.
--latency-ms and --error-rate make a version slow or failing (to watch a rollout catch it)."""
import argparse
import math
import random
import time

from flask import Flask, jsonify, request

MODELS = {  # version -> (weights, bias)
    "v1": ([0.8, -0.4, 0.3], -0.1),
    "v2": ([0.9, -0.5, 0.35], -0.05),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--version", required=True, choices=sorted(MODELS))
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--error-rate", type=float, default=0.0)
    args = p.parse_args()
    weights, bias = MODELS[args.version]
    app = Flask(args.version)

    @app.post("/predict")
    def predict():
        if args.latency_ms:
            time.sleep(args.latency_ms / 1000.0)
        if random.random() < args.error_rate:
            return jsonify(error="model failure (simulated)"), 500
        features = (request.get_json(silent=True) or {}).get("features", [0.0, 0.0, 0.0])
        z = bias + sum(w * float(x) for w, x in zip(weights, features))
        score = 1.0 / (1.0 + math.exp(-z))
        return jsonify(version=args.version, score=round(score, 4), label=int(score >= 0.5),
                       forwarded_for=request.headers.get("X-Forwarded-For"))

    @app.get("/healthz")
    def healthz():
        return "ok\n"

    # threaded: the proxy keeps several connections open to each server.
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
