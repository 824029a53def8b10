"""Schemathesis hooks for the contract run (.ci/contract.sh).

The OpenAPI document names with a `format` each rule JSON Schema cannot state
(an IMO check digit, a country name, a date of birth in the past, an entity
in service...). JSON Schema treats an unknown format as a note, so the fuzzer
is told here how to generate values of each: valid ones for the positive
phase. Negative cases still break every rule the schema states.

Request bodies the schema cannot describe beyond their media type (a CSV
file, a spreadsheet) are generated from small real files: a CSV with a name
column, and a workbook written by the service's own batch command.
"""

import datetime
import os

import schemathesis
from hypothesis import strategies as st

FIXTURES = os.environ.get("CONTRACT_FIXTURES", os.path.join(os.path.dirname(__file__), "fixtures"))


def _imo(digits):
    check = sum(int(d) * (7 - i) for i, d in enumerate(digits)) % 10
    return digits + str(check)


names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9 .,'&-]{0,40}\Z")
countries = st.sampled_from(["MX", "US", "CO", "GT", "ES", "Mexico", "México", "Colombia", "Venezuela"])
birth_dates = st.dates(datetime.date(1900, 1, 1), datetime.date(2010, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.strftime("%d/%m/%Y"), str(d.year)])
)
imos = st.from_regex(r"\A[0-9]{6}\Z").map(_imo).flatmap(lambda n: st.sampled_from([n, "IMO " + n]))
# Unlabelled identifiers (4 letters or digits at least, the shortest key looked up).
identifiers = st.from_regex(r"\A[0-9]{4,18}\Z")
# The datasets and entities the contract server serves (../shared/data/ofac/current and the registry).
datasets = st.sampled_from(["us_ofac_sdn", "cartelscreen_fto_cartels", "US_OFAC_SDN"])
entities = st.sampled_from(["cs-cjng", "cs-cds", "cs-cu", "ofac-17674", "ofac-11440", "ofac-52892"])
times = st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.isoformat() + "T00:00:00Z"])
)
future = st.dates(datetime.date(2030, 1, 1), datetime.date(2099, 12, 31)).map(datetime.date.isoformat)

schemathesis.openapi.format("counterparty-name", names)
schemathesis.openapi.format("country", countries)
schemathesis.openapi.format("birth-date", birth_dates)
schemathesis.openapi.format("imo", imos)
schemathesis.openapi.format("identifier", identifiers)
schemathesis.openapi.format("dataset", datasets)
schemathesis.openapi.format("entity-id", entities)
schemathesis.openapi.format("time", times)
schemathesis.openapi.format("future-time", future)
schemathesis.openapi.format("seq-or-time", st.one_of(st.integers(1, 10**6).map(str), times))
# Every fixture file has at least three columns; headers differ, positions do not.
schemathesis.openapi.format("column", st.sampled_from(["1", "2", "3"]))
schemathesis.openapi.format("sheet", st.just(""))


def _read(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


csv_rows = st.lists(st.tuples(names, countries, st.from_regex(r"\A[a-z0-9-]{1,12}\Z")), min_size=1, max_size=5)
csv_files = csv_rows.map(
    lambda rows: ("name,country,reference\n" + "".join(f'"{n}",{c},{r}\n' for n, c, r in rows)).encode()
)
schemathesis.openapi.media_type("text/csv", csv_files)
workbook = _read("counterparties.xlsx")
schemathesis.openapi.media_type(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", st.just(workbook)
)
schemathesis.openapi.media_type("application/vnd.ms-excel", st.just(_read("counterparties.xls")))
schemathesis.openapi.media_type("application/vnd.oasis.opendocument.spreadsheet", st.just(_read("counterparties.ods")))

# Messages as banks send them (POST /v1/screen/message): the repository's
# SWIFT FIN and ISO 20022 fixtures, with a generated transaction reference.
# Text the schema admits but that is no message is answered 422
# (`malformed_message`, `unsupported_message_type`), as documented.
_messages = sorted(os.listdir(os.path.join(FIXTURES, "messages")))
_fin = [_read(os.path.join("messages", m)).decode() for m in _messages if m.endswith(".fin")]
_xml = [_read(os.path.join("messages", m)).decode() for m in _messages if m.endswith(".xml")]
_references = st.from_regex(r"\A[A-Z0-9]{1,16}\Z")


def _with_reference(text, reference):
    lines = text.split("\n")
    cr = "\r" if text.endswith("\r\n") or "\r\n" in text else ""
    return "\n".join(":20:" + reference + cr if line.startswith(":20:") else line for line in lines).encode()


schemathesis.openapi.media_type(
    "text/plain", st.builds(_with_reference, st.sampled_from(_fin), _references)
)
schemathesis.openapi.media_type("application/xml", st.sampled_from(_xml).map(str.encode))
schemathesis.openapi.media_type(
    "application/octet-stream",
    st.one_of(st.builds(_with_reference, st.sampled_from(_fin), _references), st.sampled_from(_xml).map(str.encode)),
)


@schemathesis.hook
def filter_case(context, case):
    """`POST /v1/batch` options that only make sense for a given file (a
    sheet of a workbook, title rows to skip, a delimiter) are not sent with
    files generated without regard to them: the server refuses them with
    422, as documented, when the file does not fit."""
    if case.operation.path != "/v1/batch":
        return True
    query = case.query or {}
    return not any(query.get(k) not in (None, "", 0, "0") for k in ("sheet", "skip_rows", "delimiter"))

