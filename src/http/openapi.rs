//! The OpenAPI document, generated from the handlers' annotations so it
//! cannot drift from them.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::{ops, records, upload, v1, yente};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cartelscreen",
        description = "Sanctions screening against the OFAC and UN lists and the networks of the six \
                       FTO-designated Mexican cartels. Errors are JSON `{\"error\": {\"code\", \"message\"}}`."
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
