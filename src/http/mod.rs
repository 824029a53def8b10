//! The HTTP service: the native `/v1` API, the OpenSanctions-compatible API,
//! probes and metrics, over the engine. Nothing in the engine depends on
//! this module.

pub mod auth;
pub mod batch;
pub mod compliance;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod native;
pub mod openapi;
pub mod ops;
pub mod rate_limit;
pub mod startup;
pub mod state;
pub mod yente;
