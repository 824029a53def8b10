//! The OpenAPI document: the contract integration teams generate clients
//! from, import into gateways and point contract-testing tools at.
//!
//! [`ApiDoc`] is generated from the handlers' annotations so it cannot
//! drift from them. [`document`] then completes it from the places the
//! rules are declared, so none is retyped here:
//!
//! - every operation's error responses come from the one error-code table
//!   ([`Code`]): for each status the route can answer, the JSON error body
//!   with the list of its `code` values ([`route_codes`] says which codes a
//!   route raises; the codes every route, every keyed route, every JSON body
//!   and every query string can meet are added by [`shared_codes`]);
//! - request schemas carry what the server enforces (required fields,
//!   lengths, item counts, enums, ranges), with the limits taken from the
//!   engine's [`Query::parse`](crate::engine::Query::parse) constants and
//!   the server's settings.
//!
//! Rules JSON Schema cannot state (an IMO check digit, a country name, a
//! date of birth in the past, an entity in service) are named by a `format`
//! ([`FORMATS`]) and described; `.ci/contract.sh` teaches the fuzzer to
//! generate values of those formats.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::config::ServerSettings;
use crate::engine::options::MAX_OPTION_VALUES;
use crate::engine::query::{
    self as query, MAX_ADDRESS_CHARS, MAX_CALL_SIGN_CHARS, MAX_IDENTIFIERS, MAX_ID_CHARS, MAX_NAME_CHARS,
    MAX_REFERENCE_CHARS,
};
use crate::error::Code;
use crate::http::{ops, records, upload, v1, yente};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cartelscreen",
        description = "Sanctions screening against the OFAC and UN lists and the networks of the six \
                       FTO-designated Mexican cartels. Errors are JSON `{\"error\": {\"code\", \"message\"}}`; \
                       each operation lists the codes it can answer under each status. This document is the \
                       contract: it is validated and fuzzed against the running service in CI."
    ),
    paths(
        v1::screen::screen,
        v1::screen::screen_batch,
        v1::transaction::screen_transaction,
        v1::message::screen_message,
        upload::batch,
        v1::entities::entity,
        v1::cartels::cartels,
        v1::cartels::network,
        v1::lists::lists,
        v1::lists::reload,
        records::audit,
        records::audit_verify,
        records::record_disposition,
        records::list_dispositions,
        records::revoke_disposition,
        records::register,
        records::list_monitored,
        records::unregister,
        records::alerts,
        ops::healthz,
        ops::readyz,
        ops::metrics,
        yente::matching::match_entities,
        yente::search::search,
        yente::entities::entity,
        yente::entities::adjacent,
        yente::entities::adjacent_property,
        yente::catalog::catalog,
        yente::catalog::algorithms,
    ),
    modifiers(&ApiKeyAuth),
    tags(
        (name = "screening", description = "Screen counterparties and transactions"),
        (name = "lists", description = "The lists in service"),
        (name = "records", description = "Audit trail, analyst dispositions, ongoing monitoring"),
        (name = "operations", description = "Probes and metrics"),
        (name = "opensanctions", description = "The OpenSanctions (yente) compatible API"),
    )
)]
pub struct ApiDoc;

struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Authorization: Bearer <key> (or ApiKey <key>)"))
                    .build(),
            ),
        );
    }
}

/// The `format` names this document gives to rules JSON Schema cannot
/// state, with the rule each stands for.
pub const FORMATS: &[(&str, &str)] = &[
    ("counterparty-name", "holds a letter or digit to match on (not only punctuation or symbols)"),
    ("country", "an ISO 3166-1 alpha-2 code or a country name in English or Spanish"),
    ("birth-date", "`YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY`: a calendar date, not in the future"),
    ("imo", "7 digits whose last is the IMO check digit, optionally after `IMO`"),
    ("identifier", "an identifier whose label, when it has one (IMO, CURP, RFC), it satisfies"),
    ("dataset", "a dataset in service, as `GET /v1/lists` names it"),
    ("entity-id", "the id of an entity in service (`GET /v1/entities/{id}`)"),
    ("future-time", "an RFC 3339 time or `YYYY-MM-DD` date, later than now"),
    ("time", "an RFC 3339 time or a `YYYY-MM-DD` date"),
    ("seq-or-time", "a record's `seq`, an RFC 3339 time or a `YYYY-MM-DD` date"),
    ("sheet", "a sheet of the uploaded workbook (refused with a CSV file)"),
    ("column", "a column of the uploaded file: its header or its 1-based position"),
];

/// The OpenAPI document served at `/openapi.json`: [`ApiDoc`] completed
/// with every operation's error responses and the request rules the server
/// enforces, for a server configured with `server`.
pub fn document(server: &ServerSettings) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    doc["openapi"] = json!("3.1.0");
    let formats: Vec<String> = FORMATS.iter().map(|(f, rule)| format!("- `{f}`: {rule}")).collect();
    if let Some(d) = doc.pointer_mut("/info/description") {
        *d = json!(format!(
            "{}\n\nRules JSON Schema cannot state are named by a `format`:\n{}",
            d.as_str().unwrap_or_default(),
            formats.join("\n")
        ));
    }
    constrain_requests(&mut doc, server);
    error_responses(&mut doc);
    doc
}

/// A string field that refuses control characters.
const NO_CONTROL: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// A string field that takes line breaks and tabs but no other control
/// character.
const NO_CONTROL_BUT_SPACES: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// A field that must hold something besides white space: a character that
/// is not Unicode White_Space (`char::is_whitespace`, what `trim` removes).
/// ECMA-262's `\S` differs on U+0085 and U+FEFF, so the class is spelt out.
const NOT_BLANK: &str =
    "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
/// The kinds `type` and `kinds` take ([`crate::engine::query::parse_kind`]).
const KINDS: [&str; 5] = ["person", "company", "organization", "vessel", "aircraft"];

fn string(max: usize, pattern: &str) -> Value {
    json!({"type": "string", "maxLength": max, "pattern": pattern})
}

fn nullable(mut schema: Value) -> Value {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        schema["type"] = json!([t, "null"]);
    }
    schema
}

/// Sets each of `rules` on the property of the same name, keeping its
/// description and example.
fn set_properties(schema: &mut Value, rules: &[(&str, Value)]) {
    for (name, rule) in rules {
        let property = &mut schema["properties"][*name];
        let description = property.get("description").cloned();
        let example = property.get("example").cloned();
        let mut rule = rule.clone();
        if let (Some(d), Value::Object(r)) = (description, &mut rule) {
            r.insert("description".into(), d);
        }
        if let (Some(e), Value::Object(r)) = (example, &mut rule) {
            r.insert("examples".into(), json!([e]));
        }
        *property = rule;
    }
}

/// The counterparty fields (`ScreenRequest`) as [`Query::parse`](crate::engine::Query::parse)
/// reads them.
fn counterparty_rules() -> Vec<(&'static str, Value)> {
    let with_format = |mut s: Value, f: &str| {
        s["format"] = json!(f);
        s
    };
    vec![
        ("name", nullable(with_format(string(MAX_NAME_CHARS, NO_CONTROL), "counterparty-name"))),
        ("type", json!({"oneOf": [{"$ref": "#/components/schemas/CounterpartyType"}, {"type": "null"}]})),
        // A country or a date is bounded by its format (none is longer
        // than MAX_COUNTRY_CHARS or MAX_DOB_CHARS, which the server enforces).
        ("country", json!({"type": ["string", "null"], "format": "country", "pattern": NO_CONTROL})),
        ("dob", json!({"type": ["string", "null"], "format": "birth-date", "pattern": NO_CONTROL})),
        (
            "identifiers",
            json!({"type": "array", "maxItems": MAX_IDENTIFIERS,
                   "items": with_format(string(MAX_ID_CHARS, NO_CONTROL), "identifier")}),
        ),
        ("address", nullable(string(MAX_ADDRESS_CHARS, NO_CONTROL_BUT_SPACES))),
        // Blank is not given; a value is checked and looked up.
        (
            "imo",
            json!({"type": ["string", "null"], "format": "imo", "maxLength": MAX_ID_CHARS, "pattern": query::IMO_PATTERN}),
        ),
        ("mmsi", json!({"type": ["string", "null"], "maxLength": MAX_ID_CHARS, "pattern": query::MMSI_PATTERN})),
        ("bic", json!({"type": ["string", "null"], "maxLength": MAX_ID_CHARS, "pattern": query::BIC_PATTERN})),
        ("flag", json!({"type": ["string", "null"], "format": "country", "pattern": NO_CONTROL})),
        ("call_sign", nullable(string(MAX_CALL_SIGN_CHARS, NO_CONTROL))),
        ("owner", nullable(with_format(string(MAX_NAME_CHARS, NO_CONTROL), "counterparty-name"))),
        ("reference", json!({"type": ["string", "null"], "maxLength": MAX_REFERENCE_CHARS})),
    ]
}

/// A non-blank string property, required.
fn given(field: &str) -> Value {
    json!({"required": [field], "properties": {field: {"type": "string", "pattern": NOT_BLANK}}})
}

/// A counterparty needs a name, or an identifier to be screened by alone
/// (4 letters or digits at least, the shortest key looked up). Stated as
/// `if`/`then` rather than `anyOf`, so client generators keep one model.
fn name_or_identifier(schema: &mut Value) {
    let usable = "([A-Za-z0-9][^A-Za-z0-9]*){4}";
    schema["if"] = json!({"not": given("name")});
    schema["then"] = json!({"anyOf": [
        given("imo"),
        given("mmsi"),
        given("bic"),
        {"required": ["identifiers"],
         "properties": {"identifiers": {"contains": {"type": "string", "pattern": usable}}}},
    ]});
}

/// The screening options (`min_score`, `lists`, `kinds`) as
/// [`ScreeningOptions::check`](crate::engine::ScreeningOptions::check)
/// reads them.
fn option_rules() -> Vec<(&'static str, Value)> {
    vec![
        ("min_score", json!({"type": ["number", "null"], "minimum": 0, "maximum": 1})),
        (
            "lists",
            json!({"type": ["array", "null"], "minItems": 1, "maxItems": MAX_OPTION_VALUES,
                   "items": {"type": "string", "format": "dataset"}}),
        ),
        (
            "kinds",
            json!({"type": ["array", "null"], "minItems": 1, "maxItems": MAX_OPTION_VALUES,
                   "items": {"$ref": "#/components/schemas/EntryKind"}}),
        ),
    ]
}

/// One object with the properties of `parts` (the flattened structs serde
/// reads as one object), closed to others.
fn merged(schemas: &Map<String, Value>, parts: &[&str], description: Option<&Value>) -> Value {
    let mut properties = Map::new();
    for p in parts {
        if let Some(Value::Object(props)) = schemas.get(*p).and_then(|s| s.get("properties")) {
            properties.extend(props.clone());
        }
    }
    let mut v = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if let Some(d) = description {
        v["description"] = d.clone();
    }
    v
}

fn constrain_requests(doc: &mut Value, server: &ServerSettings) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let max_items = server.max_batch_items;
    let kinds: Vec<&str> = KINDS.iter().copied().chain(["any"]).collect();
    schemas.insert(
        "CounterpartyType".into(),
        json!({"type": "string", "enum": kinds,
               "description": "What the counterparty is; `any` (the default) compares it with entries of every kind."}),
    );
    schemas.insert(
        "EntryKind".into(),
        json!({"type": "string", "enum": KINDS, "description": "A kind of list entry to compare with."}),
    );

    if let Some(s) = schemas.get_mut("ScreenRequest") {
        set_properties(s, &counterparty_rules());
        name_or_identifier(s);
    }
    if let Some(s) = schemas.get_mut("ScreeningOptions") {
        set_properties(s, &option_rules());
        s["additionalProperties"] = json!(false);
    }
    let single = schemas.get("SingleScreenRequest").and_then(|s| s.get("description")).cloned();
    let mut single = merged(schemas, &["ScreenRequest", "ScreeningOptions"], single.as_ref());
    name_or_identifier(&mut single);
    single["examples"] = json!([{"name": "Cartel de Jalisco Nueva Generacion", "country": "MX",
                                "reference": "supplier-42", "min_score": 0.9}]);
    schemas.insert("SingleScreenRequest".into(), single);

    let party = schemas.get("PartyRequest").cloned().unwrap_or_default();
    let role = party.pointer("/allOf/1/properties/role").cloned().unwrap_or(json!({"type": "string"}));
    let mut party_schema = merged(schemas, &["ScreenRequest"], party.get("description"));
    party_schema["properties"]["role"] = role;
    party_schema["required"] = json!(["role"]);
    name_or_identifier(&mut party_schema);
    schemas.insert("PartyRequest".into(), party_schema);

    if let Some(s) = schemas.get_mut("BatchRequest") {
        set_properties(s, &option_rules());
        // Items are read one by one: one that is not valid gets its own
        // error in the results and does not fail the batch.
        let d = s["properties"]["items"]["description"].clone();
        s["properties"]["items"] = json!({"type": "array", "minItems": 1, "maxItems": max_items,
            "description": d, "items": {"description": "A counterparty (`ScreenRequest`); one that is not valid gets its own error."}});
        s["examples"] = json!([{"items": [{"name": "Carteles Unidos", "reference": "r-1"},
                                          {"name": "Grupo Impergoza", "country": "MX", "reference": "r-2"}]}]);
    }
    if let Some(s) = schemas.get_mut("TransactionRequest") {
        set_properties(s, &option_rules());
        s["properties"]["parties"]["maxItems"] = json!(max_items);
        s["properties"]["texts"]["additionalProperties"] =
            json!({"type": "string", "maxLength": server.max_text_chars});
        // Something to screen: without parties, a text.
        s["if"] = json!({"properties": {"parties": {"maxItems": 0}}});
        s["then"] = json!({"required": ["texts"], "properties": {"texts": {"minProperties": 1}}});
        s["examples"] = json!([{"reference": "LC-2025-0042", "type": "letter_of_credit",
            "parties": [{"role": "applicant", "name": "Grupo Impergoza", "country": "MX"},
                        {"role": "beneficiary", "name": "Carteles Unidos"}],
            "texts": {"goods_description": "200 drums of acetone"}}]);
    }
    // A batch item is a result or an error: the result's fields are absent
    // on an error.
    let mut item = merged(schemas, &["ScreenResult"], schemas.get("BatchItem").and_then(|s| s.get("description")));
    item["properties"]["index"] =
        json!({"type": "integer", "minimum": 0, "description": "Position in the request, from 0."});
    item["properties"]["status"] = json!({"type": "string", "enum": ["ok", "error"]});
    item["properties"]["error"] = json!({"$ref": "#/components/schemas/ErrorDetail"});
    item["required"] = json!(["index", "status"]);
    if let Some(o) = item.as_object_mut() {
        o.remove("additionalProperties");
    }
    schemas.insert("BatchItem".into(), item);

    let monitored = {
        let mut m = merged(schemas, &["ScreenRequest"], None);
        m["required"] = json!(["reference"]);
        m["properties"]["reference"] = json!({"type": "string", "maxLength": MAX_REFERENCE_CHARS,
            "pattern": NOT_BLANK, "description": "Your id for the counterparty: alerts name it."});
        name_or_identifier(&mut m);
        m["description"] = json!("A counterparty to monitor: the fields of `POST /v1/screen`, `reference` required.");
        m
    };
    schemas.insert("MonitoredParty".into(), monitored);
    schemas.insert(
        "MonitorRequest".into(),
        json!({"description": "Counterparties to monitor: one, or `{\"items\": [...]}`.",
               "oneOf": [
                   {"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "minItems": 1, "maxItems": max_items,
                                             "items": {"$ref": "#/components/schemas/MonitoredParty"}}}},
                   {"$ref": "#/components/schemas/MonitoredParty"}],
               "examples": [{"name": "Grupo Impergoza", "country": "MX", "reference": "supplier-42"}]}),
    );
    if let Some(s) = schemas.get_mut("DispositionRequest") {
        let text =
            json!({"type": "string", "minLength": 1, "maxLength": records::MAX_NOTE_CHARS, "pattern": NOT_BLANK});
        // The counterparty is only keyed here, not screened: any text.
        let mut rules = vec![
            ("name", json!({"type": ["string", "null"]})),
            ("reference", json!({"type": ["string", "null"]})),
            ("identifiers", json!({"type": "array", "items": {"type": "string"}})),
        ];
        rules.extend([
            ("entity_id", json!({"type": "string", "format": "entity-id", "maxLength": MAX_ID_CHARS})),
            ("verdict", json!({"type": "string", "enum": ["false_positive", "true_match"]})),
            ("reason", text.clone()),
            ("analyst", text),
            ("expires_at", json!({"type": ["string", "null"], "format": "future-time"})),
        ]);
        set_properties(s, &rules);
        // The counterparty: its reference or, without one, its name.
        s["if"] = json!({"not": given("reference")});
        s["then"] = given("name");
        s["examples"] = json!([{"reference": "supplier-42", "entity_id": "ofac-17674", "verdict": "false_positive",
            "reason": "Different date of birth and nationality", "analyst": "m.lopez"}]);
    }
    if let Some(s) = schemas.get_mut("RevokeRequest") {
        let text =
            json!({"type": "string", "minLength": 1, "maxLength": records::MAX_NOTE_CHARS, "pattern": NOT_BLANK});
        set_properties(s, &[("reason", text.clone()), ("analyst", text)]);
        s["examples"] = json!([{"reason": "Recorded on the wrong alert", "analyst": "m.lopez"}]);
    }
    if let Some(s) = schemas.get_mut("BatchUpload") {
        // Only the file is read.
        s["additionalProperties"] = json!(false);
    }
    if let Some(s) = schemas.get_mut("EntityExample") {
        // Names are screened, so each needs something to match on; other
        // properties are read as text.
        let name = json!({"type": "string", "maxLength": MAX_NAME_CHARS, "pattern": NO_CONTROL_BUT_SPACES,
                          "format": "counterparty-name"});
        use crate::http::yente::rules;
        let names = json!({"oneOf": [name.clone(), {"type": "array", "maxItems": rules::MAX_NAMES_PER_PROPERTY, "items": name}]});
        let scalar = json!({"type": ["string", "number", "boolean", "null"]});
        let mut props = Map::new();
        for p in rules::NAME_PROPS.iter().chain(rules::NAME_PART_PROPS.iter()) {
            props.insert(p.to_string(), names.clone());
        }
        let ids = json!({"oneOf": [scalar.clone(),
            {"type": "array", "maxItems": rules::MAX_IDENTIFIERS_PER_PROPERTY, "items": scalar}]});
        for p in rules::IDENTIFIER_PROPS {
            props.insert(p.to_string(), ids.clone());
        }
        s["properties"]["schema"] = json!({"type": "string", "enum": crate::http::yente::rules::schemata(true),
            "description": "A matchable schema.", "examples": ["Person"]});
        s["properties"]["properties"] = json!({"type": "object", "properties": props,
            "description": "Property name to a list of values (a single value is accepted).",
            "additionalProperties": {"oneOf": [scalar.clone(), {"type": "array", "items": scalar}]}});
    }
    if let Some(s) = schemas.get_mut("MatchRequest") {
        s["properties"]["queries"]["maxProperties"] = json!(max_items);
        s["examples"] = json!([{"queries": {"q": {"schema": "Person",
            "properties": {"name": ["Ruben Oseguera Cervantes"], "birthDate": ["1966-07-17"], "nationality": ["mx"]}}}}]);
    }
    if let Some(content) = doc.pointer_mut("/paths/~1v1~1batch/post/requestBody/content").and_then(Value::as_object_mut)
    {
        for (media, body) in content.iter_mut() {
            match media.as_str() {
                "multipart/form-data" => body["encoding"] = json!({"file": {"contentType": SPREADSHEETS_AND_CSV}}),
                "text/csv" => {
                    body["schema"] =
                        json!({"type": "string", "examples": ["name,country,reference\nCarteles Unidos,MX,r-1\n"]})
                }
                // A file as it is: bytes, not a JSON array of them.
                _ => body["schema"] = json!({"type": "string", "format": "binary"}),
            }
        }
    }
    if let Some(body) =
        doc.pointer_mut("/paths/~1v1~1screen~1message/post/requestBody/content/application~1octet-stream")
    {
        body["schema"] = json!({"type": "string", "format": "binary"});
    }
    constrain_parameters(doc);
}

/// What `POST /v1/batch` reads (told from the content, not the type).
const SPREADSHEETS_AND_CSV: &str = "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, \
                                    application/vnd.ms-excel, application/vnd.oasis.opendocument.spreadsheet";

/// A comma-separated query parameter of 1 to [`MAX_OPTION_VALUES`] `items`
/// (the screening options `lists` and `kinds`).
fn comma_separated(items: Value) -> Value {
    json!({"type": "array", "minItems": 1, "maxItems": MAX_OPTION_VALUES, "items": items})
}

/// Query and path parameters: what the handlers accept. An empty query
/// parameter read as text is a parameter not given (`allowEmptyValue`).
fn constrain_parameters(doc: &mut Value) {
    use crate::http::yente::rules;
    let page = json!({"type": "integer", "minimum": 1, "maximum": records::MAX_PAGE});
    let cursor = json!({"type": "string", "pattern": "^([+-]?[0-9]{1,18})?$"});
    let unit = json!({"type": "number", "minimum": 0, "maximum": 1});
    let yente_limit = json!({"type": "integer", "minimum": 0, "maximum": rules::MAX_LIMIT});
    let schema = json!({"type": "string", "enum": rules::schemata(false)});
    let schemata = json!({"type": "array", "items": schema});
    let time = json!({"type": "string", "format": "time"});
    let datasets = json!({"type": "array", "items": {"type": "string", "format": "dataset"}});
    // An unknown dataset to exclude excludes nothing (as on yente).
    let any_datasets = json!({"type": "array", "items": {"type": "string"}});
    let filter_fields = "^(schema *: *(".to_string()
        + &rules::schemata(false).join("|")
        + ") *$|(countries|country|topics|datasets|id|entity_id) *:|properties\\.[^: ][^:]*:)";
    let by_param: BTreeMap<(&str, &str), Value> = [
        (("/v1/audit", "from"), time.clone()),
        (("/v1/audit", "to"), time.clone()),
        (("/v1/audit", "decision"), json!({"type": "string", "enum": ["clear", "review", "block", "error"]})),
        (("/v1/audit", "limit"), page.clone()),
        (("/v1/audit", "after"), cursor.clone()),
        (("/v1/audit/verify", "from"), json!({"type": "string", "format": "seq-or-time"})),
        (("/v1/audit/verify", "to"), json!({"type": "string", "format": "seq-or-time"})),
        (("/v1/alerts", "from"), time.clone()),
        (("/v1/alerts", "to"), time.clone()),
        (("/v1/alerts", "limit"), page.clone()),
        (("/v1/alerts", "after"), cursor),
        (("/v1/monitored", "limit"), page),
        (("/v1/batch", "format"), json!({"type": "string", "enum": ["csv", "jsonl", "xlsx"]})),
        (("/v1/batch", "encoding"), json!({"type": "string", "enum": ["auto", "utf-8", "windows-1252", "latin-1"]})),
        (("/v1/batch", "delimiter"), json!({"type": "string", "enum": [",", ";", "tab", "|"]})),
        (("/v1/batch", "sheet"), json!({"type": "string", "format": "sheet"})),
        (("/v1/batch", "name_col"), json!({"type": "string", "format": "column"})),
        (("/v1/batch", "type_col"), json!({"type": "string", "format": "column"})),
        (("/v1/batch", "country_col"), json!({"type": "string", "format": "column"})),
        (("/v1/batch", "dob_col"), json!({"type": "string", "format": "column"})),
        (("/v1/batch", "id_col"), json!({"type": "string", "format": "column"})),
        (("/v1/batch", "address_col"), json!({"type": "string", "format": "column"})),
        (("/v1/batch", "ref_col"), json!({"type": "string", "format": "column"})),
        (("/v1/screen/message", "min_score"), unit.clone()),
        (("/v1/screen/message", "lists"), comma_separated(json!({"type": "string", "format": "dataset"}))),
        (("/v1/screen/message", "kinds"), comma_separated(json!({"$ref": "#/components/schemas/EntryKind"}))),
        (("/match/{dataset}", "threshold"), unit.clone()),
        (("/match/{dataset}", "cutoff"), unit),
        (("/match/{dataset}", "limit"), yente_limit.clone()),
        (("/match/{dataset}", "algorithm"), json!({"type": "string", "enum": rules::algorithms()})),
        (("/match/{dataset}", "include_dataset"), datasets.clone()),
        (("/match/{dataset}", "exclude_dataset"), any_datasets.clone()),
        (("/match/{dataset}", "exclude_schema"), schemata.clone()),
        (("/match/{dataset}", "changed_since"), time.clone()),
        (("/search/{dataset}", "q"), json!({"type": "string", "maxLength": MAX_NAME_CHARS})),
        (("/search/{dataset}", "limit"), yente_limit.clone()),
        (("/search/{dataset}", "offset"), json!({"type": "integer", "minimum": 0, "maximum": rules::MAX_OFFSET})),
        (("/search/{dataset}", "schema"), schema),
        (("/search/{dataset}", "exclude_schema"), schemata),
        (("/search/{dataset}", "include_dataset"), datasets),
        (("/search/{dataset}", "exclude_dataset"), any_datasets),
        (("/search/{dataset}", "changed_since"), time),
        (
            ("/search/{dataset}", "filter"),
            json!({"type": "array", "items": {"type": "string", "pattern": filter_fields}}),
        ),
        (("/search/{dataset}", "facets"), json!({"type": "array", "items": {"type": "string", "enum": rules::FACETS}})),
        (("/entities/{id}/adjacent", "limit"), yente_limit.clone()),
        (("/entities/{id}/adjacent", "offset"), json!({"type": "integer", "minimum": 0, "maximum": rules::MAX_OFFSET})),
        (("/entities/{id}/adjacent/{prop}", "limit"), yente_limit),
        (
            ("/entities/{id}/adjacent/{prop}", "offset"),
            json!({"type": "integer", "minimum": 0, "maximum": rules::MAX_OFFSET}),
        ),
    ]
    .into_iter()
    .collect();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let yente = !path.starts_with("/v1");
        let Some(item) = item.as_object_mut() else { continue };
        for (_, op) in item.iter_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
            for p in params {
                if p["in"] != "query" {
                    continue;
                }
                let name = p["name"].as_str().unwrap_or_default().to_string();
                // Read as text (the OpenSanctions routes read every value
                // as text): empty is not given.
                let text = yente || p["schema"]["type"] == "string" || p["schema"]["type"] == json!(["string", "null"]);
                if text {
                    p["allowEmptyValue"] = json!(true);
                }
                if let Some(rule) = by_param.get(&(path.as_str(), name.as_str())) {
                    p["schema"] = rule.clone();
                    if !yente && rule["type"] == "array" {
                        // One value, comma-separated (`lists=a,b`); empty is
                        // an empty list, refused.
                        p["style"] = json!("form");
                        p["explode"] = json!(false);
                        p.as_object_mut().map(|o| o.remove("allowEmptyValue"));
                    }
                }
            }
        }
    }
}

/// How a route is reached, for the codes it shares with others.
struct Route {
    /// Behind an API key (401, 403, 429).
    keyed: bool,
    /// Takes a JSON body (its extractor's codes).
    json_body: bool,
    /// Reads a query string.
    query: bool,
}

/// Codes every route of this kind can meet, besides its own.
fn shared_codes(route: &Route) -> Vec<Code> {
    // Before a route is even chosen: the request head, the deadline.
    let mut codes = vec![Code::BadRequest, Code::RequestTimeout, Code::HeadersTooLarge, Code::Internal, Code::Timeout];
    if route.keyed {
        codes.extend([Code::Unauthorized, Code::Forbidden, Code::RateLimited]);
    }
    if route.json_body {
        codes.extend([Code::InvalidJson, Code::InvalidField, Code::PayloadTooLarge, Code::UnsupportedMediaType]);
    }
    if route.query {
        codes.push(Code::InvalidQuery);
    }
    codes
}

/// The codes of [`crate::engine::QueryError`]: every field of a
/// counterparty checked by [`Query::parse`](crate::engine::Query::parse).
const COUNTERPARTY: &[Code] = &[
    Code::MissingName,
    Code::EmptyName,
    Code::InvalidName,
    Code::NameTooLong,
    Code::InvalidField,
    Code::InvalidType,
    Code::InvalidDob,
    Code::InvalidCountry,
    Code::InvalidIdentifier,
    Code::FieldTooLong,
    Code::TooManyIdentifiers,
];
/// The codes of the screening options.
const OPTIONS: &[Code] = &[Code::InvalidOption, Code::UnknownList, Code::InvalidType];
/// A screening is recorded before it is answered.
const RECORDED: &[Code] = &[Code::AuditUnavailable, Code::StoreUnavailable];

/// The codes a route's handler raises, by method and path.
pub fn route_codes(method: &str, path: &str) -> Vec<Code> {
    let mut c: Vec<Code> = Vec::new();
    match (method, path) {
        ("post", "/v1/screen") => {
            c.extend(COUNTERPARTY);
            c.extend(OPTIONS);
            c.extend(RECORDED);
        }
        ("post", "/v1/screen/batch") => {
            c.extend(OPTIONS);
            c.extend([Code::EmptyBatch, Code::TooManyItems]);
            c.extend(RECORDED);
        }
        ("post", "/v1/screen/transaction") => {
            c.extend(COUNTERPARTY);
            c.extend(OPTIONS);
            c.extend([Code::EmptyTransaction, Code::TooManyItems]);
            c.extend(RECORDED);
        }
        ("post", "/v1/screen/message") => {
            c.extend([
                Code::PayloadTooLarge,
                Code::UnsupportedMediaType,
                Code::MalformedMessage,
                Code::UnsupportedMessageType,
                Code::TooManyItems,
            ]);
            c.extend(COUNTERPARTY);
            c.extend(OPTIONS);
            c.extend(RECORDED);
        }
        ("post", "/v1/batch") => {
            c.extend([
                Code::PayloadTooLarge,
                Code::UnsupportedMediaType,
                Code::UnsupportedFile,
                Code::NoNameColumn,
                Code::UnknownColumn,
                Code::UnknownSheet,
                Code::EmptyInput,
                Code::InvalidOption,
                Code::MalformedInput,
                Code::UnreadableInput,
                Code::WriteFailed,
            ]);
            c.extend(RECORDED);
        }
        ("get", "/v1/entities/{id}") => c.push(Code::EntityNotFound),
        ("get", "/v1/cartels/{code}/network") => c.push(Code::CartelNotFound),
        ("post", "/v1/lists/reload") => c.extend([Code::ListRejected, Code::ListShrunk, Code::StoreUnavailable]),
        ("get", "/v1/audit") => {
            c.extend([Code::InvalidTime, Code::InvalidLimit, Code::InvalidCursor, Code::InvalidDecision]);
            c.push(Code::StoreUnavailable);
        }
        ("get", "/v1/audit/verify") => c.extend([Code::InvalidTime, Code::StoreUnavailable]),
        ("post", "/v1/dispositions") => {
            c.extend([
                Code::InvalidVerdict,
                Code::MissingField,
                Code::MissingCounterparty,
                Code::UnknownEntity,
                Code::InvalidTime,
                Code::FieldTooLong,
            ]);
            c.extend(RECORDED);
        }
        ("get", "/v1/dispositions") => c.push(Code::StoreUnavailable),
        ("post", "/v1/dispositions/{id}/revoke") => {
            c.extend([Code::MissingField, Code::FieldTooLong, Code::DispositionNotFound]);
            c.extend(RECORDED);
        }
        ("post", "/v1/monitored") => {
            c.extend(COUNTERPARTY);
            c.extend([Code::MissingReference, Code::TooManyItems]);
            c.extend(RECORDED);
        }
        ("get", "/v1/monitored") => c.extend([Code::InvalidLimit, Code::StoreUnavailable]),
        ("delete", "/v1/monitored/{reference}") => {
            c.push(Code::NotMonitored);
            c.extend(RECORDED);
        }
        ("get", "/v1/alerts") => {
            c.extend([Code::InvalidTime, Code::InvalidLimit, Code::InvalidCursor, Code::StoreUnavailable]);
        }
        ("get", "/readyz") => c.extend([Code::NotReady, Code::NoSanctionsLists, Code::ListsStale]),
        ("post", "/match/{dataset}") => c.extend([
            Code::InvalidQueryEntity,
            Code::InvalidSchema,
            Code::InvalidAlgorithm,
            Code::DatasetNotFound,
            Code::NameTooLong,
            Code::TooManyItems,
        ]),
        ("get", "/search/{dataset}") => {
            c.extend([Code::InvalidFilter, Code::InvalidSchema, Code::DatasetNotFound, Code::NameTooLong]);
        }
        ("get", "/entities/{id}" | "/entities/{id}/adjacent" | "/entities/{id}/adjacent/{prop}") => {
            c.push(Code::EntityNotFound);
        }
        _ => {}
    }
    c
}

/// The statuses a code can be answered with on a route.
fn statuses(code: Code, yente: bool) -> Vec<u16> {
    match code.status() {
        422 if yente => vec![400, 422],
        s => vec![s],
    }
}

/// Replaces every operation's error responses by those generated from the
/// code table: per status, the error body with the `code` values the route
/// can answer with it.
fn error_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            let keyed = op.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
            let json_body = op.pointer("/requestBody/content/application~1json").is_some();
            let query =
                op.get("parameters").and_then(Value::as_array).is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            // The OpenSanctions-compatible routes answer 400 for the 422
            // codes their handlers raise, and add `detail` to the body.
            let yente =
                ["/match/", "/search/", "/entities/", "/catalog", "/algorithms"].iter().any(|p| path.starts_with(p));
            let route = Route { keyed, json_body, query };
            let mut codes = shared_codes(&route);
            codes.extend(route_codes(method, path));
            let mut by_status: BTreeMap<u16, Vec<Code>> = BTreeMap::new();
            for code in codes {
                for s in statuses(code, yente) {
                    let list = by_status.entry(s).or_default();
                    if !list.contains(&code) {
                        list.push(code);
                    }
                }
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            responses.retain(|status, _| status.parse::<u16>().is_ok_and(|s| s < 400));
            for (status, codes) in by_status {
                responses.insert(status.to_string(), error_response(&codes, yente));
            }
        }
    }
}

/// The response for one status: its codes, what each means, the body.
fn error_response(codes: &[Code], yente: bool) -> Value {
    let lines: Vec<String> = codes.iter().map(|c| format!("- `{}`: {}", c.as_str(), c.meaning())).collect();
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let mut body = json!({
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": names, "description": "Stable: clients branch on it."},
                "message": {"type": "string", "description": "For people; may change."},
            },
        }},
    });
    let first = codes.first().copied().unwrap_or(Code::Internal);
    let mut example = json!({"error": {"code": first.as_str(), "message": first.meaning()}});
    if yente {
        body["properties"]["detail"] = json!({"type": "string", "description": "The message, as yente gives it."});
        example["detail"] = json!(first.meaning());
    }
    let mut response = json!({
        "description": format!("An error, with one of these codes:\n{}", lines.join("\n")),
        "content": {"application/json": {"schema": body, "example": example}},
    });
    if codes.iter().any(|c| matches!(c.status(), 429 | 503)) {
        response["headers"] = json!({"Retry-After": {"description": "Seconds to wait before retrying.",
                                                     "schema": {"type": "integer"}}});
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        document(&crate::config::Settings::defaults().server)
    }

    #[test]
    fn not_blank_is_what_trim_leaves() {
        let re = regex::Regex::new(NOT_BLANK).unwrap();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(re.is_match(&c.to_string()), !c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = doc();
        let mut seen = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                assert!(seen.insert(id.to_string()), "operationId {id} twice");
            }
        }
    }

    #[test]
    fn every_code_a_route_declares_is_in_the_table_with_its_status() {
        let doc = doc();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, r) in op["responses"].as_object().unwrap() {
                    let status: u16 = status.parse().unwrap();
                    if status < 400 {
                        continue;
                    }
                    let codes = r.pointer("/content/application~1json/schema/properties/error/properties/code/enum");
                    let codes = codes.and_then(Value::as_array).unwrap_or_else(|| panic!("{method} {path} {status}"));
                    assert!(!codes.is_empty());
                    for c in codes {
                        let code = Code::parse(c.as_str().unwrap()).unwrap();
                        assert!(code.status() == status || status == 400, "{method} {path}: {code} under {status}");
                    }
                }
            }
        }
    }

    #[test]
    fn keyed_routes_declare_401_403_429_and_json_bodies_their_extractor_codes() {
        let doc = doc();
        let screen = &doc["paths"]["/v1/screen"]["post"]["responses"];
        for s in ["400", "401", "403", "408", "413", "415", "422", "429", "431", "500", "503"] {
            assert!(screen[s].is_object(), "POST /v1/screen lacks {s}");
        }
        let codes = &screen["422"]["content"]["application/json"]["schema"]["properties"]["error"]["properties"]
            ["code"]["enum"];
        for c in ["missing_name", "invalid_field", "invalid_country", "unknown_list"] {
            assert!(codes.as_array().unwrap().contains(&json!(c)), "{c} in {codes}");
        }
        // Probes are open unless configured otherwise: the key is optional.
        assert_eq!(doc["paths"]["/healthz"]["get"]["security"][0], json!({}));
    }

    #[test]
    fn request_limits_come_from_the_engine() {
        let doc = doc();
        let s = &doc["components"]["schemas"];
        assert_eq!(s["ScreenRequest"]["properties"]["name"]["maxLength"], MAX_NAME_CHARS);
        assert_eq!(s["SingleScreenRequest"]["properties"]["identifiers"]["maxItems"], MAX_IDENTIFIERS);
        assert_eq!(s["SingleScreenRequest"]["additionalProperties"], false);
        assert_eq!(s["BatchRequest"]["properties"]["items"]["minItems"], 1);
        assert_eq!(s["DispositionRequest"]["properties"]["verdict"]["enum"], json!(["false_positive", "true_match"]));
    }
}
