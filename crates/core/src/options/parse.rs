//! JSON options → a typed option struct, with errors a user can act on: the field's path
//! (`eskiz.password`), what it must be, the closest known key for a typo. A value never appears
//! in a message (most options are secrets or personal data, and startup errors end up in logs).

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;

/// Parses `value` into `T`; any problem is a `CONFIG` error naming the field. `what` names the
/// whole object when it is not an object at all (`SmsClientOptions must be an object`).
pub fn from_json<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<T> {
    if !value.is_object() {
        return Err(Error::config(format!("{what} must be an object")));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::config(describe(&path, &e.into_inner().to_string()))
    })
}

/// The top-level keys `T` accepts, in declaration order (read from serde's own refusal of a key
/// no option has), for callers that check keys before the options are complete.
pub fn keys_of<T: DeserializeOwned>() -> Vec<String> {
    let probe = serde_json::json!({ "\u{0}": null });
    match serde_json::from_value::<T>(probe) {
        Err(e) => {
            let message = e.to_string();
            let known = message
                .split_once("expected one of ")
                .map_or("", |(_, k)| k);
            backticked(known)
        }
        Ok(_) => Vec::new(),
    }
}

/// serde's wording (which quotes the offending value) → uzgate's (which names the field only).
fn describe(path: &str, serde: &str) -> String {
    let path = if path == "." { "" } else { path };
    if let Some(rest) = serde.strip_prefix("unknown field `") {
        let (key, known) = rest.split_once('`').unwrap_or((rest, ""));
        let known = backticked(known);
        // serde_path_to_error's path ends with the unknown key itself.
        let parent = path
            .strip_suffix(key)
            .map(|p| p.trim_end_matches('.'))
            .unwrap_or(path);
        let hint = match closest(key, &known) {
            Some(near) => format!("did you mean {near}?"),
            None => format!("known: {}", known.join(", ")),
        };
        return format!("unknown option {} ({hint})", join(parent, key));
    }
    if let Some(rest) = serde.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return format!("{} is required", join(path, key));
    }
    if serde.starts_with("invalid type: null") {
        return format!("{path} is required");
    }
    if let Some(rest) = serde.strip_prefix("unknown variant `") {
        let known = backticked(rest.split_once('`').map(|(_, k)| k).unwrap_or(""));
        return format!("{path} must be one of {}", known.join(", "));
    }
    if serde.starts_with("invalid type") || serde.starts_with("invalid value") {
        let expected = serde.rsplit_once("expected ").map(|(_, e)| e).unwrap_or("");
        return format!("{path} must be {}", expectation(expected));
    }
    // Any other serde message: keep the field, drop serde's text (it may quote the value).
    format!("{path} has the wrong type")
}

/// serde's `expected …` → the words uzgate uses for the same kind.
fn expectation(expected: &str) -> String {
    match expected {
        "u32" => "a whole number from 0 to 4294967295".into(),
        "u64" | "usize" => "a whole number".into(),
        "f64" | "f32" => "a finite number".into(),
        "a boolean" => "a boolean".into(),
        "a string" => "a string".into(),
        e if e.starts_with("struct ") || e.starts_with("a map") => "an object".into(),
        e if e.starts_with("one of ") || e.starts_with("variant identifier") => {
            "one of the listed values".into()
        }
        e if e.starts_with('`') => format!("one of {}", backticked(e).join(", ")),
        _ => "of another type".into(),
    }
}

/// The names between backticks of serde's lists: "expected one of `a`, `b`".
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, name)| name.to_string())
        .collect()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The known name closest to `name` when it is close enough to be a typo: at most 2 edits
/// (optimal string alignment, case-insensitive) and fewer than half the name's length.
pub fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    let name_lc = name.to_lowercase();
    let (best, distance) = known
        .iter()
        .map(|k| (k, edit_distance(&name_lc, &k.to_lowercase())))
        .min_by_key(|(_, d)| *d)?;
    let half = name.chars().count().max(2) as f64 / 2.0;
    (distance <= 2 && (distance as f64) < half).then_some(best.as_str())
}

/// Insertions, deletions, substitutions and adjacent transpositions.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// `value` must be at least 1 when given: `name must be positive`.
pub fn positive(name: &str, value: Option<u32>) -> Result<Option<u32>> {
    match value {
        Some(0) => Err(Error::config(format!("{name} must be positive"))),
        v => Ok(v),
    }
}
