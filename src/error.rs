//! The one table of error codes.
//!
//! Every failure a client can see leaves the service as
//! `{"error": {"code": "<code>", "message": "…"}}` with a code from this
//! table, whatever raised it (a handler, an extractor, actix itself).
//! Clients branch on the code, which is stable; messages are for people and
//! may change. The README's table of errors lists exactly these codes (a test
//! reads it), and the OpenAPI document lists the codes of every route.

macro_rules! codes {
    ($($variant:ident = ($code:literal, $status:literal, $meaning:literal),)*) => {
        /// A stable error code, its HTTP status and what it means.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $meaning]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in the table's order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as clients see it: stable snake_case.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The HTTP status it is answered with (the OpenSanctions-compatible
            /// routes answer 400 for the 422 codes, as yente does).
            pub fn status(self) -> u16 {
                match self { $(Code::$variant => $status,)* }
            }

            /// What it means, in one sentence.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)* }
            }
        }
    };
}

codes! {
    InvalidJson = ("invalid_json", 400, "The body is not JSON."),
    BadRequest = ("bad_request", 400, "The request could not be read (a malformed body, header or path)."),
    InvalidQueryEntity = ("invalid_query_entity", 400, "A `/match` query entity cannot be screened."),
    InvalidSchema = ("invalid_schema", 400, "A FollowTheMoney schema the OpenSanctions-compatible routes do not know."),
    InvalidAlgorithm = ("invalid_algorithm", 400, "A `/match` algorithm that is not offered (see `GET /algorithms`)."),
    InvalidFilter = ("invalid_filter", 400, "A `/search` filter that is not `field:value`."),
    Unauthorized = ("unauthorized", 401, "No API key, an unknown key, or another scheme than Bearer/ApiKey."),
    Forbidden = ("forbidden", 403, "The key lacks the scope the route needs."),
    NotFound = ("not_found", 404, "No such route."),
    EntityNotFound = ("entity_not_found", 404, "No such entity in the lists in service."),
    DatasetNotFound = ("dataset_not_found", 404, "No such dataset (see `GET /catalog`)."),
    CartelNotFound = ("cartel_not_found", 404, "No such cartel code (CDS, CJNG, CDN, CDG, LNFM, CU)."),
    DispositionNotFound = ("disposition_not_found", 404, "No such disposition in force."),
    NotMonitored = ("not_monitored", 404, "No such monitored reference."),
    MethodNotAllowed = ("method_not_allowed", 405, "The route exists with other methods (see the `Allow` header)."),
    RequestTimeout = ("request_timeout", 408, "The request headers took longer than `server.client_timeout_secs`."),
    PayloadTooLarge = ("payload_too_large", 413, "The body is over `server.max_body_bytes` (or `server.max_upload_bytes` for uploads)."),
    UnsupportedMediaType = ("unsupported_media_type", 415, "The body's content type is not one the route takes."),
    UnsupportedFile = ("unsupported_file", 415, "An uploaded file is neither text nor a spreadsheet read here (xlsx, xls, ods); the message names its detected type."),
    MissingName = ("missing_name", 422, "The name is absent."),
    EmptyName = ("empty_name", 422, "The name is blank."),
    InvalidName = ("invalid_name", 422, "The name has control characters or nothing to match on."),
    NameTooLong = ("name_too_long", 422, "The name is over 1,000 characters."),
    InvalidField = ("invalid_field", 422, "A field has the wrong type, is unknown, or holds control characters."),
    InvalidType = ("invalid_type", 422, "A `type` that is not person, company, organization, vessel, aircraft or any, or a `kinds` entry that is not one of the first five."),
    InvalidDob = ("invalid_dob", 422, "A `dob` that cannot be read, is not a calendar date, or lies in the future."),
    InvalidCountry = ("invalid_country", 422, "A `country` that is not an ISO 3166 code or a country name."),
    InvalidIdentifier = ("invalid_identifier", 422, "An identifier that breaks the scheme its label names (IMO check digit, CURP or RFC length)."),
    FieldTooLong = ("field_too_long", 422, "A field is over its limit."),
    TooManyIdentifiers = ("too_many_identifiers", 422, "More than 50 identifiers."),
    TooManyItems = ("too_many_items", 422, "More items, parties or queries than `server.max_batch_items`."),
    EmptyBatch = ("empty_batch", 422, "A batch without items."),
    EmptyTransaction = ("empty_transaction", 422, "A transaction without parties or texts."),
    MalformedMessage = ("malformed_message", 422, "A SWIFT MT or ISO 20022 message that cannot be read; the message names the block, field or line."),
    UnsupportedMessageType = ("unsupported_message_type", 422, "A message of a type not read here; the message names the supported ones."),
    NoNameColumn = ("no_name_column", 422, "An uploaded file has no usable name column."),
    UnknownColumn = ("unknown_column", 422, "A column option names a column the file does not have."),
    UnknownSheet = ("unknown_sheet", 422, "`sheet` names no sheet of the uploaded workbook."),
    EmptyInput = ("empty_input", 422, "An uploaded file is empty."),
    InvalidOption = ("invalid_option", 422, "A batch option is wrong, or a screening option out of range (`min_score` outside [0, 1], an empty `lists` or `kinds`)."),
    UnknownList = ("unknown_list", 422, "A screening option `lists` names a dataset that is not in service (see `GET /v1/lists`)."),
    MalformedInput = ("malformed_input", 422, "An uploaded file cannot be parsed."),
    UnreadableInput = ("unreadable_input", 422, "An uploaded file could not be read."),
    ListRejected = ("list_rejected", 422, "A reload found a broken list; the lists in service stay."),
    ListShrunk = ("list_shrunk", 422, "A reload found a list that lost more entries than `lists.max_shrink_percent`; the lists in service stay unless `accept_shrink=true`."),
    InvalidQuery = ("invalid_query", 422, "A query-string parameter cannot be read."),
    InvalidTime = ("invalid_time", 422, "A time filter that is not RFC 3339 or `YYYY-MM-DD`."),
    InvalidLimit = ("invalid_limit", 422, "A `limit` outside 1–1000."),
    InvalidCursor = ("invalid_cursor", 422, "An `after` cursor this API did not return."),
    InvalidDecision = ("invalid_decision", 422, "A `decision` filter other than clear, review, block or error."),
    MissingCounterparty = ("missing_counterparty", 422, "A disposition without a reference or a name."),
    UnknownEntity = ("unknown_entity", 422, "A disposition on an entity not in service."),
    InvalidVerdict = ("invalid_verdict", 422, "A verdict other than false_positive or true_match."),
    MissingField = ("missing_field", 422, "A disposition without `reason` or `analyst`."),
    MissingReference = ("missing_reference", 422, "Monitoring needs each counterparty's `reference`."),
    RateLimited = ("rate_limited", 429, "Over the key's rate; `Retry-After` says when to retry."),
    HeadersTooLarge = ("headers_too_large", 431, "The request headers are too large."),
    Internal = ("internal", 500, "An internal error; the request may be retried."),
    WriteFailed = ("write_failed", 500, "The service could not write a streamed result."),
    Timeout = ("timeout", 503, "The request ran longer than `server.request_timeout_millis`."),
    AuditUnavailable = ("audit_unavailable", 503, "The audit trail could not record the screening, so it is not answered."),
    StoreUnavailable = ("store_unavailable", 503, "The database is unreachable."),
    NotReady = ("not_ready", 503, "No list entries are loaded yet (`/readyz`)."),
    NoSanctionsLists = ("no_sanctions_lists", 503, "No official sanctions list is in service, only the cartel registry or own lists (`/readyz`)."),
    ListsStale = ("lists_stale", 503, "A sanctions list is older than `lists.max_age_days` and `lists.stale_is_unready` is on (`/readyz`)."),
    Unavailable = ("unavailable", 503, "The service is unavailable."),
}

impl Code {
    /// The code of a name as clients see it.
    pub fn parse(code: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// The code a bare HTTP status maps to, for answers a framework makes
    /// itself (unknown route, wrong method, body too large…).
    pub fn of_status(status: u16) -> Code {
        match status {
            400 => Code::BadRequest,
            401 => Code::Unauthorized,
            403 => Code::Forbidden,
            404 => Code::NotFound,
            405 => Code::MethodNotAllowed,
            408 => Code::RequestTimeout,
            413 => Code::PayloadTooLarge,
            415 => Code::UnsupportedMediaType,
            429 => Code::RateLimited,
            431 => Code::HeadersTooLarge,
            503 => Code::Unavailable,
            s if s >= 500 => Code::Internal,
            _ => Code::BadRequest,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&crate::engine::QueryError> for Code {
    fn from(e: &crate::engine::QueryError) -> Code {
        Code::parse(e.code()).unwrap_or(Code::InvalidField)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{c}");
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert!((400..600).contains(&c.status()));
        }
    }

    #[test]
    fn every_status_a_framework_answers_has_a_code() {
        for s in [400u16, 401, 403, 404, 405, 408, 413, 415, 429, 431, 500, 503] {
            assert_eq!(Code::of_status(s).status(), if s == 500 { 500 } else { s });
        }
    }

    /// The codes of the README's table of errors (the `### Errors` section).
    fn readme_codes() -> std::collections::BTreeSet<String> {
        let readme = include_str!("../README.md");
        let start = readme.find("\n### Errors").expect("the README has an Errors section");
        let section = &readme[start + 1..];
        let end = section[4..].find("\n#").map_or(section.len(), |i| i + 4);
        let mut codes = std::collections::BTreeSet::new();
        for line in section[..end].lines().filter(|l| l.starts_with('|')) {
            let cells: Vec<&str> = line.split('|').collect();
            if let Some(cell) = cells.get(2) {
                for part in cell.split('`').skip(1).step_by(2) {
                    codes.insert(part.to_string());
                }
            }
        }
        codes
    }

    #[test]
    fn the_readme_lists_exactly_the_codes_of_the_table() {
        let ours: std::collections::BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
        let readme = readme_codes();
        let missing: Vec<_> = ours.difference(&readme).collect();
        let extra: Vec<_> = readme.difference(&ours).collect();
        assert!(missing.is_empty() && extra.is_empty(), "README lacks {missing:?}; README has unknown {extra:?}");
    }

    #[test]
    fn the_readme_gives_each_code_its_status() {
        let readme = include_str!("../README.md");
        let start = readme.find("\n### Errors").unwrap();
        for line in readme[start..].lines().filter(|l| l.starts_with("| 4") || l.starts_with("| 5")) {
            let status: u16 = line[2..5].parse().unwrap();
            let cell = line.split('|').nth(2).unwrap_or("");
            for code in cell.split('`').skip(1).step_by(2) {
                if let Some(c) = Code::parse(code) {
                    assert!(c.status() == status, "{code}: README {status}, table {}", c.status());
                }
            }
        }
    }

    #[test]
    fn every_query_error_has_a_code_in_the_table() {
        use crate::engine::QueryError as Q;
        for e in [
            Q::MissingName,
            Q::EmptyName,
            Q::NoTokens,
            Q::NameTooLong { max: 1 },
            Q::ControlCharacters { field: "name" },
            Q::ControlCharacters { field: "country" },
            Q::FieldTooLong { field: "address", max: 1 },
            Q::TooManyIdentifiers { max: 1 },
            Q::InvalidKind("x".into()),
            Q::InvalidDob { value: "x".into(), reason: "y".into() },
            Q::InvalidCountry("x".into()),
            Q::InvalidIdentifier { value: "x".into(), reason: "y".into() },
            Q::InvalidOwner,
            Q::InvalidOption("x".into()),
            Q::UnknownList { value: "x".into(), known: "y".into() },
        ] {
            assert!(Code::parse(e.code()).is_some(), "{}", e.code());
        }
    }
}
