//! Builds the application on a given listener, so tests can start the real
//! server on port 0 and learn the port.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::HttpService;
use actix_service::{fn_service, map_config, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::http::error::{json_error, path_error, query_error, ApiError};
use crate::http::metrics::Metrics;
use crate::http::middleware::{json_errors, observe};
use crate::http::state::AppState;
use crate::http::{connection, ops, records, upload, v1};
use crate::lists::ListError;
use crate::live::watch::{self, Reloader, Trigger};
use crate::live::{LiveLists, ReloadOutcome};
use crate::record::Records;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot load the lists: {0}")]
    Lists(#[from] ListError),
    #[error("cannot open the audit store: {0}")]
    Store(#[from] crate::record::store::StoreError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
}

/// Registers every route; shared by the server and handler-level tests.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .service(web::resource("/screen").post(v1::screen::screen))
            .service(web::resource("/screen/batch").post(v1::screen::screen_batch))
            .service(web::resource("/screen/transaction").post(v1::transaction::screen_transaction))
            .service(web::resource("/screen/message").post(v1::message::screen_message))
            .service(web::resource("/batch").post(upload::batch))
            .service(web::resource("/entities/{id}").get(v1::entities::entity))
            .service(web::resource("/cartels").get(v1::cartels::cartels))
            .service(web::resource("/cartels/{code}/network").get(v1::cartels::network))
            .service(web::resource("/lists").get(v1::lists::lists))
            .service(web::resource("/lists/reload").post(v1::lists::reload))
            .service(web::resource("/audit").get(records::audit))
            .service(web::resource("/audit/verify").get(records::audit_verify))
            .service(web::resource("/dispositions").post(records::record_disposition).get(records::list_dispositions))
            .service(web::resource("/dispositions/{id}/revoke").post(records::revoke_disposition))
            .service(web::resource("/monitored").post(records::register).get(records::list_monitored))
            .service(web::resource("/monitored/{reference}").delete(records::unregister))
            .service(web::resource("/alerts").get(records::alerts)),
    )
    .service(web::resource("/healthz").get(ops::healthz))
    .service(web::resource("/readyz").get(ops::readyz))
    .service(web::resource("/metrics").get(ops::metrics))
    .service(web::redirect("/docs", "/docs/"))
    .configure(crate::http::yente::routes);
}

/// The OpenAPI document at `/openapi.json` ([`crate::http::openapi::document`],
/// stating this server's limits) and Swagger UI at `/docs/`.
pub fn docs(cfg: &mut web::ServiceConfig, settings: &Settings) {
    let doc = crate::http::openapi::document(&settings.server);
    cfg.service(SwaggerUi::new("/docs/{_:.*}").external_urls_from_iter_unchecked([("/openapi.json", doc)]));
}

/// Extractor settings: body limits and JSON errors for every extractor.
pub fn extractor_config(cfg: &mut web::ServiceConfig, settings: &Settings) {
    let limit = settings.server.max_body_bytes;
    cfg.app_data(web::JsonConfig::default().limit(limit).error_handler(|e, _| json_error(e).into()))
        .app_data(web::QueryConfig::default().error_handler(|e, _| query_error(e).into()))
        .app_data(web::PathConfig::default().error_handler(|e, _| path_error(e).into()))
        .app_data(web::PayloadConfig::default().limit(limit));
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::from_status(actix_web::http::StatusCode::NOT_FOUND))
}

/// Starts serving `state` on `listener`: each connection's first request
/// head is read by [`connection::read_first_head`] (JSON errors for a slow,
/// malformed or oversized head), then HTTP/1.1 takes the connection.
///
/// # Errors
///
/// The I/O error when the listener cannot be handed to the server.
pub fn run(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let server = &state.settings.server;
    let workers =
        if server.workers == 0 { std::thread::available_parallelism().map_or(2, |n| n.get()) } else { server.workers };
    let shutdown = server.shutdown_timeout_secs;
    let client_timeout = Duration::from_secs(server.client_timeout_secs);
    let app_state = state.clone();
    listener.set_nonblocking(true)?;
    let s = actix_server::Server::build()
        .workers(workers)
        .shutdown_timeout(shutdown)
        .listen("cartelscreen", listener, move || {
            let app_state = app_state.clone();
            let settings = app_state.settings.clone();
            let app = App::new()
                .app_data(app_state.clone())
                .configure(|cfg| extractor_config(cfg, &settings))
                .configure(routes)
                .configure(|cfg| {
                    if settings.ui.enabled {
                        crate::http::ui::routes(cfg)
                    }
                })
                .configure(|cfg| docs(cfg, &settings))
                .default_service(web::to(not_found))
                .wrap(ErrorHandlers::new().default_handler(json_errors))
                .wrap(from_fn(observe));
            let http = HttpService::build()
                // The first head is timed by `read_first_head`; later ones by keep-alive.
                .client_request_timeout(Duration::ZERO)
                .h1(map_config(app, |_| AppConfig::default()));
            fn_service(move |io: actix_web::rt::net::TcpStream| async move {
                let peer = io.peer_addr().ok();
                match connection::read_first_head(io, client_timeout).await {
                    Ok(io) => Ok((io, peer)),
                    Err(_) => Err(DispatchError::SlowRequestTimeout),
                }
            })
            .and_then(http)
        })?
        .run();
    Ok(s)
}

/// A running service: the server, its port, and the reloader.
pub struct Application {
    pub port: u16,
    pub state: web::Data<AppState>,
    server: Server,
    _reloader: Reloader,
}

impl Application {
    /// Loads the lists, binds `server.host:server.port` (port 0 picks a free
    /// one) and starts the reloader. Call inside a tokio runtime.
    ///
    /// # Errors
    ///
    /// [`StartupError`] when the lists or the audit database cannot be opened, or the address
    /// cannot be bound.
    pub fn build(settings: Settings, extra: Vec<PathBuf>) -> Result<Application, StartupError> {
        Application::build_with(settings, extra, false)
    }

    /// [`Application::build`]; the lists loaded are first checked against
    /// those this deployment last accepted: one that lost more than
    /// `lists.max_shrink_percent` of its entries is refused unless
    /// `accept_shrink`, the operator's decision, allows it.
    ///
    /// # Errors
    /// [`StartupError`] when the lists, the store or the address fail, or a
    /// list shrank past the limit.
    pub fn build_with(
        settings: Settings,
        extra: Vec<PathBuf>,
        accept_shrink: bool,
    ) -> Result<Application, StartupError> {
        let lists = Arc::new(LiveLists::load(settings.clone(), extra)?);
        let records = Arc::new(Records::open(&settings)?);
        records.set_deployment(settings.deployment(lists.extra()));
        // The store's blocking clients may not run on an async runtime's
        // thread, and `serve` builds the application inside one.
        let accepted = std::thread::scope(|s| {
            s.spawn(|| records.accepted_versions()).join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        })?;
        // At start nothing else is in service: a partial set is served (with
        // its flag), but not one that shrank past the limit unless accepted.
        if !accept_shrink {
            let limit = settings.lists.max_shrink_percent;
            for new in lists.current().screener.lists() {
                if let Some(old) = accepted.iter().find(|o| o.dataset == new.dataset) {
                    crate::lists::check_shrink(new, old, "last accepted version", limit)?;
                }
            }
        }
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener =
            TcpListener::bind(&address).map_err(|source| StartupError::Bind { address: address.clone(), source })?;
        Application::on_listener(lists, records, listener)
    }

    /// Serves already loaded lists on a bound listener.
    ///
    /// # Errors
    ///
    /// [`StartupError`] when the audit database cannot be opened or the listener not served.
    pub fn on_listener(
        lists: Arc<LiveLists>,
        records: Arc<Records>,
        listener: TcpListener,
    ) -> Result<Application, StartupError> {
        let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .map_err(|source| StartupError::Bind { address: address.clone(), source })?;
        let metrics = Arc::new(Metrics::new());
        records.set_deployment(lists.settings().deployment(lists.extra()));
        for w in lists_warnings(&lists) {
            tracing::warn!("{w}");
        }
        records.spawn_upkeep(&lists);
        let state = web::Data::new(AppState::new(lists.clone(), metrics, records));
        let reload_settings = state.settings.reload.clone();
        let limiter_state = state.clone();
        let reloader = watch::spawn(lists, &reload_settings, move |trigger, result| {
            log_reload(trigger, result);
            if let Some(l) = &limiter_state.limiter {
                l.prune();
            }
        });
        let server = run(listener, state.clone()).map_err(|source| StartupError::Bind { address, source })?;
        Ok(Application { port, state, server, _reloader: reloader })
    }

    /// Runs until SIGINT or SIGTERM, then lets requests in flight finish.
    ///
    /// # Errors
    ///
    /// The server's I/O error.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let reloader = self._reloader;
        let r = self.server.await;
        drop(reloader);
        r
    }
}

/// What is wrong with the lists in service, for the log.
fn lists_warnings(lists: &LiveLists) -> Vec<String> {
    let generation = lists.current();
    let versions = generation.screener.lists();
    let (max, today) = (lists.settings().lists.max_age_days, crate::engine::model::today_days());
    crate::lists::ListHealth::of(versions, max, today).warnings(versions, max, today)
}

fn log_reload(trigger: Trigger, result: &Result<ReloadOutcome, ListError>) {
    match result {
        Ok(ReloadOutcome::Swapped) => tracing::info!(?trigger, "new list versions in service"),
        Ok(ReloadOutcome::Unchanged) => tracing::debug!(?trigger, "lists unchanged"),
        Err(e) => tracing::error!(?trigger, error = %e, "list reload rejected; the lists in service stay"),
    }
}
