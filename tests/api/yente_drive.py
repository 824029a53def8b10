#!/usr/bin/env python3
"""Drive cartelscreen's OpenSanctions (yente-compatible) API with the official
`yente-client` SDK and its `yente-cli`, as a customer migrating from yente
would, and check what comes back.

    python drive.py BASE_URL API_KEY WORKDIR

BASE_URL is the service root (http://127.0.0.1:PORT), API_KEY a key with the
`screen` scope, WORKDIR a scratch folder for the CSV files of `yente-cli
screen`. The server must have the OFAC SDN list loaded (us_ofac_sdn) beside
the embedded cartel registry. Needs `yente-client[cli]==0.2.0` in the running
interpreter; `yente-cli` is taken from the same environment.

Prints one line per check and exits 0 when all pass, 1 otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import httpx
from yente_client import (
    AuthenticationError,
    BadRequestError,
    Client,
    LegalEntity,
    MatchError,
    NotFoundError,
    Organization,
    Person,
)

CARTEL = "Cartel de Jalisco Nueva Generacion"
CARTEL_ID = "cs-cjng"  # the cartel registry's entry, merged with OFAC's
CARTEL_OFAC_ID = "ofac-17671"  # a referent of CARTEL_ID
MENCHO_ID = "ofac-17674"  # OSEGUERA CERVANTES, Ruben
MENCHO_CURP = "OECR660717HMNSRB00"
NOISE = "Zxqvb Wplmrt Ktyhgo"
THRESHOLD = 0.7

failures: list[str] = []
passed = 0


def check(name: str, fn: Callable[[], Any]) -> None:
    global passed
    try:
        note = fn()
    except Exception as exc:  # every failure is reported, none stops the run
        failures.append(name)
        print(f"FAIL {name}: {type(exc).__name__}: {exc}")
        traceback.print_exc(limit=4, file=sys.stdout)
        return
    passed += 1
    print(f"ok   {name}" + (f" ({note})" if isinstance(note, str) and note else ""))


def require(cond: bool, msg: str) -> None:
    if not cond:
        raise AssertionError(msg)


def raises(exc_type: type[Exception], fn: Callable[[], Any]) -> Exception:
    try:
        fn()
    except exc_type as exc:
        return exc
    raise AssertionError(f"expected {exc_type.__name__}")


def ids(results: list[Any]) -> list[str]:
    return [r.id for r in results]


def well_scored(results: list[Any], threshold: float) -> None:
    scores = [r.score for r in results]
    require(scores == sorted(scores, reverse=True), f"not sorted by score: {scores}")
    for r in results:
        require(0.0 <= r.score <= 1.0, f"{r.id}: score {r.score} outside [0, 1]")
        require(r.match == (r.score >= threshold), f"{r.id}: match={r.match} at score {r.score} / {threshold}")
        require(r.caption and r.schema_, f"{r.id}: no caption or schema")
        for prop, values in r.properties.items():
            require(all(isinstance(v, str) for v in values), f"{r.id}: {prop} holds a non-string")


def sdk(c: Client, base_url: str, api_key: str) -> None:
    def probes() -> None:
        require(c.healthz().status == "ok", "healthz")
        require(c.readyz().status == "ok", "readyz")

    def algorithms() -> str:
        r = c.algorithms()
        names = [a.name for a in r.algorithms]
        require(len(names) == len(set(names)) >= 1, f"algorithm names {names}")
        require(r.default in names and r.best in names, f"default/best {r.default}/{r.best} not in {names}")
        return ", ".join(names)

    def datasets() -> str:
        r = c.datasets()
        by_name = {d.name: d for d in r.datasets}
        require({"default", "us_ofac_sdn", "cartelscreen_fto_cartels"} <= set(by_name), f"datasets {sorted(by_name)}")
        default = by_name["default"]
        require(default.load and default.index_current, "default is not loaded and current")
        require({"us_ofac_sdn", "cartelscreen_fto_cartels"} <= set(default.children), f"children {default.children}")
        require(by_name["us_ofac_sdn"].entity_count and by_name["us_ofac_sdn"].entity_count > 10_000, "SDN count")
        require(isinstance(by_name["us_ofac_sdn"].version, str), "version is not a string")
        again = c.datasets()  # revalidated with the ETag: the same catalog
        require([d.name for d in again.datasets] == [d.name for d in r.datasets], "catalog changed on revalidation")
        return f"{len(r.datasets)} datasets"

    def search() -> str:
        r = c.search(CARTEL, datasets=["default"])
        require(r.results and r.results[0].id == CARTEL_ID, f"top of search: {ids(r.results)}")
        top = r.results[0]
        require(CARTEL_OFAC_ID in top.referents, f"referents {top.referents}")
        require({"us_ofac_sdn", "cartelscreen_fto_cartels"} <= set(top.datasets), f"datasets {top.datasets}")
        require("sanction" in top.properties.get("topics", []), "no sanction topic")
        require(r.total.value >= len(r.results) and r.offset == 0 and r.limit == 10, f"paging {r.total} {r.limit}")
        sdn = c.search("Oseguera Cervantes", datasets=["us_ofac_sdn"], limit=5)
        require(sdn.limit == 5 and 1 <= len(sdn.results) <= 5, f"us_ofac_sdn search: {ids(sdn.results)}")
        require(all("us_ofac_sdn" in e.datasets for e in sdn.results), "a result outside us_ofac_sdn")
        require(MENCHO_ID in ids(sdn.results), f"{MENCHO_ID} not found by surname: {ids(sdn.results)}")
        page = c.search("Oseguera Cervantes", datasets=["us_ofac_sdn"], limit=1, offset=1)
        require(page.offset == 1 and page.limit == 1 and len(page.results) == 1, "second page")
        require(page.results[0].id == ids(sdn.results)[1], "pages disagree")
        people = c.search("Oseguera", schema="Person", countries=["mx"], limit=50)
        require(people.results and all(e.schema_ == "Person" for e in people.results), "schema filter")
        require(all("mx" in e.properties.get("country", []) for e in people.results), "countries filter")
        typo = c.search("Osegera Cervantez", limit=5)
        require(MENCHO_ID in ids(typo.results), f"a misspelt name finds nothing: {ids(typo.results)}")
        multi = c.search(CARTEL, datasets=["default", "us_ofac_sdn"], limit=3)
        require(ids(multi.results)[:1] == [CARTEL_ID], "include_dataset")
        missing = raises(NotFoundError, lambda: c.search(CARTEL, datasets=["no_such_dataset"]))
        require("no_such_dataset" in missing.detail, f"404 detail: {missing.detail}")
        return f"{r.total.value} hits for the cartel, {people.total.value} persons named Oseguera"

    def match_cartel() -> str:
        r = c.match(Organization(name=CARTEL, country="mx"), threshold=THRESHOLD, limit=5)
        well_scored(r.results, THRESHOLD)
        require(r.limit == 5 and r.query["schema"] == "Organization", f"echo {r.query} limit {r.limit}")
        require(r.query["properties"]["name"] == [CARTEL], "query echo lost the name")
        top = r.top
        require(top is not None and top.id == CARTEL_ID and top.match, f"top {top and top.id}")
        require(top.score >= 0.95, f"score {top.score}")
        require(top.explanations["name_match"].score >= 0.95, "name_match explanation")
        topics = top.properties["topics"]
        require({"sanction", "crime.traffick.drug", "crime.terror"} <= set(topics), f"topics {topics}")
        cjng = c.match(LegalEntity(name="CJNG"), datasets=["us_ofac_sdn"], algorithm="best")
        require(cjng.top and cjng.top.id == CARTEL_ID and cjng.top.match, "CJNG on OFAC alone")
        return f"{top.id} {top.score:.3f}"

    def match_person() -> str:
        q = Person(name="Ruben Oseguera Cervantes", birthDate="1966-07-17", nationality="mx")
        r = c.match(q, threshold=THRESHOLD)
        well_scored(r.results, THRESHOLD)
        require(r.top and r.top.id == MENCHO_ID and r.top.match, f"top {ids(r.results)}")
        require(r.top.explanations["dob_match"].score > 0, "no dob_match")
        wrong = c.match(Person(name="Ruben Oseguera Cervantes", birthDate="1990-01-01"), threshold=THRESHOLD)
        lower = next(e.score for e in wrong.results if e.id == MENCHO_ID)
        require(lower < r.top.score, f"a contradicting birth date did not lower the score ({lower})")
        require(wrong.top.explanations["dob_mismatch"].score < 0, "no dob_mismatch")
        by_id = c.match(Person(name="Juan Perez Lopez", idNumber=MENCHO_CURP))
        require(by_id.top and by_id.top.id == MENCHO_ID and by_id.top.score == 1.0, "identifier alone")
        require("identifier_match" in by_id.top.explanations, "identifier_match explanation")
        org = c.match(Organization(name="Ruben Oseguera Cervantes"))
        require(all(e.schema_ != "Person" for e in org.results), "an Organization query returned persons")
        return f"{r.top.score:.3f} with the birth date, {lower:.3f} with a wrong one"

    def match_thresholds() -> str:
        q = Person(name="Oseguera Cervantes")
        loose = c.match(q, threshold=0.5, cutoff=0.5, limit=20)
        strict = c.match(q, threshold=0.99, cutoff=0.5, limit=20)
        well_scored(loose.results, 0.5)
        well_scored(strict.results, 0.99)
        require(ids(loose.results) == ids(strict.results), "threshold changed the candidates")
        require([e.score for e in loose.results] == [e.score for e in strict.results], "threshold changed scores")
        require(len(strict.matches) <= len(loose.matches), "a higher threshold matched more")
        high = c.match(q, cutoff=0.9, limit=20)
        require(all(e.score >= 0.9 for e in high.results), "cutoff not honoured")
        one = c.match(q, limit=1)
        require(len(one.results) <= 1 and one.total.value >= len(one.results), "limit")
        return f"{len(loose.results)} candidates, {len(loose.matches)} over 0.5, {len(strict.matches)} over 0.99"

    def match_filters() -> str:
        q = LegalEntity(name=CARTEL)
        ex = c.match(q, exclude_entities=[CARTEL_ID])
        require(CARTEL_ID not in ids(ex.results), "exclude_entity_ids")
        ex_ref = c.match(q, exclude_entities=[CARTEL_OFAC_ID])
        require(CARTEL_ID not in ids(ex_ref.results), "exclude_entity_ids by a referent")
        schemata = c.match(q, exclude_schemata=["Organization"])
        require(CARTEL_ID not in ids(schemata.results), "exclude_schema")
        topics = c.match(q, topics=["crime.traffick.drug"])
        require(CARTEL_ID in ids(topics.results), "topics filter lost the cartel")
        no_topic = c.match(q, topics=["role.pep"])
        require(not no_topic.results, "topics filter kept entities without the topic")
        registry_only = c.match(q, datasets=["default"], exclude_datasets=["us_ofac_sdn"])
        require(ids(registry_only.results) == [CARTEL_ID], f"exclude_dataset: {ids(registry_only.results)}")
        recent = c.match(q, changed_since="2099-01-01")
        require(CARTEL_ID not in ids(recent.results), "changed_since kept the 2025 registry entry")
        for algo in [a.name for a in c.algorithms().algorithms]:
            r = c.match(q, algorithm=algo)
            require(r.top and r.top.id == CARTEL_ID, f"algorithm {algo}")
        bad = raises(BadRequestError, lambda: c.match(q, algorithm="no-such-algorithm"))
        require("cartelscreen-v1" in bad.detail, f"bad algorithm detail: {bad.detail}")
        raises(NotFoundError, lambda: c.match(q, datasets=["no_such_dataset"]))
        return "exclusions, topics, datasets, changed_since, algorithms"

    def match_noise() -> str:
        r = c.match(Person(name=NOISE, birthDate="1901-01-01"), threshold=THRESHOLD)
        well_scored(r.results, THRESHOLD)
        require(not r.matches, f"noise matched {ids(r.matches)}")
        return f"{len(r.results)} candidates"

    def match_iter() -> str:
        pairs = [("cartel", LegalEntity(name=CARTEL)), ("noise", Person(name=NOISE)), ("abbr", LegalEntity(name="CJNG"))]
        got = dict(c.match_iter(pairs, workers=2, on_error="collect"))
        require(set(got) == {"cartel", "noise", "abbr"}, f"keys {sorted(got)}")
        require(not [v for v in got.values() if isinstance(v, MatchError)], "errors in match_iter")
        require(got["cartel"].top.id == CARTEL_ID and got["abbr"].top.id == CARTEL_ID, "match_iter results")
        require(not got["noise"].matches, "noise matched in match_iter")

    def fetch() -> str:
        e = c.fetch(CARTEL_ID)
        require(e.id == CARTEL_ID and e.schema_ == "Organization", f"{e.id} {e.schema_}")
        require(CARTEL_OFAC_ID in e.referents and "us_ofac_sdn" in e.datasets, "merged entity")
        sanctions = [s for s in e.properties.get("sanctions", []) if not isinstance(s, str)]
        require(len(sanctions) >= 2 and all(s.schema_ == "Sanction" for s in sanctions), "nested sanctions")
        links = [x for x in e.properties.get("unknownLinkFrom", []) if not isinstance(x, str)]
        require(links, "no entity links to the cartel")
        require(e.first_seen is not None and e.last_seen is not None, "timestamps")
        flat = c.fetch(CARTEL_ID, nested=False)
        require("sanctions" not in flat.properties, "nested=false still nests")
        moved = c.fetch(CARTEL_OFAC_ID, nested=False)
        require(moved.id == CARTEL_ID, f"referent resolved to {moved.id}")
        person = c.fetch(MENCHO_ID)
        require(person.properties.get("birthDate") == ["1966-07-17"], f"birthDate {person.properties.get('birthDate')}")
        require(MENCHO_CURP in person.properties.get("idNumber", []), "CURP")
        missing = raises(NotFoundError, lambda: c.fetch("no-such-entity"))
        require("no-such-entity" in missing.detail, f"detail {missing.detail}")
        return f"{len(sanctions)} sanctions, {len(links)} entities linked to the cartel"

    def adjacent() -> str:
        r = c.adjacent(CARTEL_ID, limit=3)
        require(r.entity.id == CARTEL_ID and "sanctions" in r.adjacent, f"adjacent props {sorted(r.adjacent)}")
        links = c.adjacent(CARTEL_ID, prop="unknownLinkFrom", limit=2)
        require(len(links.results) <= 2 and links.total.value >= len(links.results), "paged adjacent property")

    def auth() -> None:
        for key in (api_key + "x", None):
            with Client(base_url=base_url, api_key=key) as other:
                err = raises(AuthenticationError, lambda: other.search(CARTEL, limit=1))
                require(err.status_code == 401 and err.detail, f"{err.status_code} {err.detail}")
                raises(AuthenticationError, lambda: other.match(LegalEntity(name=CARTEL)))

    def wire() -> None:
        headers = {"Authorization": f"ApiKey {api_key}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as h:
            r = h.get(f"/entities/{CARTEL_OFAC_ID}", params={"nested": "false"})
            require(r.status_code == 308, f"referent status {r.status_code}")
            require(r.headers["location"].startswith(f"./{CARTEL_ID}"), f"Location {r.headers['location']}")
            body = h.get("/entities/nope").json()
            require(body["detail"] == body["error"]["message"] and body["error"]["code"] == "entity_not_found", body)
            bad = h.post("/match/default", params={"limit": "abc"}, json={"queries": {}})
            require(bad.status_code == 422 and bad.json()["detail"], f"{bad.status_code} {bad.text}")
            m = h.post("/match/default", json={"queries": {"q": {"schema": "Person", "properties": {"name": "El Mencho"}}}})
            q = m.json()["responses"]["q"]
            require(q["status"] == 200 and q["results"][0]["id"] == MENCHO_ID, "a bare string property")
            require(q["results"][0]["cartelscreen"]["cartel_ties"][0]["cartel"] == "CJNG", "cartel tie on the wire")

    check("healthz and readyz", probes)
    check("algorithms", algorithms)
    check("datasets (catalog)", datasets)
    check("search", search)
    check("match: the cartel", match_cartel)
    check("match: a person, birth date, identifier", match_person)
    check("match: threshold, cutoff, limit", match_thresholds)
    check("match: filters and algorithms", match_filters)
    check("match: noise", match_noise)
    check("match_iter", match_iter)
    check("fetch", fetch)
    check("adjacent", adjacent)
    check("authentication", auth)
    check("wire details", wire)


def cli(base_url: str, api_key: str, workdir: Path) -> None:
    exe = Path(sys.executable).parent / "yente-cli"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "yente_client.cli.main"]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENSANCTIONS_API_KEY", "YENTE_BASE_URL")}
    env["NO_COLOR"] = "1"

    def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = base + ["--base-url", base_url, "--api-key", api_key] + args
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300, env=env)

    def write_csv(name: str, rows: list[dict[str, str]]) -> Path:
        path = workdir / name
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        return path

    def read_csv(path: Path) -> list[dict[str, str]]:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    def commands() -> None:
        p = run(["status", "-f", "json"])
        require(p.returncode == 0, f"status exit {p.returncode}: {p.stderr}")
        s = json.loads(p.stdout)
        require(s["api"]["liveness"]["status"] == "ok" and s["api"]["readiness"]["status"] == "ok", "status")
        require([d["name"] for d in s["loaded"]] == ["default"], f"loaded {s['loaded']}")
        p = run(["search", CARTEL, "-l", "3", "-f", "json"])
        require(p.returncode == 0, f"cli search: {p.returncode} {p.stderr}")
        require(json.loads(p.stdout)["results"][0]["id"] == CARTEL_ID, "cli search")
        p = run(["match", "-s", "Person", "-p", "name=Ruben Oseguera", "-p", "birthDate=1966-07-17", "-f", "json"])
        require(p.returncode == 0, f"cli match: {p.returncode} {p.stderr}")
        require(json.loads(p.stdout)["results"][0]["id"] == MENCHO_ID, "cli match")
        p = run(["fetch", CARTEL_OFAC_ID, "--no-nested", "-f", "json"])
        require(p.returncode == 0, f"cli fetch: {p.returncode} {p.stderr}")
        require(json.loads(p.stdout)["id"] == CARTEL_ID, "cli fetch of a referent")
        p = run(["fetch", "no-such-entity", "-f", "json"])
        require(p.returncode == 3 and "no-such-entity" in p.stderr, f"cli fetch of a missing id: {p.returncode} {p.stderr}")
        p = run(["datasets", "un_nowhere", "-f", "json"])
        require(p.returncode == 2, f"cli datasets of an unknown name: {p.returncode} {p.stderr}")

    def screen() -> str:
        rows = [
            {"ref": "c1", "name": "Cártel de Jalisco Nueva Generación", "kind": "Organization", "dob": "", "country": "mx"},
            {"ref": "c2", "name": "CJNG", "kind": "", "dob": "", "country": "Mexico"},
            {"ref": "p1", "name": "Nemesio Oseguera Cervantes", "kind": "Person", "dob": "1966-07-17", "country": "MX"},
            {"ref": "n1", "name": NOISE, "kind": "Person", "dob": "", "country": ""},
        ]
        src = write_csv("counterparties.csv", rows)
        out = workdir / "counterparties.screened.csv"
        p = run([
            "screen", str(src), str(out), "--schema-column", "kind", "-s", "LegalEntity",
            "-i", "name=name", "-i", "dob=birthDate", "-i", "country=country",
            "-o", "topics=listed_topics", "-o", "programId=programs",
            "--threshold", str(THRESHOLD), "--limit", "3", "--include-empty", "--explanation", "--workers", "4",
        ])
        require(p.returncode == 0, f"screen exit {p.returncode}: {p.stderr[-1000:]}")
        got = read_csv(out)
        require([r["ref"] for r in got] == sorted([r["ref"] for r in got], key=["c1", "c2", "p1", "n1"].index), "order")
        require(not any(r["match_error"] for r in got), f"errors {[r['match_error'] for r in got]}")
        first = {}
        for r in got:
            first.setdefault(r["ref"], r)
        for ref, wanted in (("c1", CARTEL_ID), ("c2", CARTEL_ID), ("p1", MENCHO_ID)):
            r = first[ref]
            require(r["match_id"] == wanted and r["match"] == "true", f"{ref}: {r['match_id']} match={r['match']}")
            require("sanction" in r["match_topics"].split(";"), f"{ref}: topics {r['match_topics']}")
            require(r["match_explanation"].startswith("name_match="), f"{ref}: explanation {r['match_explanation']}")
        require("SDNTK" in first["p1"]["programs"].split(";"), f"programs {first['p1']['programs']}")
        require("dob_match=" in first["p1"]["match_explanation"], first["p1"]["match_explanation"])
        noise = [r for r in got if r["ref"] == "n1"]
        require(noise and all(r["match"] != "true" for r in noise), "noise row matched")
        float(first["c1"]["match_score"])

        p = run(["screen", "-", "-", "-s", "Organization", "-i", "company=name", "--match"], stdin=f"company\n{CARTEL}\n\"\"\n")
        require(p.returncode == 5, f"a blank row should exit 5, not {p.returncode}")
        rows_out = list(csv.DictReader(io.StringIO(p.stdout)))
        require(any(r["match_id"] == CARTEL_ID for r in rows_out), "screen to stdout")
        require([r["match_error"] for r in rows_out if r["match_error"]] == ["no input values"], "blank row error")
        return f"{len(got)} rows"

    check("yente-cli status, search, match, fetch, datasets", commands)
    check("yente-cli screen", screen)


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    base_url, api_key, workdir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    workdir.mkdir(parents=True, exist_ok=True)
    with Client(base_url=base_url, api_key=api_key, app_name="cartelscreen-tests") as c:
        sdk(c, base_url, api_key)
    cli(base_url, api_key, workdir)
    print(f"{passed} passed, {len(failures)} failed" + (f": {', '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
