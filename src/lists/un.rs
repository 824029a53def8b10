//! UN consolidated XML (placeholder until the parser lands).
use std::path::Path;
use crate::error::ListError;
use crate::model::LoadedList;
pub fn load_un(path: &Path) -> Result<LoadedList, ListError> { Err(ListError::NotRecognised { path: path.to_path_buf() }) }
