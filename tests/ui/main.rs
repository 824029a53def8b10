//! The workspace in a real browser: Debian's Chromium driven through
//! WebDriver (chromedriver) against the real server on a free port, as an
//! analyst would use it. Screenshots of each page go to
//! `target/ui-screenshots/`.
//!
//! Without `chromedriver` on the PATH these tests say so and pass, unless
//! `CARTELSCREEN_REQUIRE_BROWSER=1` (CI sets it), when they fail.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cartelscreen::config::{Scope, Settings};
use cartelscreen::http::apikey;
use cartelscreen::http::startup::Application;
use cartelscreen::live::LiveLists;
use fantoccini::{Client, ClientBuilder, Locator};

/// One browser test at a time: two cores, one Chromium each is plenty.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn fixture(p: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")).join(p)
}

fn shared(p: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(p);
    assert!(path.exists(), "{} is missing: these tests need the shared data folder", path.display());
    path
}

struct Keys {
    screen: String,
    analyst: String,
}

struct Server {
    base: String,
    keys: Keys,
    _dir: Arc<tempfile::TempDir>,
}

async fn spawn_server() -> Server {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let mut s = Settings::defaults();
    s.lists.paths = vec![shared("ofac/current"), fixture("ui/html_remarks.toml")];
    s.lists.data_dir = dir.path().join("no-lists");
    s.lists.embedded_snapshot = false;
    s.lists.download_when_missing = false;
    s.reload.watch = false;
    s.reload.interval_secs = 0;
    s.server.host = "127.0.0.1".into();
    s.server.port = 0;
    s.server.workers = 2;
    s.rate_limit.per_second = 0;
    s.audit.sqlite_path = dir.path().join("audit.sqlite3");
    s.ui.batch_dir = dir.path().join("batches");
    let screen = apikey::create("desk-screen", &[Scope::Screen]).unwrap();
    let analyst = apikey::create("desk-analyst", &[Scope::Screen, Scope::Analyst]).unwrap();
    s.auth.required = true;
    s.auth.keys = vec![screen.settings, analyst.settings];
    s.validate().unwrap();
    let lists = Arc::new(LiveLists::load(s.clone(), vec![]).expect("lists load"));
    let records = Arc::new(cartelscreen::record::Records::open(&s).expect("audit store opens"));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::on_listener(lists, records, listener).expect("server starts");
    let base = format!("http://127.0.0.1:{}", app.port);
    actix_web::rt::spawn(app.run_until_stopped());
    Server { base, keys: Keys { screen: screen.secret, analyst: analyst.secret }, _dir: dir }
}

/// chromedriver and its browser session; both end on drop.
struct Browser {
    client: Option<Client>,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("chromedriver")).find(|p| p.is_file()))
}

/// A headless Chromium under chromedriver, or `None` (test skipped) when
/// the machine has none and CI did not ask for it.
async fn browser(lang: &str) -> Option<Browser> {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CARTELSCREEN_REQUIRE_BROWSER").is_err(),
            "CARTELSCREEN_REQUIRE_BROWSER is set but chromedriver is not on the PATH"
        );
        eprintln!("chromedriver not found: the browser tests are skipped (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let driver = Command::new(driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let mut b = Browser { client: None, driver };
    let url = format!("http://127.0.0.1:{port}");
    let mut caps = serde_json::Map::new();
    let binary =
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| std::path::Path::new(p).exists());
    let mut options = serde_json::json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1024", format!("--lang={lang}")],
        "prefs": {"intl.accept_languages": lang},
    });
    if let Some(bin) = binary {
        options["binary"] = serde_json::json!(bin);
    }
    caps.insert("goog:chromeOptions".into(), options);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
            Ok(c) => {
                b.client = Some(c);
                return Some(b);
            }
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

impl Browser {
    fn c(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    async fn go(&self, url: &str) {
        self.c().goto(url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    async fn css(&self, selector: &str) -> fantoccini::elements::Element {
        match self.c().wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(selector)).await {
            Ok(el) => el,
            Err(e) => {
                let page = self.c().source().await.unwrap_or_default();
                panic!("no {selector} on {}: {e}\n{}", self.path().await, page.get(..3000).unwrap_or(&page))
            }
        }
    }

    async fn all(&self, selector: &str) -> Vec<fantoccini::elements::Element> {
        self.c().find_all(Locator::Css(selector)).await.unwrap()
    }

    /// The attribute as the page shows it now, retried while a self-refreshing page replaces
    /// the element between finding it and reading it.
    async fn attr_now(&self, selector: &str, name: &str) -> Option<String> {
        for _ in 0..50 {
            if let Ok(el) = self.c().find(Locator::Css(selector)).await {
                if let Ok(v) = el.attr(name).await {
                    return v;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{selector} kept going stale on {}", self.path().await)
    }

    async fn text(&self, selector: &str) -> String {
        self.css(selector).await.text().await.unwrap()
    }

    async fn path(&self) -> String {
        let u = self.c().current_url().await.unwrap();
        format!("{}{}", u.path(), u.query().map(|q| format!("?{q}")).unwrap_or_default())
    }

    /// Saves the page as `target/ui-screenshots/NAME.png`.
    async fn shot(&self, name: &str) {
        let png = self.c().screenshot().await.unwrap();
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/ui-screenshots"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    async fn sign_in(&self, server: &Server, key: &str) {
        self.go(&format!("{}/ui/", server.base)).await;
        assert!(self.path().await.starts_with("/ui/signin"), "an anonymous visit goes to sign-in");
        self.css("#key").await.send_keys(key).await.unwrap();
        self.css("#signin").await.click().await.unwrap();
        self.css("form.screen").await;
        assert_eq!(self.path().await, "/ui/");
    }

    async fn screen(&self, fields: &[(&str, &str)]) {
        for (id, value) in fields {
            let el = self.css(&format!("form.screen #{id}")).await;
            el.clear().await.unwrap();
            el.send_keys(value).await.unwrap();
        }
        self.css("#screen").await.click().await.unwrap();
        self.css("section.result").await;
    }

    /// No JavaScript dialog is open (an injected script did not run).
    async fn no_alert(&self) {
        assert!(self.c().get_alert_text().await.is_err(), "a script ran and opened a dialog");
    }
}

#[actix_web::test]
async fn analyst_signs_in_screens_reads_the_network_and_disposes() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = spawn_server().await;
    let Some(b) = browser("en-US").await else { return };
    b.sign_in(&server, &server.keys.analyst).await;
    b.shot("01-screen-form").await;

    // A listed cartel: block, the cartel named, its designation's source.
    b.screen(&[("name", "Cartel de Jalisco Nueva Generacion"), ("country", "MX")]).await;
    let result = b.css("#result-h .decision").await;
    assert_eq!(result.attr("data-decision").await.unwrap().as_deref(), Some("block"));
    let ties = b.all("div.tie[data-cartel='CJNG']").await;
    assert!(!ties.is_empty(), "the CJNG tie is shown");
    let source = b.css("div.tie[data-cartel='CJNG'] li.source a").await;
    assert!(source.attr("href").await.unwrap().unwrap().starts_with("https://"), "the tie cites a public source");
    assert!(!b.all("table.tokens tr.how-exact").await.is_empty(), "the word-by-word explanation is laid out");
    b.shot("02-screen-result-block").await;

    // The permalink renders the same result.
    let permalink = b.css("#permalink").await.attr("href").await.unwrap().unwrap();
    assert!(permalink.starts_with("/ui/screen?name=Cartel"), "{permalink}");

    // A company two steps from the cartel: its page draws the path.
    b.go(&format!("{}/ui/entities/ofac-18130", server.base)).await;
    assert!(b.text("#entity-name").await.contains("W&G ARQUITECTOS"));
    let svg = b.css("svg#network").await;
    assert!(!svg.find_all(Locator::Css("line.on-path")).await.unwrap().is_empty(), "the path is highlighted");
    let cartel_node = b.css("svg#network g.node.cartel").await;
    assert_eq!(cartel_node.attr("data-id").await.unwrap().as_deref(), Some("ofac-17671"));
    b.shot("03-entity-network").await;
    let png = svg.screenshot().await.unwrap();
    std::fs::write(
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/ui-screenshots/03b-network-graph.png")),
        png,
    )
    .unwrap();
    // Each node links to its page.
    b.css("svg#network g.node.cartel").await.click().await.unwrap();
    b.css("#entity-name").await;
    assert_eq!(b.path().await, "/ui/entities/ofac-17671");

    // Screen a counterparty by reference, then clear it from the queue as
    // a false positive: the next screening of it is suppressed.
    b.go(&format!("{}/ui/", server.base)).await;
    b.screen(&[("name", "Cartel de Sinaloa"), ("reference", "supplier-4711")]).await;
    assert_eq!(b.css("#result-h .decision").await.attr("data-decision").await.unwrap().as_deref(), Some("block"));
    b.go(&format!("{}/ui/queue?reference=supplier-4711", server.base)).await;
    let item = b.css("#screenings article.screening").await;
    assert!(item.text().await.unwrap().contains("supplier-4711"));
    b.shot("04-queue").await;
    let hits = b.all("#screenings p.hit").await;
    assert!(!hits.is_empty());
    // Dispose every hit of that screening as a false positive.
    loop {
        let forms = b.all("#screenings details.dispose").await;
        let Some(first) = forms.first() else { break };
        first.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
        first.find(Locator::Css("input[value='false_positive']")).await.unwrap().click().await.unwrap();
        first
            .find(Locator::Css("textarea"))
            .await
            .unwrap()
            .send_keys("Different party: a supplier of office goods")
            .await
            .unwrap();
        first.find(Locator::Css("button.record")).await.unwrap().click().await.unwrap();
        assert!(b.text("#notice").await.len() > 10, "the queue names the recorded disposition");
        b.go(&format!("{}/ui/queue?reference=supplier-4711", server.base)).await;
    }
    assert!(!b.all("#dispositions tr[data-disposition]").await.is_empty(), "the dispositions are in force");
    b.go(&format!("{}/ui/", server.base)).await;
    b.screen(&[("name", "Cartel de Sinaloa"), ("reference", "supplier-4711")]).await;
    assert_eq!(b.css("#result-h .decision").await.attr("data-decision").await.unwrap().as_deref(), Some("clear"));
    assert!(!b.all("ul.flags li[data-flag='suppressed_false_positive']").await.is_empty());
    b.shot("05-suppressed").await;

    // The evidence page of that screening names who screened and the result.
    b.css("#evidence").await.click().await.unwrap();
    assert_eq!(b.text("#evidence-caller").await, "desk-analyst");
    assert_eq!(b.css("#evidence-decision").await.attr("class").await.unwrap().as_deref(), Some("decision clear"));
    assert!(b.css("p.disposition").await.text().await.unwrap().contains("Different party"));
    for d in b.all("section.record article.match header .decision").await {
        assert_eq!(d.attr("data-decision").await.unwrap().as_deref(), Some("clear"), "hits as recorded, suppressed");
    }
    let pdf = b.css("#evidence-pdf").await.attr("href").await.unwrap().unwrap();
    assert!(pdf.starts_with("/ui/evidence/") && pdf.ends_with("/pdf"), "{pdf}");
    b.shot("06-evidence").await;

    // Lists in service.
    b.go(&format!("{}/ui/lists", server.base)).await;
    assert!(!b.all("#lists-table tr[data-dataset='us_ofac_sdn']").await.is_empty());
    assert!(!b.all("#networks tr[data-cartel='CJNG']").await.is_empty());
    assert!(b.all("#reload").await.is_empty(), "no reload button without the admin scope");
    b.shot("07-lists").await;

    // Sign-out ends the session.
    b.css("#signout").await.click().await.unwrap();
    b.css("#key").await;
    b.go(&format!("{}/ui/queue", server.base)).await;
    assert!(b.path().await.starts_with("/ui/signin"));
}

#[actix_web::test]
async fn batch_upload_shows_progress_then_the_summary_and_downloads() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = spawn_server().await;
    let Some(b) = browser("en-US").await else { return };
    b.sign_in(&server, &server.keys.screen).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proveedores.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    // Windows-1252, semicolons, Spanish headers, a listed company.
    f.write_all(b"Nombre;Pa\xeds;RFC\r\n").unwrap();
    f.write_all(b"W&G ARQUITECTOS, S.A. DE C.V.;MX;\r\n").unwrap();
    f.write_all(b"Papeler\xeda Ejemplo del Norte;MX;\r\n").unwrap();
    f.write_all(b"Cartel de Sinaloa;MX;\r\n").unwrap();
    drop(f);
    b.go(&format!("{}/ui/batch", server.base)).await;
    b.css("#format").await.select_by_value("csv").await.unwrap();
    b.css("#file").await.send_keys(path.to_str().unwrap()).await.unwrap();
    b.shot("08-batch-form").await;
    b.css("#upload").await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // The page refreshes itself each second while the batch runs.
        let state = b.attr_now("#batch-state", "data-state").await.unwrap_or_default();
        if state == "done" {
            break;
        }
        assert_ne!(state, "failed", "{}", b.text("#batch-state").await);
        assert!(Instant::now() < deadline, "the batch did not finish");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(b.text("#batch-rows").await, "3");
    assert_eq!(b.text("#by-decision tr[data-decision='block'] td").await, "2");
    b.shot("09-batch-done").await;

    // The download, with the browser's session cookie.
    let href = b.css("#download").await.attr("href").await.unwrap().unwrap();
    let cookie = b.c().get_all_cookies().await.unwrap().into_iter().find(|c| c.name() == "cs_session").unwrap();
    let resp = reqwest::Client::new()
        .get(format!("{}{href}", server.base))
        .header("cookie", format!("cs_session={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains("proveedores-screened.csv"));
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "CSV for Excel starts with a byte-order mark");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("Papelería Ejemplo del Norte"), "Windows-1252 read as such: {text}");
    assert_eq!(text.lines().filter(|l| l.contains(",block,")).count(), 2, "{text}");
    // Another session (none here) cannot fetch it.
    let anonymous = reqwest::Client::new().get(format!("{}{href}", server.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), 200, "an anonymous fetch lands on the sign-in page");
    assert!(anonymous.text().await.unwrap().contains("id=\"key\""));
}

#[actix_web::test]
async fn values_stay_text_scopes_hold_and_the_language_switches() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = spawn_server().await;
    let Some(b) = browser("es-MX").await else { return };
    // Spanish from the browser's Accept-Language.
    b.go(&format!("{}/ui/signin", server.base)).await;
    let html_lang = b.css("html").await.attr("lang").await.unwrap();
    assert_eq!(html_lang.as_deref(), Some("es-MX"));
    b.sign_in(&server, &server.keys.screen).await;
    assert_eq!(b.text("main h1").await, "Consultar una contraparte");

    // A script as the name is shown as text and does not run.
    b.screen(&[("name", "<script>alert(1)</script>")]).await;
    b.no_alert().await;
    assert_eq!(b.css("#name").await.prop("value").await.unwrap().as_deref(), Some("<script>alert(1)</script>"));
    assert!(b.c().source().await.unwrap().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    b.shot("10-xss-name").await;

    // An entry whose name and remarks hold HTML: text, nothing injected.
    b.go(&format!("{}/ui/entities/ui-xss-1", server.base)).await;
    b.no_alert().await;
    assert!(b.text("#entity-name").await.contains("<b>NEGRITA</b>"));
    let remarks = b.css("dd.remarks").await;
    assert!(remarks.text().await.unwrap().contains("<img src=x onerror=alert(2)>"));
    assert!(remarks.find_all(Locator::Css("img, script")).await.unwrap().is_empty());
    b.shot("11-xss-remarks").await;

    // Without the analyst scope: no disposition form, and no queue.
    b.go(&format!("{}/ui/", server.base)).await;
    b.screen(&[("name", "Cartel del Golfo")]).await;
    assert_eq!(b.css("#result-h .decision").await.text().await.unwrap(), "Bloquear");
    assert!(b.all("details.dispose").await.is_empty(), "a screen-only key sees no disposition form");
    assert!(b.all("a[href='/ui/queue']").await.is_empty(), "nor the queue in the navigation");
    b.go(&format!("{}/ui/queue", server.base)).await;
    assert!(b.text("p.error").await.starts_with("403"));

    // The switch to English, kept for the next pages.
    b.go(&format!("{}/ui/", server.base)).await;
    b.css("#lang-switch").await.click().await.unwrap();
    assert_eq!(b.text("main h1").await, "Screen a counterparty");
    assert_eq!(b.css("html").await.attr("lang").await.unwrap().as_deref(), Some("en"));
    b.go(&format!("{}/ui/lists", server.base)).await;
    assert_eq!(b.text("main h1").await, "Lists in service");
    b.shot("12-english").await;
}
