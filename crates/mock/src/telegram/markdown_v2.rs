//! `parse_mode: MarkdownV2`, read the way TDLib's parser reads it: a `\` escapes any
//! character of code 1–126; outside code spans the 18 characters `` _*[]()~`>#+-=|{}.! ``
//! either open or close an entity or are an error; inside `code`/`pre` only `` ` `` is
//! special. The result is the text a reader sees (escapes and markup removed).
//!
//! Not imitated: the entity list itself (offsets are not computed), nesting rules between
//! entity kinds, URL checks of `[text](url)` and custom emoji ids, and the `**>` expandable
//! quote (a `>` opening a line is read as a plain block quote marker).

const RESERVED: &[u8] = b"_*[]()~`>#+-=|{}.!";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    Code,
    Pre,
    PreCode,
    TextUrl,
    CustomEmoji,
}

impl Kind {
    /// TDLib's name of the entity type, as it appears in its error messages.
    fn name(self) -> &'static str {
        match self {
            Kind::Bold => "Bold",
            Kind::Italic => "Italic",
            Kind::Underline => "Underline",
            Kind::Strikethrough => "Strikethrough",
            Kind::Spoiler => "Spoiler",
            Kind::Code => "Code",
            Kind::Pre => "Pre",
            Kind::PreCode => "PreCode",
            Kind::TextUrl => "TextUrl",
            Kind::CustomEmoji => "CustomEmoji",
        }
    }
}

fn reserved(c: u8) -> String {
    format!(
        "Character '{}' is reserved and must be escaped with the preceding '\\'",
        c as char
    )
}

/// The visible text, or TDLib's message for the first problem.
pub(crate) fn parse(text: &str) -> Result<String, String> {
    let t = text.as_bytes();
    let at = |i: usize| t.get(i).copied().unwrap_or(0);
    let escapable = |b: u8| (1..=126).contains(&b);
    let mut out: Vec<u8> = Vec::with_capacity(t.len());
    // Open entities: kind and the byte offset where it began.
    let mut open: Vec<(Kind, usize)> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        if c == b'\\' && escapable(at(i + 1)) {
            out.push(t[i + 1]);
            i += 2;
            continue;
        }
        let in_code = matches!(
            open.last(),
            Some((Kind::Code | Kind::Pre | Kind::PreCode, _))
        );
        let special = if in_code {
            c == b'`'
        } else {
            RESERVED.contains(&c)
        };
        if !special {
            out.push(c);
            i += 1;
            continue;
        }
        if c == b'>' && open.is_empty() && (i == 0 || t[i - 1] == b'\n') {
            i += 1; // a block quote line
            continue;
        }
        let closes = open.last().is_some_and(|(kind, _)| match kind {
            Kind::Bold => c == b'*',
            Kind::Italic => c == b'_' && at(i + 1) != b'_',
            Kind::Underline => c == b'_' && at(i + 1) == b'_',
            Kind::Strikethrough => c == b'~',
            Kind::Spoiler => c == b'|' && at(i + 1) == b'|',
            Kind::Code => c == b'`',
            Kind::Pre | Kind::PreCode => c == b'`' && at(i + 1) == b'`' && at(i + 2) == b'`',
            Kind::TextUrl | Kind::CustomEmoji => c == b']',
        });
        if closes {
            let (kind, _) = open.pop().unwrap_or((Kind::Bold, 0));
            i = match kind {
                Kind::Underline | Kind::Spoiler => i + 2,
                Kind::Pre | Kind::PreCode => i + 3,
                Kind::TextUrl | Kind::CustomEmoji => link_end(t, i + 1)?,
                _ => i + 1,
            };
            continue;
        }
        let begin = i;
        let kind = match c {
            b'_' if at(i + 1) == b'_' => Kind::Underline,
            b'_' => Kind::Italic,
            b'*' => Kind::Bold,
            b'~' => Kind::Strikethrough,
            b'|' if at(i + 1) == b'|' => Kind::Spoiler,
            b'[' => Kind::TextUrl,
            b'!' if at(i + 1) == b'[' => Kind::CustomEmoji,
            b'`' if at(i + 1) == b'`' && at(i + 2) == b'`' => {
                let (kind, next) = pre_start(t, i + 3);
                open.push((kind, begin));
                i = next;
                continue;
            }
            b'`' => Kind::Code,
            other => return Err(reserved(other)),
        };
        open.push((kind, begin));
        i += match kind {
            Kind::Underline | Kind::Spoiler | Kind::CustomEmoji => 2,
            _ => 1,
        };
    }
    if let Some((kind, begin)) = open.last() {
        return Err(format!(
            "Can't find end of {} entity at byte offset {begin}",
            kind.name()
        ));
    }
    String::from_utf8(out).map_err(|_| "Strings must be encoded in UTF-8".into())
}

/// After an opening ```` ``` ````: an optional language up to the first space, then one line
/// break skipped. Returns the kind and where the content starts.
fn pre_start(t: &[u8], mut i: usize) -> (Kind, usize) {
    let at = |i: usize| t.get(i).copied().unwrap_or(0);
    let mut kind = Kind::Pre;
    let mut end = i;
    while end < t.len() && !at(end).is_ascii_whitespace() && at(end) != b'`' {
        end += 1;
    }
    if end != i && end < t.len() && at(end) != b'`' {
        kind = Kind::PreCode;
        i = end;
    }
    if matches!(at(i), b'\n' | b'\r') {
        i += if matches!(at(i + 1), b'\n' | b'\r') && at(i) != at(i + 1) {
            2
        } else {
            1
        };
    }
    (kind, i)
}

/// After the `]` of a link: `(url)` with `\)` and `\\` escaped, or nothing (the text is
/// the URL). Returns where the text continues.
fn link_end(t: &[u8], i: usize) -> Result<usize, String> {
    if t.get(i) != Some(&b'(') {
        return Ok(i);
    }
    let url_begin = i + 1;
    let mut j = url_begin;
    while j < t.len() && t[j] != b')' {
        j += if t[j] == b'\\' && t.get(j + 1).is_some_and(|b| (1..=126).contains(b)) {
            2
        } else {
            1
        };
    }
    if j >= t.len() {
        return Err(format!(
            "Can't find end of a URL at byte offset {url_begin}"
        ));
    }
    Ok(j + 1)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn escaped_text_comes_out_plain() {
        assert_eq!(
            parse(r"Balance 1\.5 UZS \(low\) \- top up\!").unwrap(),
            "Balance 1.5 UZS (low) - top up!"
        );
        assert_eq!(parse(r"a\\b \_ \`").unwrap(), r"a\b _ `");
        assert_eq!(parse("Привет, мир").unwrap(), "Привет, мир");
    }

    #[test]
    fn every_reserved_character_must_be_escaped() {
        for c in ["#", "+", "-", "=", "{", "}", ".", "!", "(", ")", "]", "|"] {
            assert_eq!(
                parse(&format!("a {c} b")).unwrap_err(),
                format!("Character '{c}' is reserved and must be escaped with the preceding '\\'")
            );
        }
    }

    #[test]
    fn entities_are_read_and_unclosed_ones_reported() {
        assert_eq!(
            parse("*bold* _it_ __u__ ~s~ ||sp||").unwrap(),
            "bold it u s sp"
        );
        assert_eq!(
            parse("`a.b` ```rust\nfn x() {}```").unwrap(),
            "a.b fn x() {}"
        );
        assert_eq!(parse(r"[docs](https://x.y/a\)b) end").unwrap(), "docs end");
        assert_eq!(parse(">quoted\n>more").unwrap(), "quoted\nmore");
        assert_eq!(
            parse("*bold").unwrap_err(),
            "Can't find end of Bold entity at byte offset 0"
        );
        assert_eq!(
            parse("ok _it").unwrap_err(),
            "Can't find end of Italic entity at byte offset 3"
        );
        assert_eq!(
            parse("[a](http://x").unwrap_err(),
            "Can't find end of a URL at byte offset 4"
        );
    }
}
