//! The project's registries, kept as data in `lists/` and compiled in: the
//! six FTO-designated cartels (`lists/fto_cartels.toml`).

use serde::Deserialize;

use crate::engine::network::{Cartel, CartelRegistry};
use crate::lists::{own_format, ListError};

/// The cartel registry file, compiled in: the embedded default list.
pub const CARTELS_TOML: &str = include_str!("../../lists/fto_cartels.toml");

#[derive(Deserialize)]
struct RegistryFile {
    #[serde(default)]
    cartel: Vec<Cartel>,
}

/// The compiled-in cartel registry.
pub fn embedded() -> CartelRegistry {
    parse_cartels(CARTELS_TOML, "embedded:lists/fto_cartels.toml").expect("the embedded cartel registry is valid")
}

/// Reads a cartel registry: a cartelscreen list of the cartels' own entries
/// plus one `[[cartel]]` table per cartel.
///
/// # Errors
/// [`ListError::Format`] when the TOML is malformed or a `[[cartel]]` names
/// an entity the list does not hold.
pub fn parse_cartels(text: &str, source: &str) -> Result<CartelRegistry, ListError> {
    let file: RegistryFile = toml::from_str(text).map_err(|e| ListError::format(source, e.to_string()))?;
    let list = own_format::parse_native_toml(text, source.to_string())?;
    for c in &file.cartel {
        if !list.entities.iter().any(|e| e.id == c.entity) {
            return Err(ListError::format(source, format!("cartel {} names unknown entity {}", c.code, c.entity)));
        }
    }
    Ok(CartelRegistry { cartels: file.cartel, list })
}
