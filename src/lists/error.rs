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
}

impl ListError {
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> ListError {
        ListError::Format { path: path.into(), message: message.into() }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ListError {
        ListError::Io { path: path.into(), source }
    }
}
