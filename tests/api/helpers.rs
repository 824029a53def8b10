//! `spawn_app()`: the real server on a free port, in this process, with keys
//! made for the test.

use std::path::PathBuf;
use std::sync::Arc;

use cartelscreen::config::{Scope, Settings};
use cartelscreen::http::apikey;
use cartelscreen::http::startup::Application;
use cartelscreen::live::LiveLists;
use serde_json::Value;

pub struct TestApp {
    pub address: String,
    pub screen_key: String,
    pub admin_key: String,
    /// Has the screen and analyst scopes.
    pub analyst_key: String,
    pub client: reqwest::Client,
    pub app_state: actix_web::web::Data<cartelscreen::http::state::AppState>,
    /// Holds the SQLite audit database of the test.
    pub _data_dir: Arc<tempfile::TempDir>,
}

/// Where a test's audit trail lives. Every record-keeping test runs on
/// each backend available: SQLite always, PostgreSQL when
/// CARTELSCREEN_TEST_POSTGRES_URL names a server (CI sets it).
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    // Off the async test's thread: the PostgreSQL client runs its own runtime.
    if let Some(url) = std::thread::spawn(cartelscreen::record::store::postgres::test_url).join().unwrap() {
        v.push(Backend::Postgres(url));
    }
    v
}

impl Backend {
    /// Points `s` at this backend, in `dir` for SQLite.
    pub fn configure(&self, s: &mut Settings, dir: &std::path::Path) {
        match self {
            Backend::Sqlite => {
                s.audit.url = String::new();
                s.audit.sqlite_path = dir.join("audit.sqlite3");
            }
            Backend::Postgres(url) => s.audit.url = url.clone(),
        }
    }
}

pub fn shared(p: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(p);
    assert!(path.exists(), "{} is missing: these tests need the shared data folder", path.display());
    path
}

pub fn fixture(p: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")).join(p)
}

/// Settings for tests: the embedded cartels and the synthetic TOML list,
/// no data directory, no timers or watchers, two keys.
pub fn test_settings() -> (Settings, String, String) {
    let mut s = Settings::defaults();
    s.lists.paths = vec![fixture("native-toml")];
    s.lists.data_dir = PathBuf::from("/nonexistent/cartelscreen-test-data");
    s.lists.embedded_snapshot = false;
    s.lists.download_when_missing = false;
    s.reload.watch = false;
    s.reload.interval_secs = 0;
    s.server.host = "127.0.0.1".into();
    s.server.port = 0;
    s.server.workers = 2;
    s.rate_limit.per_second = 0;
    let screen = apikey::create("screen-key", &[Scope::Screen]).unwrap();
    let admin = apikey::create("admin-key", &[Scope::Screen, Scope::Admin]).unwrap();
    let analyst = apikey::create("analyst-key", &[Scope::Screen, Scope::Analyst]).unwrap();
    s.auth.keys = vec![screen.settings, admin.settings, analyst.settings];
    ANALYST_KEY.with(|k| *k.borrow_mut() = analyst.secret);
    (s, screen.secret, admin.secret)
}

thread_local! {
    static ANALYST_KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    spawn_app_on(&Backend::Sqlite, dir, adjust).await
}

/// The server with its audit trail on `backend` (SQLite files in `dir`,
/// which a test may reuse to restart on the same trail).
pub async fn spawn_app_on(
    backend: &Backend,
    dir: Arc<tempfile::TempDir>,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let (mut settings, screen_key, admin_key) = test_settings();
    let analyst_key = ANALYST_KEY.with(|k| k.borrow().clone());
    backend.configure(&mut settings, dir.path());
    adjust(&mut settings);
    settings.validate().expect("test settings are valid");
    let lists = Arc::new(LiveLists::load(settings.clone(), vec![]).expect("test lists load"));
    let records = Arc::new(cartelscreen::record::Records::open(&settings).expect("audit store opens"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::on_listener(lists, records, listener).expect("server starts");
    let address = format!("http://127.0.0.1:{}", app.port);
    let app_state = app.state.clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp { address, screen_key, admin_key, analyst_key, client: reqwest::Client::new(), app_state, _data_dir: dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// POST JSON with the screening key.
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(&self.screen_key).json(body).send().await.unwrap()
    }

    /// POST a raw body with the screening key and the given content type.
    pub async fn post_body(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.screen_key)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_admin(&self, path: &str) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(&self.admin_key).send().await.unwrap()
    }

    /// POST JSON with the given key.
    pub async fn post_as(&self, key: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(key).json(body).send().await.unwrap()
    }

    /// GET with the given key.
    pub async fn get_as(&self, key: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(key).send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(&self.screen_key).send().await.unwrap()
    }
}

/// Status and JSON body.
pub async fn parts(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {status}, body not JSON ({e}): {text}"));
    (status, v)
}

/// Asserts the standard error body and returns it.
pub async fn expect_error(r: reqwest::Response, status: u16, code: &str) -> Value {
    let (got, v) = parts(r).await;
    assert_eq!(got, status, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    v
}
