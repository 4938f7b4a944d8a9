//! Compiles every WebSocket example of `test_data/` (`ws_<channel>.jsonl`) into the simulator, so
//! that a new channel's fixture is all the simulator needs to serve it where it generates nothing.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("test_data");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("test_data/ is part of the crate")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("ws_") && name.ends_with(".jsonl"))
        })
        .collect();
    files.sort();
    let mut out = String::from("concat!(\n");
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let _ = writeln!(
            out,
            "    include_str!({:?}),\n    \"\\n\",",
            file.display().to_string()
        );
    }
    out.push(')');
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("ws_examples.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}
