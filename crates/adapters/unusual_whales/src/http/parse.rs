//! REST response bodies -> records.
