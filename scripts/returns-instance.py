#!/usr/bin/env python3
"""A returns batch over a generated network, for measuring `domopt returns`.

    domopt generate --preset peak-m --seed 1 --out /tmp/pm
    python3 scripts/returns-instance.py /tmp/pm /tmp/pm-returns --units 10000 --seed 1
    domopt returns /tmp/pm-returns /tmp/pm-returns/returns.json --out /tmp/pm-returns-out

Copies the scenario folder to OUT with its DCs given the `returns` and
`inspection` capabilities (generated stores already take returns), and
writes OUT/returns.json: returns of past orders' lines (the wave's orders
and destinations stand in for last month's), in the condition mix below,
with store returns capacities, DC inspection capacities, backorders at a
tenth of the (store, SKU) pairs returned, and the example's costs.
Deterministic for a seed.
"""

import argparse
import csv
import json
import random
import shutil
from pathlib import Path

CONDITIONS = [("new", 0.55), ("open_box", 0.2), ("damaged", 0.1), ("unknown", 0.15)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("out")
    p.add_argument("--units", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    src, out = Path(a.scenario), Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src, out)
    scenario = json.loads((out / "scenario.json").read_text())
    for n in scenario["nodes"]:
        if n["kind"] == "dc":
            n["capabilities"] = ["ship_to_home", "returns", "inspection"]
    (out / "scenario.json").write_text(json.dumps(scenario, indent=1))
    zips = {r["id"]: r["zip"] for r in csv.DictReader(open(src / "orders.csv"))}
    lines = list(csv.DictReader(open(src / "order_lines.csv")))
    rng.shuffle(lines)
    returns, units = [], 0
    for k, line in enumerate(lines):
        if units >= a.units:
            break
        q = min(int(line["quantity"]), a.units - units)
        cond = rng.choices([c for c, _ in CONDITIONS], [w for _, w in CONDITIONS])[0]
        returns.append({"id": f"R{k:07d}", "order": line["order"], "sku": line["sku"],
                        "quantity": q, "condition": cond, "zip": zips[line["order"]]})
        units += q
    stores = [n["id"] for n in scenario["nodes"] if n["kind"] == "store"]
    dcs = [n["id"] for n in scenario["nodes"] if n["kind"] == "dc"]
    fair = a.units / max(1, len(stores) + len(dcs))
    capacities = [{"node": s, "returns_units": int(fair * rng.uniform(0.5, 1.5))} for s in stores]
    capacities += [{"node": d, "inspection_units": int(a.units * 0.15 / len(dcs) * rng.uniform(0.8, 1.4))} for d in dcs]
    skus = sorted({r["sku"] for r in returns})
    demand = []
    for sku in rng.sample(skus, len(skus) // 3):
        for s in rng.sample(stores, 3):
            demand.append({"node": s, "sku": sku, "backorders": rng.randint(1, 3),
                           "shortfall": rng.randint(0, 2)})
    example = json.loads((Path(__file__).parent.parent / "datasets/returns/returns.json").read_text())
    batch = {"returns": returns, "capacities": capacities, "demand": demand, "costs": example["costs"]}
    (out / "returns.json").write_text(json.dumps(batch, indent=0))
    print(f"{len(returns)} returns, {units} units, {len(demand)} demand rows -> {out}/returns.json")


if __name__ == "__main__":
    main()
