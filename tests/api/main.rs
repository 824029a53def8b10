//! The HTTP service, started for real on port 0 and driven over loopback.

mod helpers;

mod auth;
mod batch_upload;
mod errors;
mod lists;
mod ops;
mod records;
mod screening;
