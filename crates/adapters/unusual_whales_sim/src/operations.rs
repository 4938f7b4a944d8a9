//! Answers to every documented GET operation the simulator has no generator for: UW's own
//! response example (or one built from the response schema where UW gives none), compiled in
//! from `test_data/openapi_examples.jsonl` (`scripts/gen_operations.py`), with its numbers varied
//! by the request and the seed, so that two requests differ as UW's answers would, the same
//! request always answers the same, and every value keeps its type.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use serde_json::Value;
use unusual_whales_nt::http::operations::{Operation, ParamIn, ResponseKind};

/// UW's example answer of each operation, by operation id.
static EXAMPLES: LazyLock<HashMap<String, Value>> = LazyLock::new(|| {
    include_str!("../test_data/openapi_examples.jsonl")
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|mut row| {
            let id = row.get("operation_id")?.as_str()?.to_owned();
            Some((id, row.get_mut("body")?.take()))
        })
        .collect()
});

/// An empty ZIP archive (its end-of-central-directory record): the full tape of a day without
/// prints.
const EMPTY_ZIP: &str = "PK\u{5}\u{6}\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

/// What the simulator answers a documented operation with.
pub(crate) enum Answer {
    /// 200 with this body and content type.
    Ok(&'static str, String),
    /// 422 naming the parameter, as UW answers invalid input.
    Invalid(String),
}

/// The answer to `path` (`/api/market/sector-etfs`) with `params` (the query), or `None` for a
/// path no operation has.
pub(crate) fn answer(path: &str, params: &HashMap<&str, &str>, seed: u64) -> Option<Answer> {
    let op = Operation::find(path)?;
    // Keys as sent: array parameters' brackets arrive percent-encoded (`expirations%5B%5D`).
    let given: Vec<String> = params
        .keys()
        .map(|k| {
            k.replace("%5B", "[")
                .replace("%5D", "]")
                .replace("%5b", "[")
                .replace("%5d", "]")
        })
        .collect();
    for p in op
        .params
        .iter()
        .filter(|p| p.required && p.location == ParamIn::Query)
    {
        if !given.contains(&p.name) {
            return Some(Answer::Invalid(format!(
                r#"{{"msg":"Invalid query input(s): {} is required","path":"{path}"}}"#,
                p.name
            )));
        }
    }
    if op.response == ResponseKind::Zip {
        return Some(Answer::Ok("application/zip", EMPTY_ZIP.to_owned()));
    }
    let mut body = EXAMPLES.get(&op.id).cloned().unwrap_or(Value::Null);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (seed, path).hash(&mut hasher);
    let mut query: Vec<_> = params.iter().collect();
    query.sort();
    query.hash(&mut hasher);
    let ticker = ticker_of(op, path);
    vary(&mut body, hasher.finish(), ticker.as_deref());
    Some(Answer::Ok("application/json", body.to_string()))
}

/// `-12.5`, `0.23`: a decimal number written as text.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.split_once('.').is_some_and(|(i, f)| {
        !i.is_empty()
            && !f.is_empty()
            && i.bytes().all(|b| b.is_ascii_digit())
            && f.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The `{ticker}` of `path`, if the operation's path has one.
fn ticker_of(op: &Operation, path: &str) -> Option<String> {
    op.path
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| *t == "{ticker}")
        .map(|(_, s)| s.to_ascii_uppercase())
}

/// Scales every fractional number (and decimal text) by a factor in [0.9, 1.1) drawn from `state`, and writes the
/// requested ticker into `ticker` fields.
fn vary(value: &mut Value, mut state: u64, ticker: Option<&str>) {
    // xorshift: a deterministic sequence from the request's hash.
    fn factor(state: &mut u64) -> f64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        #[allow(clippy::cast_precision_loss)]
        let f = 0.9 + (*state % 2000) as f64 / 10_000.0;
        f
    }
    fn walk(value: &mut Value, state: &mut u64, ticker: Option<&str>) {
        match value {
            Value::Number(n) if n.is_f64() => {
                let f = factor(state);
                if let Some(v) = n.as_f64().and_then(|x| serde_json::Number::from_f64(x * f)) {
                    *n = v;
                }
            }
            // UW writes most decimals as strings ("150.15"): varied the same way, same digits.
            Value::String(text) if is_decimal(text) => {
                let digits = text.len() - text.find('.').unwrap_or(text.len()) - 1;
                if let Ok(x) = text.parse::<f64>() {
                    *text = format!("{:.digits$}", x * factor(state));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, state, ticker)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    match (key.as_str(), ticker, &v) {
                        ("ticker", Some(t), Value::String(_)) => *v = Value::from(t),
                        _ => walk(v, state, ticker),
                    }
                }
            }
            _ => {}
        }
    }
    state |= 1;
    walk(value, &mut state, ticker);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_get_operation_has_an_answer() {
        let none = HashMap::new();
        for op in unusual_whales_nt::http::operations::operations() {
            let path = op.path.replace("{ticker}", "SPY");
            let answer = answer(&path, &none, 42).expect("an operation");
            match answer {
                Answer::Ok(kind, body) => {
                    assert!(!body.is_empty(), "{}", op.name);
                    if kind == "application/json" {
                        assert_ne!(body, "null", "{} answers nothing", op.name);
                    }
                }
                Answer::Invalid(body) => assert!(body.contains("is required"), "{body}"),
            }
        }
    }

    #[test]
    fn answers_vary_by_request_and_repeat_for_the_same_one() {
        let none = HashMap::new();
        let body = |path: &str| match answer(path, &none, 42) {
            Some(Answer::Ok(_, b)) => b,
            _ => panic!("no answer"),
        };
        assert_eq!(
            body("/api/stock/SPY/max-pain"),
            body("/api/stock/SPY/max-pain")
        );
        let spy = body("/api/stock/SPY/volatility/realized");
        let qqq = body("/api/stock/QQQ/volatility/realized");
        assert_ne!(spy, qqq);
        assert!(qqq.contains("\"QQQ\"") || !spy.contains("\"SPY\""), "{qqq}");
    }
}
