#!/usr/bin/env python3
"""Behaviour fingerprint for refactors: solves every shipped dataset with every
strategy (and any extra scenario folders given) and prints one line per run with
the plan's SHA-256 over everything except timings and memory.

    scripts/fingerprint.py BINARY [EXTRA_SCENARIO[:STRATEGY[:ARGS]] ...] > before.txt

Two binaries that print the same lines made the same plans, costs and bounds.
"""
import hashlib, json, pathlib, subprocess, sys

STRATEGIES = ["auto", "decompose", "monolithic", "greedy-cost", "shopify", "closest", "ranked"]
VOLATILE = {"time_s", "phases", "peak_memory_mb"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in VOLATILE and not k.endswith("_s")}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def run(binary, scenario, strategy, extra):
    model = "jasin-sinha" if "jasin-sinha" in scenario else "us-parcel"
    cmd = [binary, "solve", scenario, "--model", model, "--strategy", strategy, "--json", *extra]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0, 2, 3) or not out.stdout.strip().startswith("{"):
        return f"exit {out.returncode}: {out.stdout.strip()[:80]}"
    plan = json.loads(out.stdout)
    digest = hashlib.sha256(json.dumps(strip(plan), sort_keys=True).encode()).hexdigest()[:16]
    s = plan["solve"]
    return f"{s['status']} objective={s['objective']} bound={s.get('best_bound')} {digest}"


def shipped():
    root = pathlib.Path(__file__).resolve().parent.parent / "datasets"
    for path in sorted(root.rglob("*.json")):
        # Scenarios only: not expected results, not cart files (`domopt promise`).
        if path.name not in ("expected.json", "carts.json") and path.parent.name != "csv-folder" and path.name != "scenario.json":
            yield str(path.relative_to(root.parent))
    for path in sorted(root.rglob("scenario.json")):
        yield str(path.parent.relative_to(root.parent))


def main():
    binary, extras = sys.argv[1], sys.argv[2:]
    for scenario in shipped():
        for strategy in STRATEGIES:
            print(f"{scenario} {strategy}: {run(binary, scenario, strategy, [])}", flush=True)
    for spec in extras:
        scenario, strategy, *args = spec.split(":")
        print(f"{spec}: {run(binary, scenario, strategy, ' '.join(args).split())}", flush=True)


if __name__ == "__main__":
    main()
