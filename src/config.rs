//! Settings, layered: `config/default.toml`, then an optional `--config FILE`,
//! then environment variables `CARTELSCREEN__SECTION__KEY`.
//!
//! The defaults are compiled in as well, so the binary runs from any folder
//! with no file present; `config/default.toml` documents them for operators.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::settings::{EngineSettings, MatchSettings, NetworkSettings};

/// The shipped defaults, embedded so a bare binary behaves like a checkout.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub lists: ListSettings,
    pub fetch: FetchSettings,
    pub matching: MatchSettings,
    pub server: ServerSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub reload: ReloadSettings,
    pub audit: AuditSettings,
    pub monitoring: MonitoringSettings,
    pub ui: UiSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSettings {
    /// Screen against the project's registry of the six FTO cartels
    /// (compiled in).
    pub embedded_cartels: bool,
    /// Folders or files of lists to load (OFAC sets, UN XML, cartelscreen
    /// lists); the format is recognised from each.
    pub paths: Vec<PathBuf>,
    /// Where `lists fetch` stores the official exports; each of its
    /// sub-folders that exists is loaded too. Empty: `lists` under
    /// [`data_home`] (see [`ListSettings::data_dir`]).
    pub data_dir: PathBuf,
    /// How many steps from a cartel (or a faction of it) still tie an
    /// entry to it; a registry row is one step.
    pub network_depth: usize,
    /// An entry with more links than this is reached but not walked
    /// through.
    pub network_hub_degree: usize,
    /// Affiliation registries of your own (CSV, the format of
    /// `lists/cartel_affiliations.csv`), read besides the compiled-in one.
    pub affiliations: Vec<PathBuf>,
    /// With no list configured and nothing in the data directory, screen
    /// against the snapshot of the official lists compiled into the binary.
    pub embedded_snapshot: bool,
    /// With no list configured and nothing in the data directory, try to
    /// download the official lists into it at start (as `lists fetch`)
    /// before falling back to the embedded snapshot.
    pub download_when_missing: bool,
    /// An official list older than this many days makes every answer carry
    /// `stale_lists` and `/readyz` report `stale`.
    pub max_age_days: u32,
    /// `/readyz` answers 503 while a list is stale.
    pub stale_is_unready: bool,
    /// A new list version with more than this percentage fewer entries than
    /// the version in service (or the last accepted one) is refused unless
    /// an operator accepts it.
    pub max_shrink_percent: f64,
    /// Proxy for downloads (`http://host:port`); empty: `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY` from the environment.
    pub proxy: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchSettings {
    /// Whole-download timeout.
    pub timeout_secs: u64,
    /// Time allowed to connect (and to resolve the name).
    pub connect_timeout_secs: u64,
    /// Further attempts after a failed download (network errors and 5xx/429
    /// answers), waiting `retry_backoff_millis`, doubling each time.
    pub retries: u32,
    pub retry_backoff_millis: u64,
    /// Sources not fetched (names of `sources`).
    pub disabled: Vec<String>,
    /// Source name (becomes the folder under `lists.data_dir`) to a map of
    /// file name to download URL.
    pub sources: BTreeMap<String, BTreeMap<String, String>>,
}

/// How `cartelscreen serve` listens and what it accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// 0 means one worker per core.
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
    pub client_timeout_secs: u64,
    pub request_timeout_millis: u64,
    pub max_body_bytes: usize,
    pub max_batch_items: usize,
    pub max_text_chars: usize,
    /// Largest CSV upload to `POST /v1/batch`.
    pub max_upload_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter (`info`, `cartelscreen=debug,actix_web=warn`...).
    pub level: String,
}

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Screen counterparties and read entities and lists.
    Screen,
    /// Reload lists, read the audit trail, and read metrics when those
    /// are closed.
    Admin,
    /// Record and revoke dispositions on alerts, read monitoring alerts.
    Analyst,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Screen => "screen",
            Scope::Admin => "admin",
            Scope::Analyst => "analyst",
        }
    }
}

/// One API key, as its hash: the key itself is shown once, at creation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    /// Appears in logs and metrics instead of the key.
    pub id: String,
    /// Lower-case hex sha256 of the key.
    pub sha256: String,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub required: bool,
    pub open_health: bool,
    pub open_metrics: bool,
    pub keys: Vec<KeySettings>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// 0 turns rate limiting off.
    pub per_second: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReloadSettings {
    /// 0 turns periodic reloads off.
    pub interval_secs: u64,
    pub watch: bool,
    pub debounce_millis: u64,
}

/// Where the audit trail, dispositions and monitoring state are kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Off only for measuring what the trail costs: every screening is
    /// otherwise recorded before it is answered.
    pub enabled: bool,
    /// `postgres://user:pass@host/db` to share one trail between replicas;
    /// empty for the embedded SQLite database at `sqlite_path`.
    pub url: String,
    /// The SQLite file. Empty: `cartelscreen.sqlite3` under [`data_home`]
    /// (see [`AuditSettings::sqlite_file`]).
    pub sqlite_path: PathBuf,
    /// Records older than this many days are purged; 0 keeps them forever.
    /// The database refuses deleting younger records.
    pub retention_days: u32,
    /// Most records written in one transaction.
    pub max_batch: usize,
    /// Where checkpoints of the chain's head are appended (JSON lines).
    /// Empty: `audit-checkpoints.jsonl` beside the SQLite file, or in
    /// [`data_home`] with PostgreSQL (see [`AuditSettings::checkpoint_path`]).
    pub checkpoint_file: PathBuf,
    /// Seconds between checkpoints; 0 writes none.
    pub checkpoint_interval_secs: u64,
    /// Each checkpoint is also POSTed here as JSON; empty for none.
    pub checkpoint_url: String,
    /// Hours between verifications of the whole chain by the service; 0
    /// runs none.
    pub verify_interval_hours: u64,
}

/// The analysts' web workspace under `/ui`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// Serve the workspace (and redirect `/` to it).
    pub enabled: bool,
    /// A session unused this many seconds ends (1..=86,400).
    pub session_idle_secs: u64,
    /// A session ends this many seconds after sign-in, used or not
    /// (at least `session_idle_secs`, at most 7 days).
    pub session_max_secs: u64,
    /// At most this many sessions at once; the oldest is ended first.
    pub max_sessions: usize,
    /// Where uploaded batch files and their results are kept while an
    /// analyst works with them. Empty: `ui-batches` under [`data_home`].
    pub batch_dir: PathBuf,
    /// A finished batch's files are deleted this many seconds after it ends.
    pub batch_keep_secs: u64,
}

impl UiSettings {
    /// The folder of batch uploads and results.
    pub fn batch_folder(&self) -> PathBuf {
        if self.batch_dir.as_os_str().is_empty() {
            data_home().join("ui-batches")
        } else {
            self.batch_dir.clone()
        }
    }
}

/// Ongoing monitoring of registered counterparties and its webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSettings {
    /// The name of this deployment's monitoring baseline (the list versions
    /// it last served). Empty: derived from the list sources configured, so
    /// a server started on other lists keeps a baseline of its own.
    pub deployment: String,
    /// New alerts are POSTed here; empty for none.
    pub webhook_url: String,
    /// Key of the `X-Cartelscreen-Signature` HMAC-SHA256 header.
    pub webhook_secret: String,
    pub webhook_timeout_secs: u64,
    /// First retry delay; it doubles with each failure up to the maximum.
    pub retry_initial_millis: u64,
    pub retry_max_secs: u64,
}

/// Where cartelscreen keeps its files when the configuration names no
/// place: `$CARTELSCREEN_HOME`, else `$XDG_DATA_HOME/cartelscreen`, else
/// `$HOME/.local/share/cartelscreen`, else `cartelscreen-data` in the
/// working directory (a machine with no home). Never a surprise `./data`.
pub fn data_home() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var("CARTELSCREEN_HOME") {
        return p;
    }
    if let Some(p) = var("XDG_DATA_HOME") {
        return p.join("cartelscreen");
    }
    match var("HOME") {
        Some(h) => h.join(".local/share/cartelscreen"),
        None => PathBuf::from("cartelscreen-data"),
    }
}

impl ListSettings {
    /// The folder `lists fetch` fills: `lists.data_dir`, or `lists` under
    /// [`data_home`] when that is empty.
    pub fn data_dir(&self) -> PathBuf {
        if self.data_dir.as_os_str().is_empty() {
            data_home().join("lists")
        } else {
            self.data_dir.clone()
        }
    }
}

impl Settings {
    /// The monitoring baseline this deployment owns: `monitoring.deployment`,
    /// or a name derived from the list sources configured (`lists-` and 12
    /// hex digits of a hash of the paths, the data directory and the
    /// embedded lists in use), so that the same configuration restarted
    /// finds its baseline and a server on other lists never moves it.
    pub fn deployment(&self, extra: &[PathBuf]) -> String {
        let name = self.monitoring.deployment.trim();
        if !name.is_empty() {
            return name.to_string();
        }
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for p in self.lists.paths.iter().chain(extra) {
            let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            h.update(p.to_string_lossy().as_bytes());
            h.update([0]);
        }
        let data = self.lists.data_dir();
        h.update(std::fs::canonicalize(&data).unwrap_or(data).to_string_lossy().as_bytes());
        h.update([u8::from(self.lists.embedded_cartels), u8::from(self.lists.embedded_snapshot)]);
        let digest = h.finalize();
        format!("lists-{}", &crate::lists::hex(&digest)[..12])
    }
}

impl AuditSettings {
    /// The SQLite file: `audit.sqlite_path`, or `cartelscreen.sqlite3` under
    /// [`data_home`] when that is empty.
    pub fn sqlite_file(&self) -> PathBuf {
        if self.sqlite_path.as_os_str().is_empty() {
            data_home().join("cartelscreen.sqlite3")
        } else {
            self.sqlite_path.clone()
        }
    }

    /// The checkpoint file: `checkpoint_file`, or `audit-checkpoints.jsonl`
    /// beside the SQLite file (in [`data_home`] with PostgreSQL).
    pub fn checkpoint_path(&self) -> PathBuf {
        if !self.checkpoint_file.as_os_str().is_empty() {
            return self.checkpoint_file.clone();
        }
        let dir = if self.url.trim().is_empty() {
            self.sqlite_file().parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            data_home()
        };
        dir.join("audit-checkpoints.jsonl")
    }

    /// Where the trail is, for messages: the SQLite file, or the PostgreSQL
    /// host and database (never the password).
    pub fn location(&self) -> String {
        let url = self.url.trim();
        if url.is_empty() {
            return self.sqlite_file().display().to_string();
        }
        let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
        let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
        format!("postgres://{}", host.split('?').next().unwrap_or(host))
    }
}

impl Settings {
    /// Loads the layers: embedded defaults, `config/default.toml` in the
    /// working directory if present, `extra` if given, then the environment.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when a layer cannot be read or parsed, or the settings fail
    /// [`Settings::validate`].
    pub fn load(extra: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut b = config::Config::builder()
            .add_source(config::File::from_str(DEFAULT_TOML, config::FileFormat::Toml))
            .add_source(config::File::with_name("config/default.toml").required(false));
        if let Some(p) = extra {
            b = b.add_source(config::File::from(p).required(true));
        }
        b = b.add_source(
            config::Environment::with_prefix("CARTELSCREEN")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("lists.paths")
                .with_list_parse_key("fetch.disabled")
                .with_list_parse_key("lists.affiliations")
                .try_parsing(true),
        );
        let s: Settings = b.build()?.try_deserialize()?;
        s.validate()?;
        Ok(s)
    }

    /// What the engine is told: the `[matching]` thresholds and the
    /// `lists.network_*` reach.
    pub fn engine(&self) -> EngineSettings {
        EngineSettings {
            matching: self.matching.clone(),
            network: NetworkSettings { depth: self.lists.network_depth, hub_degree: self.lists.network_hub_degree },
        }
    }

    /// The compiled-in defaults alone (tests, benches).
    pub fn defaults() -> Settings {
        let s: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULT_TOML, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("embedded default configuration is valid");
        s
    }

    /// # Errors
    ///
    /// [`ConfigError::Invalid`] when a value is out of its range or settings contradict each other
    /// (the message names the key).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.matching.validate().map_err(ConfigError::Invalid)?;
        let ui = &self.ui;
        if !(1..=86_400).contains(&ui.session_idle_secs)
            || ui.session_max_secs < ui.session_idle_secs
            || ui.session_max_secs > 7 * 86_400
            || ui.max_sessions == 0
        {
            return Err(ConfigError::Invalid(
                "ui.session_idle_secs must be in 1..=86400, ui.session_max_secs in session_idle_secs..=604800, \
                 ui.max_sessions at least 1"
                    .into(),
            ));
        }
        let sv = &self.server;
        if sv.max_body_bytes == 0 || sv.max_batch_items == 0 || sv.max_text_chars == 0 {
            return Err(ConfigError::Invalid(
                "server.max_body_bytes, server.max_batch_items and server.max_text_chars must be at least 1".into(),
            ));
        }
        if sv.request_timeout_millis == 0 || sv.client_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "server.request_timeout_millis and server.client_timeout_secs must be at least 1".into(),
            ));
        }
        if self.rate_limit.per_second > 0 && self.rate_limit.burst == 0 {
            return Err(ConfigError::Invalid("rate_limit.burst must be at least 1 when rate limiting is on".into()));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(ConfigError::Invalid(format!("log.level {:?} is not a valid filter", self.log.level)));
        }
        let l = &self.lists;
        if !(0.0..=100.0).contains(&l.max_shrink_percent) {
            return Err(ConfigError::Invalid("lists.max_shrink_percent must be between 0 and 100".into()));
        }
        let proxy = l.proxy.trim();
        let proxy_ok = ["http://", "https://", "socks5://"].iter().any(|s| proxy.starts_with(s));
        if !proxy.is_empty() && !proxy_ok {
            return Err(ConfigError::Invalid("lists.proxy must be an http://, https:// or socks5:// URL".into()));
        }
        for d in &self.fetch.disabled {
            if !self.fetch.sources.contains_key(d) {
                return Err(ConfigError::Invalid(format!("fetch.disabled names {d:?}, which is not in fetch.sources")));
            }
        }
        let a = &self.audit;
        let url = a.url.trim();
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !url.is_empty() && !postgres {
            return Err(ConfigError::Invalid("audit.url must be a postgres:// or postgresql:// URL".into()));
        }
        if a.max_batch == 0 {
            return Err(ConfigError::Invalid("audit.max_batch must be at least 1".into()));
        }
        let mo = &self.monitoring;
        if !mo.webhook_url.is_empty() {
            if !(mo.webhook_url.starts_with("http://") || mo.webhook_url.starts_with("https://")) {
                return Err(ConfigError::Invalid("monitoring.webhook_url must be an http:// or https:// URL".into()));
            }
            if mo.webhook_secret.len() < 16 {
                return Err(ConfigError::Invalid(
                    "monitoring.webhook_secret must be at least 16 characters when a webhook is set".into(),
                ));
            }
        }
        if mo.retry_initial_millis == 0 || mo.retry_max_secs == 0 || mo.webhook_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "monitoring.retry_initial_millis, retry_max_secs and webhook_timeout_secs must be at least 1".into(),
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        for k in &self.auth.keys {
            if k.id.trim().is_empty() {
                return Err(ConfigError::Invalid("auth.keys: every key needs an id".into()));
            }
            if !ids.insert(k.id.as_str()) {
                return Err(ConfigError::Invalid(format!("auth.keys: id {:?} appears twice", k.id)));
            }
            if k.sha256.len() != 64 || !k.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return Err(ConfigError::Invalid(format!(
                    "auth.keys: key {:?} needs sha256 as 64 lower-case hex digits (cartelscreen keys create prints it)",
                    k.id
                )));
            }
            if k.scopes.is_empty() {
                return Err(ConfigError::Invalid(format!("auth.keys: key {:?} has no scopes", k.id)));
            }
        }
        Ok(())
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
