//! The HTTP service over the engine and the record-keeping: the native `/v1`
//! API ([`v1`], [`upload`], [`records`]), the OpenSanctions-compatible API
//! ([`yente`]), probes and metrics. Nothing outside it depends on it.

pub mod apikey;
pub mod auth;
pub mod connection;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod ops;
pub mod rate_limit;
pub mod records;
pub mod startup;
pub mod state;
pub mod ui;
pub mod upload;
pub mod v1;
pub mod yente;
