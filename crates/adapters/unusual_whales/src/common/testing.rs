//! Test helpers: load fixtures from `test_data/`.

use std::path::PathBuf;

/// The absolute path of a file under the crate's `test_data/`.
#[must_use]
pub fn test_data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(name)
}

/// Reads a fixture as text.
///
/// # Panics
/// When the fixture is missing: a test setup error, not a runtime condition.
#[must_use]
pub fn load_fixture(name: &str) -> String {
    let path = test_data_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}
