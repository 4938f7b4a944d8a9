//! The crate's modules depend on each other one way: `common` <- `data` <- `aggregate` <-
//! `subscription` <- `http` <- `websocket` (whose back-fill uses the REST client). A source scan, so a path that climbs back
//! up (`http` naming `crate::websocket`) fails here before it becomes a cycle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each layer, with the top-level modules it must not name.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "common",
        &[
            "data",
            "aggregate",
            "subscription",
            "http",
            "websocket",
            "runtime",
        ],
    ),
    (
        "data",
        &["aggregate", "subscription", "http", "websocket", "runtime"],
    ),
    (
        "aggregate",
        &["subscription", "http", "websocket", "runtime"],
    ),
    ("subscription", &["http", "websocket", "runtime"]),
    ("http", &["websocket", "runtime"]),
    ("websocket", &["runtime"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules `source` names through `crate::` (or `$crate::` in a macro), including
/// those inside a `use crate::{a, b::c}` group.
fn crate_modules(source: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in source.match_indices("crate::") {
        let before = source[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &source[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.insert(ident(rest));
            continue;
        };
        // Only the group's own elements: a nested `{...}` belongs to the element before it.
        let mut depth = 0;
        let mut element_start = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => element_start = true,
                c if element_start && !c.is_whitespace() => {
                    found.insert(ident(&group[i..]));
                    element_start = false;
                }
                _ => {}
            }
        }
    }
    found.remove("");
    found
}

#[test]
fn no_module_names_a_module_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (layer, forbidden) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer} holds no Rust file");
        for file in files {
            let source = std::fs::read_to_string(&file).expect("readable source");
            for module in crate_modules(&source) {
                if forbidden.contains(&module.as_str()) {
                    let shown = file.strip_prefix(&src).unwrap_or(&file).display();
                    violations.push(format!("src/{shown} names crate::{module}"));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_scan_sees_every_form_of_path() {
    let source = "use crate::common::consts::UW_WS_URL;\n\
                  use crate::{data::FlowAlert, websocket::{queue, stats}};\n\
                  let k = crate::http::history::fetch_history;\n\
                  $crate::python::records::register_class();\n\
                  use other_crate::sim;";
    let found: Vec<String> = crate_modules(source).into_iter().collect();
    assert_eq!(found, ["common", "data", "http", "python", "websocket"]);
}
