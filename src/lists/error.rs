//! Why a list could not be loaded.

use std::path::PathBuf;

/// Why a list could not be loaded. A list that fails to load is never put in
/// service: the caller keeps whatever it had before.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: no list files recognised (expected sdn.csv, cons_prim.csv, a UN consolidated XML, or a cartelscreen .toml/.json/.csv list)")]
    NotRecognised { path: PathBuf },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The list is whole as a file but not as a publication: an OFAC file
    /// without its end-of-file marker, a set that lost a file the version
    /// in service had, a partial set where a whole one is required.
    #[error("{path}: {message}")]
    Integrity { path: PathBuf, message: String },
    /// The list lost more entries than allowed against the version in
    /// service or the last accepted one; an operator may accept it.
    #[error("{dataset} ({from}): {entries} entries against {previous} in the {against}, {percent:.1}% fewer, over the {limit}% allowed (lists.max_shrink_percent); refused unless accepted (lists fetch --accept-shrink, POST /v1/lists/reload?accept_shrink=true, serve --accept-shrink)")]
    Shrunk {
        dataset: String,
        /// Where the new version was read from.
        from: String,
        entries: usize,
        previous: usize,
        /// `version in service` or `last accepted version`.
        against: String,
        percent: f64,
        limit: f64,
    },
}

/// Longest message a list error keeps: a message quoting the input (a
/// header, a line) is cut there, with an ellipsis and its length, so a
/// 50 MB one-line file never makes a 50 MB error in `/readyz`, `/v1/lists`
/// or the log.
pub const MAX_MESSAGE_CHARS: usize = 400;

fn bounded(message: String) -> String {
    let n = message.chars().count();
    if n <= MAX_MESSAGE_CHARS {
        return message;
    }
    let head: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{head}… ({n} characters)")
}

impl ListError {
    /// A stable word for the kind of failure (metrics, `/v1/lists`):
    /// `io`, `format`, `not_recognised`, `invalid`, `integrity`, `shrunk`.
    pub fn kind(&self) -> &'static str {
        match self {
            ListError::Io { .. } => "io",
            ListError::Format { .. } => "format",
            ListError::NotRecognised { .. } => "not_recognised",
            ListError::Invalid { .. } => "invalid",
            ListError::Integrity { .. } => "integrity",
            ListError::Shrunk { .. } => "shrunk",
        }
    }

    /// A file that cannot be parsed; `message` is cut to
    /// [`MAX_MESSAGE_CHARS`].
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> ListError {
        ListError::Format { path: path.into(), message: bounded(message.into()) }
    }

    /// A file that parses but breaks the format's rules; `message` is cut to
    /// [`MAX_MESSAGE_CHARS`].
    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> ListError {
        ListError::Invalid { path: path.into(), message: bounded(message.into()) }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ListError {
        ListError::Io { path: path.into(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_quoting_huge_input_is_cut() {
        let e = ListError::format("x.csv", format!("bad header {}", "a".repeat(50_000_000)));
        let text = e.to_string();
        assert!(text.len() < 600, "{}", text.len());
        assert!(text.ends_with("… (50000011 characters)"), "{}", &text[text.len() - 40..]);
        assert_eq!(ListError::invalid("x", "short").to_string(), "x: short");
    }
}
