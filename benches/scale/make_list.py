#!/usr/bin/env python3
"""Turns a `cartelscreen gen counterparties` file into an own-format list
(CSV) of N entries with unique names: a firm's large internal list.

Usage: make_list.py COUNTERPARTIES.csv N OUT.csv
Persons keep their birth date, everyone their RFC and country.
"""
import csv
import sys


def main() -> int:
    src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seen = set()
    written = 0
    with open(src, newline="", encoding="utf-8") as f, open(out, "w", newline="", encoding="utf-8") as g:
        w = csv.writer(g)
        w.writerow(["id", "kind", "name", "birth_dates", "countries", "identifiers", "programs"])
        for row in csv.DictReader(f):
            key = row["name"].upper()
            if key in seen:
                continue
            seen.add(key)
            kind = "person" if row["type"] == "person" else "company"
            dob = row["date_of_birth"] if kind == "person" else ""
            rfc = f"rfc:{row['tax_id']}" if row["tax_id"] else ""
            written += 1
            w.writerow([f"own-{written:07d}", kind, row["name"], dob, row["country"], rfc, "INTERNAL"])
            if written == n:
                break
    if written < n:
        print(f"only {written} unique names in {src}; generate more rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
