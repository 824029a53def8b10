//! Measuring match quality: regression cases and labelled name pairs
//! ([`eval`]), and deterministic generators of variants of listed names and
//! of counterparties on no list ([`synth`]).

pub mod eval;
pub mod synth;
