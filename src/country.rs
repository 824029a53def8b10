//! Country names and codes (placeholder).
