//! Typed errors of the engine. The binary wraps them in `anyhow` at its edge;
//! the HTTP layer maps them to stable JSON codes.

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

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Why a fetch of the official lists failed. The files in service are left
/// untouched whenever this is returned.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("download of {url} failed: {message}")]
    Download { url: String, message: String },
    #[error("downloaded {what} is not a valid list: {source}")]
    Invalid {
        what: String,
        #[source]
        source: ListError,
    },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
