//! Fixtures shared by the module's tests: the embedded cartels plus a small
//! OFAC-like list, its view, and the service around it (`app!`).

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::test as web_test;
use actix_web::web;
use serde_json::Value;

use super::view::View;
use crate::config::Settings;
use crate::engine::model::{
    Address, BirthDate, Entity, EntityKind, IdScheme, Identifier, Link, ListFormat, LoadedList, NameRole,
};
use crate::engine::screen::Screener;
use crate::http::metrics::Metrics;
use crate::http::state::AppState;
use crate::live::LiveLists;

pub(super) fn org(id: &str, list: &str, name: &str) -> Entity {
    let mut e = Entity::new(id, list, EntityKind::Organization);
    e.add_name(name, NameRole::Primary);
    e
}

/// The embedded cartels plus a small OFAC-like list.
pub(super) fn screener() -> Screener {
    let registry = crate::lists::registry::embedded();
    let mut cjng = org("ofac-17671", "us_ofac_sdn", "CARTEL DE JALISCO NUEVA GENERACION");
    cjng.add_name("CJNG", NameRole::Aka);
    cjng.programs = vec!["SDNTK".into()];
    cjng.nationalities.push("Mexico".into());
    let mut mencho = Entity::new("ofac-17674", "us_ofac_sdn", EntityKind::Person);
    mencho.add_name("OSEGUERA CERVANTES, Nemesio Ruben", NameRole::Primary);
    mencho.add_name("EL MENCHO", NameRole::WeakAlias);
    mencho.birth_dates.push(BirthDate::ymd(1966, 7, 17));
    mencho.nationalities.push("Mexico".into());
    mencho.gender = Some("Male".into());
    mencho.programs = vec!["SDNTK".into()];
    mencho.identifiers.push(Identifier { scheme: IdScheme::Curp, value: "OECN660717HMNSRM07".into(), country: None });
    mencho.links.push(Link {
        name: "CARTEL DE JALISCO NUEVA GENERACION".into(),
        target: None,
        via: crate::engine::model::LinkVia::LinkedTo,
    });
    mencho.addresses.push(Address { street: None, city: Some("Guadalajara".into()), country: Some("Mexico".into()) });
    let mut front = Entity::new("ofac-99001", "us_ofac_sdn", EntityKind::Company);
    front.add_name("GRUPO IMPERGOZA, S.A. DE C.V.", NameRole::Primary);
    front.identifiers.push(Identifier { scheme: IdScheme::Rfc, value: "GIM-140402-AB1".into(), country: None });
    front.links.push(Link {
        name: "OSEGUERA CERVANTES, Nemesio Ruben".into(),
        target: None,
        via: crate::engine::model::LinkVia::LinkedTo,
    });
    let mut ship = Entity::new("ofac-99002", "us_ofac_sdn", EntityKind::Vessel);
    ship.add_name("MARIA LUISA", NameRole::Primary);
    ship.identifiers.push(Identifier { scheme: IdScheme::Imo, value: "9187629".into(), country: None });
    let list = LoadedList::new(
        "us_ofac_sdn",
        "OFAC SDN",
        ListFormat::OfacSdn,
        "mem".into(),
        "abcdef0123456789".into(),
        None,
        vec![cjng, mencho, front, ship],
        vec![],
    );
    let lists = vec![registry.list.clone(), list];
    Screener::build(lists, registry, Default::default())
}

pub(super) fn view() -> (Screener, View) {
    let s = screener();
    let v = View::of_screener(&s, "2026-01-02T03:04:05.678Z");
    (s, v)
}

pub(super) fn state() -> web::Data<AppState> {
    let mut settings = Settings::defaults();
    settings.auth.required = false;
    settings.server.max_batch_items = 3;
    let records = crate::record::scratch(&settings);
    let lists = Arc::new(LiveLists::with_screener(screener(), settings, vec![]));
    web::Data::new(AppState::new(lists, Arc::new(Metrics::new()), records))
}

/// The routes over `state()`, as the service mounts them. A macro, as the
/// initialised service's type is unwieldy to name in a return type.
macro_rules! app {
    () => {{
        let state = $crate::http::yente::fixtures::state();
        let settings = state.settings.clone();
        actix_web::test::init_service(
            actix_web::App::new()
                .app_data(state)
                .configure(|c| $crate::http::startup::extractor_config(c, &settings))
                .configure($crate::http::yente::routes)
                .wrap(
                    actix_web::middleware::ErrorHandlers::new().default_handler($crate::http::middleware::json_errors),
                ),
        )
        .await
    }};
}

pub(super) async fn json_of<B: MessageBody>(resp: ServiceResponse<B>) -> Value {
    let bytes = web_test::read_body(resp).await;
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
}
