//! The path check of `request(method, path)`: the bearer token may only go to amoCRM's v4 API.
//! A URL parser reads `%2e%2e` as `..` and drops tabs and newlines, so a prefix check on the raw
//! string is not enough: the path is decoded and its segments judged first, and the URL that
//! would be sent must keep exactly the path that was checked.

use crate::error::{Error, Provider, Result};
use serde_json::json;

const PREFIX: &str = "/api/v4/";
/// Layers of percent-encoding looked through (`%252e` is `%2e` once decoded).
const DECODE_LAYERS: usize = 4;

/// `Ok(path)` unchanged when it is a v4 path; `INVALID_ARGUMENT` (nothing sent) otherwise.
pub fn check_api_path(path: &str) -> Result<&str> {
    let (route, _query) = path.split_once('?').unwrap_or((path, ""));
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'\\' && b != b'#');
    if !plain || !route.starts_with(PREFIX) || path.contains("://") {
        return Err(refused("path_not_v4"));
    }
    if route.split('/').any(hides_a_step_outside) {
        return Err(refused("path_traversal"));
    }
    // What a URL parser would make of it must be the very path that was checked.
    let parsed = url::Url::parse(&format!("https://account.invalid{path}"))
        .map_err(|_| refused("path_not_v4"))?;
    if parsed.path() != route {
        return Err(refused("path_traversal"));
    }
    Ok(path)
}

/// A segment that is, or decodes to, a dot segment, a slash or a backslash.
fn hides_a_step_outside(segment: &str) -> bool {
    let mut layer = segment.to_string();
    for _ in 0..=DECODE_LAYERS {
        if layer == "." || layer == ".." || layer.contains(['/', '\\']) {
            return true;
        }
        let next = percent_decode(&layer);
        if next == layer {
            return false;
        }
        layer = next;
    }
    // Still changing after this many layers: nobody writes a real path like that.
    true
}

/// One layer of `%XX` decoding; anything else (a lone `%`, bad hex) is kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refused(reason: &str) -> Error {
    Error::invalid(
        "path must be an amoCRM v4 path like /api/v4/contacts, without dot segments, encoded slashes or backslashes; nothing was sent",
    )
    .with_provider(Provider::AmoCrm)
    .with_details(json!({ "reason": reason }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use proptest::prelude::*;

    #[test]
    fn v4_paths_pass_unchanged() {
        for p in [
            "/api/v4/account",
            "/api/v4/contacts?limit=5&query=%D0%90%2F",
            "/api/v4/leads/123/notes",
            "/api/v4/leads?filter[statuses][0][pipeline_id]=1",
            "/api/v4/catalogs/1/elements?query=a.b",
            "/api/v4/x.y/..z",
        ] {
            assert_eq!(check_api_path(p).unwrap(), p);
        }
    }

    #[test]
    fn traversal_in_every_spelling_is_refused() {
        for p in [
            "/api/v4/../../oauth2/access_token",
            "/api/v4/%2e%2e/%2e%2e/oauth2/access_token",
            "/api/v4/%2E%2E/%2E%2E/oauth2/access_token",
            "/api/v4/.%2E/.%2e/oauth2/access_token",
            "/api/v4/%2E./%2e./oauth2/access_token",
            "/api/v4/%252e%252e/oauth2/access_token",
            "/api/v4/./../x",
            "/api/v4/%2e/x",
            "/api/v4/..%2f..%2foauth2/access_token",
            "/api/v4/..%2F..%2Foauth2",
            "/api/v4/..%5c..%5coauth2",
            "/api/v4/%5C",
            "/api/v4/..\\..\\oauth2",
            "/api/v4\\..\\oauth2",
            "/api/v4/.\t./oauth2",
            "/api/v4/.\n./oauth2",
            "/api/v4/ ../x",
            "/api/v4/x#frag",
            "/api/v3/leads",
            "/api/v4",
            "https://evil.example/api/v4/",
            "/api/v4/http://evil.example",
            "//evil.example/api/v4/",
            "",
        ] {
            let e = check_api_path(p).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{p:?}");
        }
    }

    proptest! {
        #[test]
        fn an_accepted_path_stays_under_v4(tail in "[a-zA-Z0-9./%25eE2fF5cC?=&-]{0,40}") {
            let path = format!("/api/v4/{tail}");
            if check_api_path(&path).is_ok() {
                let u = url::Url::parse(&format!("https://account.invalid{path}")).unwrap();
                prop_assert!(u.path().starts_with("/api/v4/"), "{path} → {}", u.path());
            }
        }
    }
}
