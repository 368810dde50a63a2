//! `parse_mode: Markdown`, the legacy mode: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````
//! and `[text](url)`; a `\` escapes `` _ * ` [ `` outside entities, and nothing is escaped
//! inside one (an entity ends at its first closing character). Anything left open is TDLib's
//! "Can't find end of the entity starting at byte offset N".

pub(crate) fn parse(text: &str) -> Result<String, String> {
    let t = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        if c == b'\\' && matches!(t.get(i + 1), Some(b'_' | b'*' | b'`' | b'[')) {
            out.push(t[i + 1]);
            i += 2;
            continue;
        }
        if !matches!(c, b'_' | b'*' | b'`' | b'[') {
            out.push(c);
            i += 1;
            continue;
        }
        let begin = i;
        let (close, start): (&[u8], usize) = match c {
            b'`' if t[i..].starts_with(b"```") => (b"```", i + 3),
            b'[' => (b"]", i + 1),
            _ => (&t[i..i + 1], i + 1),
        };
        let Some(len) = t[start..].windows(close.len()).position(|w| w == close) else {
            return Err(format!(
                "Can't find end of the entity starting at byte offset {begin}"
            ));
        };
        out.extend_from_slice(&t[start..start + len]);
        i = start + len + close.len();
        if c == b'[' && t.get(i) == Some(&b'(') {
            match t[i..].iter().position(|b| *b == b')') {
                Some(end) => i += end + 1,
                None => {
                    return Err(format!(
                        "Can't find end of the entity starting at byte offset {begin}"
                    ))
                }
            }
        }
    }
    String::from_utf8(out).map_err(|_| "Strings must be encoded in UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn legacy_entities_and_escapes() {
        assert_eq!(
            parse("*a.b* _c_ `d` [e](http://x) 1.5!").unwrap(),
            "a.b c d e 1.5!"
        );
        assert_eq!(parse(r"snake\_case").unwrap(), "snake_case");
        assert_eq!(
            parse("x *open").unwrap_err(),
            "Can't find end of the entity starting at byte offset 2"
        );
    }
}
