#!/usr/bin/env python3
"""Writes the Jasin-Sinha network instances (deterministic; Python stdlib only).

Network and cost model of Jasin & Sinha (Operations Research 63(6), 2015), as
also used by Amil, Makhdoumi & Wei (Management Science, 2025): 10 US fulfillment
centers, demand from 99 US metros in proportion to population, and the cost
model `jasin-sinha` (8.759 per package + 0.423 + 0.000541 x miles per item).
The demand process here is ours (documented in README.md), not the authors'.

    python3 datasets/jasin-sinha/make.py
"""
import csv, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "reference")


def read(name):
    with open(os.path.join(REF, name), newline="") as f:
        return list(csv.DictReader(f))


def make(items, orders, seed):
    rng = random.Random(seed)
    sites = read("fulfillment-centers.csv")
    metros = read("us-metros.csv")
    pops = [float(m["population"]) for m in metros]
    # Item i appears in an order with probability 0.6 * 0.8^i (at least one item).
    probs = [0.6 * 0.8 ** i for i in range(items)]
    out = os.path.join(HERE, f"items-{items}")
    os.makedirs(out, exist_ok=True)
    scenario = {
        "name": f"jasin-sinha-items{items}",
        "wave_time": "2026-12-01T09:00",
        "nodes": [
            {"id": s["facility"], "kind": "dc", "lat": float(s["lat"]), "lon": float(s["lon"]),
             "services": [{"service": "standard"}]}
            for s in sites
        ],
        "skus": [{"id": f"item-{i + 1}", "weight_lb": 1.0} for i in range(items)],
    }
    with open(os.path.join(out, "scenario.json"), "w") as f:
        json.dump(scenario, f, indent=1)
        f.write("\n")
    demand = [0] * items
    rows, lines = [], []
    for o in range(orders):
        m = rng.choices(range(len(metros)), weights=pops)[0]
        chosen = [i for i in range(items) if rng.random() < probs[i]]
        if not chosen:
            chosen = [rng.choices(range(items), weights=probs)[0]]
        oid = f"T{o + 1:04d}"
        rows.append([oid, metros[m]["lat"], metros[m]["lon"]])
        for i in chosen:
            lines.append([oid, f"item-{i + 1}", 1])
            demand[i] += 1
    with open(os.path.join(out, "orders.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lat", "lon"])
        w.writerows(rows)
    with open(os.path.join(out, "order_lines.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["order", "sku", "quantity"])
        w.writerows(lines)
    # Each item sits at about half of the centers (at least two), with 110 % of
    # its demand in total, split evenly with the remainder going to the first.
    with open(os.path.join(out, "inventory.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["node", "sku", "on_hand"])
        for i in range(items):
            carriers = sorted(rng.sample(range(len(sites)), max(2, len(sites) // 2)))
            total = round(demand[i] * 1.1)
            each, rest = divmod(total, len(carriers))
            for k, c in enumerate(carriers):
                w.writerow([sites[c]["facility"], f"item-{i + 1}", each + (rest if k == 0 else 0)])


if __name__ == "__main__":
    for items in (2, 5, 10):
        make(items, 1000, seed=2015 + items)
