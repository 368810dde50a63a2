//! The URL forms a Twilio signature may have been computed over, exactly as twilio-node's
//! `validateRequest` tries them (reference §5.2), so a callback this crate accepts is one the
//! official validator accepts and vice versa:
//!
//! 1. the URL as received, without any port and with the default port added;
//! 2. only if the URL parses (WHATWG rules, as `new URL()`): its normalised serialisation,
//!    without and with the port, each also with the query re-encoded the way Node's legacy
//!    `querystring` module does (`%27` back to `'`, `+` to `%20`, integer keys first).
//!
//! The forms are taken apart with plain string slicing, never re-serialised, so the path and
//! query keep the exact characters Twilio signed. Nothing here decides validity: it only lists
//! the candidates; `signature.rs` compares each one in constant time.

/// `scheme://[userinfo@]host[:port]rest`, split without normalising anything.
struct Parts<'a> {
    /// `https://`, case as received.
    scheme: &'a str,
    /// `user:pass@` or empty.
    user_info: &'a str,
    host: &'a str,
    /// `:8443`, `:` or empty.
    port: &'a str,
    /// Path, query and fragment as received.
    rest: &'a str,
}

/// twilio-node's `splitUrl`: `^([a-z][a-z0-9+.-]*://)([^/?#]*)`, case-insensitive.
fn split(url: &str) -> Option<Parts<'_>> {
    let sep = url.find("://")?;
    let scheme_name = &url[..sep];
    let mut chars = scheme_name.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
    {
        return None;
    }
    let scheme = &url[..sep + 3];
    let after = &url[sep + 3..];
    let authority_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_len];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_and_port = &authority[host_start..];
    // A colon starts the port only after the closing bracket of an IPv6 literal.
    let search_from = host_and_port.rfind(']').map_or(0, |i| i + 1);
    let port_start = host_and_port[search_from..]
        .find(':')
        .map(|i| i + search_from);
    let (host, port) = match port_start {
        Some(i) => (&host_and_port[..i], &host_and_port[i..]),
        None => (host_and_port, ""),
    };
    Some(Parts {
        scheme,
        user_info: &authority[..host_start],
        host,
        port,
        rest: &after[authority_len..],
    })
}

/// The URL with the scheme's default port (`:443` for https, `:80` otherwise) when it has none.
fn add_port(url: &str) -> String {
    match split(url) {
        Some(p) if p.port.is_empty() => {
            let port = if p.scheme.eq_ignore_ascii_case("https://") {
                ":443"
            } else {
                ":80"
            };
            format!("{}{}{}{}{}", p.scheme, p.user_info, p.host, port, p.rest)
        }
        _ => url.to_string(),
    }
}

/// The URL without any port.
fn remove_port(url: &str) -> String {
    match split(url) {
        Some(p) => format!("{}{}{}{}", p.scheme, p.user_info, p.host, p.rest),
        None => url.to_string(),
    }
}

/// Node's `querystring.stringify(querystring.parse(query))` applied to everything after the
/// first `?` (fragment included, as twilio-node does).
fn with_legacy_querystring(url: &str) -> String {
    match url.find('?') {
        Some(q) if q + 1 < url.len() => {
            format!("{}?{}", &url[..q], legacy_querystring(&url[q + 1..]))
        }
        _ => url.to_string(),
    }
}

/// Node's `querystring.parse` → `stringify`: pairs split on `&` (empty ones dropped, at most
/// 1000), key and value split on the first `=`, `+` as space, percent-decoding that leaves
/// malformed escapes alone, repeated keys gathered in first-seen order, then the keys in
/// JavaScript object order (array indices ascending, the rest in insertion order).
fn legacy_querystring(query: &str) -> String {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()).take(1000) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        match keys.iter_mut().find(|(name, _)| *name == k) {
            Some((_, values)) => values.push(v),
            None => keys.push((k, vec![v])),
        }
    }
    let mut indices: Vec<(u32, usize)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, (k, _))| array_index(k).map(|n| (n, i)))
        .collect();
    indices.sort_unstable();
    let order = indices.iter().map(|&(_, i)| i).chain(
        keys.iter()
            .enumerate()
            .filter(|(_, (k, _))| array_index(k).is_none())
            .map(|(i, _)| i),
    );
    let mut out = Vec::new();
    for i in order {
        let (k, values) = &keys[i];
        for v in values {
            out.push(format!("{}={}", escape(k), escape(v)));
        }
    }
    out.join("&")
}

/// A canonical decimal up to 2³² − 2: JavaScript lists such keys first, ascending.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n.to_string() == key && n < u32::MAX).then_some(n)
}

/// `+` → space, then `%XX` → byte (malformed escapes kept), bytes read as UTF-8 (lossy).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `querystring.escape`: everything but `A-Za-z0-9 - _ . ! ~ * ' ( )` as uppercase `%XX` of UTF-8.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Every URL form twilio-node's `validateRequest` compares a signature against.
pub fn candidates(url: &str) -> Vec<String> {
    let mut forms = vec![remove_port(url), add_port(url)];
    // `new URL(url)` throws for an unparseable URL: twilio-node then accepts only the forms
    // as received.
    if let Ok(parsed) = url::Url::parse(url) {
        let normalised = parsed.to_string();
        let without = remove_port(&normalised);
        let with = add_port(&normalised);
        forms.push(with_legacy_querystring(&without));
        forms.push(with_legacy_querystring(&with));
        forms.push(without);
        forms.push(with);
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_added_and_removed_as_twilio_node_does() {
        assert_eq!(add_port("https://h/x"), "https://h:443/x");
        assert_eq!(add_port("HTTPS://h?q"), "HTTPS://h:443?q");
        assert_eq!(add_port("http://u:p@h/x"), "http://u:p@h:80/x");
        assert_eq!(add_port("ftp://h/x"), "ftp://h:80/x");
        assert_eq!(add_port("https://h:8443/x"), "https://h:8443/x");
        assert_eq!(add_port("https://[::1]/x"), "https://[::1]:443/x");
        assert_eq!(remove_port("https://u:p@h:8443/x"), "https://u:p@h/x");
        assert_eq!(remove_port("https://a@b@h:1/x:2"), "https://a@b@h/x:2");
        assert_eq!(remove_port("https://[::1]:8/x"), "https://[::1]/x");
        assert_eq!(remove_port("no scheme:1"), "no scheme:1");
    }

    #[test]
    fn legacy_querystring_matches_node() {
        // Expected values printed by Node 20's querystring.stringify(querystring.parse(q)).
        for (q, want) in [
            ("a=1&&b=2", "a=1&b=2"),
            ("=x", "=x"),
            ("a", "a="),
            ("x=%27&y='", "x='&y='"),
            ("a=%zz", "a=%25zz"),
            ("a=1#f%27", "a=1%23f'"),
            ("k=+v+", "k=%20v%20"),
            ("&", ""),
            ("a=b=c", "a=b%3Dc"),
            (
                "z=1&9007199254740991=a&4294967296=c&-1=d&1.5=e&0=f&00=g&4294967294=h",
                "0=f&4294967294=h&z=1&9007199254740991=a&4294967296=c&-1=d&1.5=e&00=g",
            ),
            ("b=1&a=2&b=3", "b=1&b=3&a=2"),
            ("a=%ff", "a=%EF%BF%BD"),
        ] {
            assert_eq!(legacy_querystring(q), want, "{q}");
        }
    }
}
