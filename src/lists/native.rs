//! cartelscreen list format (placeholder until the parser lands).
use std::path::Path;
use crate::error::ListError;
use crate::model::LoadedList;
pub fn is_native_file_name(name: &str) -> bool { name.ends_with(".toml") || name.ends_with(".json") || name.ends_with(".csv") }
pub fn load_native(path: &Path) -> Result<LoadedList, ListError> { Err(ListError::NotRecognised { path: path.to_path_buf() }) }
