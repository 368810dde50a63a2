//! `parse_mode: HTML`, read the way TDLib's parser reads it: the tags of the Bot API's list
//! (anything else is an error), attributes as `name=value`, `name="value"` or `name='value'`,
//! and the character references `&lt; &gt; &amp; &quot;` and `&#…;`/`&#x…;`. As on
//! Telegram, an `&` that starts no known reference stays a literal `&`, while a bare `<` is
//! an unsupported (empty) start tag. The result is the text a reader sees.
//!
//! Not imitated: the entity list (offsets), the checks of `href` URLs and `tg-emoji` ids,
//! and nesting rules between entity kinds.

const TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "pre",
    "code",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "blockquote",
];

fn at(t: &[u8], i: usize) -> u8 {
    t.get(i).copied().unwrap_or(0)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

/// A character reference at `pos` (which holds `&`): the character and where the text
/// continues, or `None` when it is not one Telegram understands.
fn reference(t: &[u8], pos: usize) -> Option<(u32, usize)> {
    let mut end = pos + 1;
    let mut value: u32 = 0;
    if at(t, end) == b'#' {
        end += 1;
        let hex = at(t, end) == b'x';
        if hex {
            end += 1;
        }
        while (hex && at(t, end).is_ascii_hexdigit()) || (!hex && at(t, end).is_ascii_digit()) {
            let digit = (at(t, end) as char).to_digit(16)?;
            value = value
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(digit);
            end += 1;
        }
        if value == 0 || value >= 0x10ffff || end - pos >= 10 {
            return None;
        }
    } else {
        while at(t, end).is_ascii_alphabetic() {
            end += 1;
        }
        value = match &t[pos + 1..end] {
            b"lt" => '<' as u32,
            b"gt" => '>' as u32,
            b"amp" => '&' as u32,
            b"quot" => '"' as u32,
            _ => return None,
        };
    }
    if at(t, end) == b';' {
        end += 1;
    }
    Some((value, end))
}

/// The visible text, or TDLib's message for the first problem.
pub(crate) fn parse(text: &str) -> Result<String, String> {
    let t = text.as_bytes();
    let mut out = String::with_capacity(t.len());
    let mut raw: Vec<u8> = Vec::new(); // plain bytes not yet moved into `out`
    let mut open: Vec<String> = Vec::new();
    let flush = |raw: &mut Vec<u8>, out: &mut String| {
        out.push_str(&String::from_utf8_lossy(raw));
        raw.clear();
    };
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        if c == b'&' {
            if let Some((value, next)) = reference(t, i) {
                let Some(ch) = char::from_u32(value) else {
                    return Err("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units".into());
                };
                flush(&mut raw, &mut out);
                out.push(ch);
                i = next;
                continue;
            }
        }
        if c != b'<' {
            raw.push(c);
            i += 1;
            continue;
        }
        let begin = i;
        i += 1;
        if at(t, i) != b'/' {
            while i < t.len() && !is_space(at(t, i)) && at(t, i) != b'>' {
                i += 1;
            }
            if i >= t.len() {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            let name = String::from_utf8_lossy(&t[begin + 1..i]).to_ascii_lowercase();
            if !TAGS.contains(&name.as_str()) {
                return Err(format!(
                    "Unsupported start tag \"{name}\" at byte offset {begin}"
                ));
            }
            let mut class = String::new();
            i = attributes(t, i, &name, begin, &mut class)?;
            if name == "span" && class != "tg-spoiler" {
                return Err(format!(
                    "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
                ));
            }
            open.push(name);
            i += 1; // the `>`
        } else {
            let Some(expected) = open.pop() else {
                return Err(format!("Unexpected end tag at byte offset {begin}"));
            };
            while i < t.len() && !is_space(at(t, i)) && at(t, i) != b'>' {
                i += 1;
            }
            let name = String::from_utf8_lossy(&t[begin + 2..i.min(t.len())]).into_owned();
            while is_space(at(t, i)) {
                i += 1;
            }
            if at(t, i) != b'>' {
                return Err(format!("Unclosed end tag at byte offset {begin}"));
            }
            if !name.is_empty() && name != expected {
                return Err(format!(
                    "Unmatched end tag at byte offset {begin}, expected \"</{expected}>\", found \"</{name}>\""
                ));
            }
            i += 1;
        }
    }
    if let Some(name) = open.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag {name}"
        ));
    }
    flush(&mut raw, &mut out);
    Ok(out)
}

/// Reads the attributes of a start tag from `i` up to its `>`; returns the `>`'s position.
fn attributes(
    t: &[u8],
    mut i: usize,
    tag: &str,
    begin: usize,
    class: &mut String,
) -> Result<usize, String> {
    loop {
        while i < t.len() && is_space(at(t, i)) {
            i += 1;
        }
        if at(t, i) == b'>' {
            return Ok(i);
        }
        let name_begin = i;
        while i < t.len() && !is_space(at(t, i)) && at(t, i) != b'=' {
            i += 1;
        }
        let name = &t[name_begin..i];
        if name.is_empty() {
            return Err(format!(
                "Empty attribute name in the tag \"{tag}\" at byte offset {begin}"
            ));
        }
        while i < t.len() && is_space(at(t, i)) {
            i += 1;
        }
        if at(t, i) != b'=' {
            return Err(format!(
                "Expected equal sign in declaration of an attribute of the tag \"{tag}\" at byte offset {begin}"
            ));
        }
        i += 1;
        while i < t.len() && is_space(at(t, i)) {
            i += 1;
        }
        if i >= t.len() {
            return Err(format!(
                "Unclosed start tag \"{tag}\" at byte offset {begin}"
            ));
        }
        let value_begin;
        let value_end;
        if matches!(at(t, i), b'"' | b'\'') {
            let quote = at(t, i);
            value_begin = i + 1;
            i += 1;
            while i < t.len() && at(t, i) != quote {
                i += 1;
            }
            value_end = i;
            if i < t.len() {
                i += 1;
            }
        } else {
            value_begin = i;
            while at(t, i).is_ascii_alphanumeric() || matches!(at(t, i), b'.' | b'-') {
                i += 1;
            }
            value_end = i;
            if !is_space(at(t, i)) && at(t, i) != b'>' {
                return Err(format!(
                    "Unexpected end of name token at byte offset {value_begin}"
                ));
            }
        }
        if i >= t.len() {
            return Err(format!("Unclosed start tag at byte offset {begin}"));
        }
        if name.eq_ignore_ascii_case(b"class") {
            *class = String::from_utf8_lossy(&t[value_begin..value_end]).to_ascii_lowercase();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn tags_and_references_are_read() {
        assert_eq!(
            parse("<b>Eskiz</b> balance &lt; 1000 &amp;&#33; <a href=\"https://x.y/?a=1&amp;b\">top up</a>")
                .unwrap(),
            "Eskiz balance < 1000 &! top up"
        );
        assert_eq!(
            parse("<span class=\"tg-spoiler\">s</span><tg-spoiler>t</tg-spoiler>").unwrap(),
            "st"
        );
        assert_eq!(
            parse("<pre><code class=\"language-rust\">x</code></pre>").unwrap(),
            "x"
        );
        // An `&` that starts no reference stays literal, as on Telegram.
        assert_eq!(parse("R&D &copy; a>b").unwrap(), "R&D &copy; a>b");
    }

    #[test]
    fn errors_carry_telegrams_messages() {
        assert_eq!(
            parse("1 < 2").unwrap_err(),
            "Unsupported start tag \"\" at byte offset 2"
        );
        assert_eq!(
            parse("<p>x</p>").unwrap_err(),
            "Unsupported start tag \"p\" at byte offset 0"
        );
        assert_eq!(
            parse("<b>x</i>").unwrap_err(),
            "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""
        );
        assert_eq!(
            parse("x</b>").unwrap_err(),
            "Unexpected end tag at byte offset 1"
        );
        assert_eq!(
            parse("<b>x").unwrap_err(),
            "Can't find end tag corresponding to start tag b"
        );
        assert_eq!(
            parse("<b").unwrap_err(),
            "Unclosed start tag at byte offset 0"
        );
        assert_eq!(
            parse("<span>x</span>").unwrap_err(),
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
        );
    }
}
