"""Writes the request mixes for the HTTP benchmark from cases files written
by `cartelscreen gen` (name,type,country,dob,identifier,expected,class).

Usage: make_bodies.py VARIANTS.csv NEGATIVES.csv OUT_DIR

The mix is 30% listed names and their variants (typos, reorderings, aliases,
legal forms...) and 70% Mexican and US persons and companies on no list,
which is closer to real traffic than an all-hit mix. Writes screen.jsonl
(POST /v1/screen bodies) and match.jsonl (POST /match/default bodies).
"""
import csv
import json
import random
import sys

variants_path, negatives_path, out = sys.argv[1:4]
rng = random.Random(2025)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r.get("name")]


variants = read(variants_path)
negatives = read(negatives_path)
rng.shuffle(variants)
rng.shuffle(negatives)
n = 10000
rows = variants[: n * 3 // 10] + negatives[: n * 7 // 10]
rng.shuffle(rows)

SCHEMA = {"person": "Person", "company": "Company", "organization": "Organization", "vessel": "Vessel"}

with open(f"{out}/screen.jsonl", "w") as s, open(f"{out}/match.jsonl", "w") as m:
    for r in rows:
        body = {"name": r["name"]}
        props = {"name": [r["name"]]}
        if r.get("type"):
            body["type"] = r["type"]
        if r.get("country"):
            body["country"] = r["country"]
            props["country"] = [r["country"]]
        if r.get("dob"):
            body["dob"] = r["dob"]
            props["birthDate"] = [r["dob"]]
        if r.get("identifier"):
            body["identifiers"] = [r["identifier"]]
            props["idNumber"] = [r["identifier"]]
        s.write(json.dumps(body, ensure_ascii=False) + "\n")
        schema = SCHEMA.get(r.get("type", ""), "LegalEntity")
        m.write(json.dumps({"queries": {"q": {"schema": schema, "properties": props}}}, ensure_ascii=False) + "\n")
print(f"{len(rows)} bodies ({min(len(variants), n * 3 // 10)} listed or variants)")
