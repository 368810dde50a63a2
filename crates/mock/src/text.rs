//! SMS parts counting (GSM 03.38 / UCS-2), as operators bill it: Eskiz's parts and Twilio's
//! `num_segments` follow the same rule.
//!
//! A text that only uses the GSM-7 alphabet fits 160 septets in one SMS and 153 per part
//! once split (the rest of each part carries the concatenation header); the extension
//! characters `^ { } \ [ ~ ] | €` and form feed take two septets (escape + char). Any
//! other character switches the whole text to UCS-2: 70 UTF-16 units in one SMS, 67 per
//! part. Splitting never separates an escape pair or a surrogate pair, as real encoders do.

/// SMPP `data_coding` values, as Eskiz reports them (`encoding` in history rows).
pub(crate) const ENCODING_GSM: u8 = 0;
pub(crate) const ENCODING_ASCII: u8 = 1;
pub(crate) const ENCODING_UCS2: u8 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segments {
    pub parts: u32,
    pub encoding: u8,
    /// Septets (GSM) or UTF-16 units (UCS-2).
    pub units: u32,
    /// What `/message/sms/check` calls `bytes_count`: septets, or two bytes per UCS-2 unit.
    pub bytes: u32,
    pub chars: u32,
}

/// Septets a character takes in GSM-7, or `None` if it is not in the alphabet.
pub(crate) fn gsm_septets(c: char) -> Option<u32> {
    match c {
        '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€' | '\u{0C}' => Some(2),
        '\n' | '\r' | ' '..='_' | 'a'..='z' => Some(1),
        '£' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | 'Ø' | 'ø' | 'Å' | 'å' | 'Δ' | 'Φ' | 'Γ'
        | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' | 'Æ' | 'æ' | 'ß' | 'É' | '¤' | '¡' | 'Ä'
        | 'Ö' | 'Ñ' | 'Ü' | '§' | '¿' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à' => Some(1),
        _ => None,
    }
}

/// Counts the parts of `text`; `force_ucs2` is send-global's `unicode=1`.
pub(crate) fn segments(text: &str, force_ucs2: bool) -> Segments {
    let chars = text.chars().count() as u32;
    let gsm: Option<Vec<u32>> = if force_ucs2 {
        None
    } else {
        text.chars().map(gsm_septets).collect()
    };
    match gsm {
        Some(widths) => {
            let units: u32 = widths.iter().sum();
            let encoding = if text.is_ascii() {
                ENCODING_ASCII
            } else {
                ENCODING_GSM
            };
            Segments {
                parts: split(&widths, units, 160, 153),
                encoding,
                units,
                bytes: units,
                chars,
            }
        }
        None => {
            let widths: Vec<u32> = text.chars().map(|c| c.len_utf16() as u32).collect();
            let units: u32 = widths.iter().sum();
            Segments {
                parts: split(&widths, units, 70, 67),
                encoding: ENCODING_UCS2,
                units,
                bytes: units * 2,
                chars,
            }
        }
    }
}

/// Parts needed for characters of the given widths: one if all fit `single`, else filled
/// greedily with `per_part` units without splitting a character.
fn split(widths: &[u32], total: u32, single: u32, per_part: u32) -> u32 {
    if total <= single {
        return 1;
    }
    let mut parts = 1;
    let mut used = 0;
    for &w in widths {
        if used + w > per_part {
            parts += 1;
            used = 0;
        }
        used += w;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> u32 {
        segments(text, false).parts
    }

    #[test]
    fn latin_boundaries() {
        assert_eq!(parts(&"a".repeat(160)), 1);
        assert_eq!(parts(&"a".repeat(161)), 2);
        assert_eq!(parts(&"a".repeat(306)), 2);
        assert_eq!(parts(&"a".repeat(307)), 3);
        assert_eq!(segments("Eskiz test", false).encoding, ENCODING_ASCII);
        assert_eq!(segments("café", false).encoding, ENCODING_GSM);
    }

    #[test]
    fn cyrillic_boundaries() {
        assert_eq!(parts(&"д".repeat(70)), 1);
        assert_eq!(parts(&"д".repeat(71)), 2);
        assert_eq!(parts(&"д".repeat(134)), 2);
        assert_eq!(parts(&"д".repeat(135)), 3);
        let s = segments(&"д".repeat(109), false);
        assert_eq!((s.bytes, s.parts, s.encoding), (218, 2, ENCODING_UCS2));
    }

    #[test]
    fn extension_characters_cost_two_septets() {
        assert_eq!(segments(&"{".repeat(80), false).units, 160);
        assert_eq!(parts(&"{".repeat(80)), 1);
        assert_eq!(parts(&format!("{}a", "{".repeat(80))), 2);
        // 152 plain septets + an escape pair: the pair may not straddle the part border.
        assert_eq!(parts(&format!("{}€{}", "a".repeat(152), "a".repeat(20))), 2);
        assert_eq!(
            parts(&format!("{}€{}", "a".repeat(152), "a".repeat(152))),
            3
        );
    }

    #[test]
    fn one_foreign_character_switches_to_ucs2() {
        let s = segments(&format!("{}ʻ", "a".repeat(69)), false);
        assert_eq!((s.encoding, s.parts), (ENCODING_UCS2, 1));
        assert_eq!(parts(&format!("{}ʻ", "a".repeat(70))), 2);
        assert_eq!(parts("`"), 1);
        assert_eq!(segments("`", false).encoding, ENCODING_UCS2);
        // An emoji is a surrogate pair: two units.
        assert_eq!(segments("😀", false).units, 2);
        assert_eq!(segments("hi", true).encoding, ENCODING_UCS2);
    }
}
