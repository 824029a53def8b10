//! OFAC remarks parser (placeholder).
