//! OFAC legacy CSV sets (placeholder until the parser lands).
use std::path::Path;
use crate::error::ListError;
use crate::model::LoadedList;
pub fn load_sdn(dir: &Path) -> Result<LoadedList, ListError> { Err(ListError::NotRecognised { path: dir.to_path_buf() }) }
pub fn load_consolidated(dir: &Path) -> Result<LoadedList, ListError> { Err(ListError::NotRecognised { path: dir.to_path_buf() }) }
pub fn is_ofac_file_name(name: &str) -> bool { matches!(name, "sdn.csv" | "alt.csv" | "add.csv" | "sdn_comments.csv" | "cons_prim.csv" | "cons_alt.csv" | "cons_add.csv" | "cons_comments.csv") }
