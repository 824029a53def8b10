//! Fetching official lists (placeholder).
