//! Nothing here: the comparison is `benches/parsers.rs`.
