//! How many SMS parts a text costs (GSM 03.38): GSM-7 fits 160 septets in one part and 153 per
//! part when split; one character outside the GSM alphabet (Cyrillic, `ʻ`, emoji) switches the
//! whole text to UCS-2: 70 per part, 67 when split. Extension characters cost two septets.

/// The encoding a text will be sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    pub encoding: Encoding,
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    pub units: usize,
    pub segments: u32,
}

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{c}";

fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts parts the way operators bill them.
pub fn count(text: &str) -> SegmentInfo {
    let septets: Option<usize> = text.chars().map(gsm7_septets).sum();
    let (encoding, units, single, multi) = match septets {
        Some(n) => (Encoding::Gsm7, n, 160, 153),
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let segments = if units <= single {
        1
    } else {
        units.div_ceil(multi) as u32
    };
    SegmentInfo {
        encoding,
        units,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(count(&"a".repeat(160)).segments, 1);
        assert_eq!(count(&"a".repeat(161)).segments, 2);
        assert_eq!(count(&"a".repeat(306)).segments, 2);
        assert_eq!(count(&"a".repeat(307)).segments, 3);
        assert_eq!(count("").segments, 1);
    }

    #[test]
    fn ucs2_boundaries() {
        let info = count(&"д".repeat(70));
        assert_eq!((info.encoding, info.segments), (Encoding::Ucs2, 1));
        assert_eq!(count(&"д".repeat(71)).segments, 2);
        assert_eq!(count(&"д".repeat(134)).segments, 2);
        assert_eq!(count(&"д".repeat(135)).segments, 3);
    }

    #[test]
    fn reference_example_109_cyrillic_chars_is_two_parts() {
        assert_eq!(count(&"ж".repeat(109)).segments, 2);
    }

    #[test]
    fn extension_characters_cost_two_septets() {
        let info = count(&"€".repeat(80));
        assert_eq!(
            (info.encoding, info.units, info.segments),
            (Encoding::Gsm7, 160, 1)
        );
        assert_eq!(count(&format!("{}{}", "a".repeat(159), "[")).segments, 2);
    }

    #[test]
    fn one_uzbek_okina_forces_ucs2() {
        let info = count("Toʻlov qabul qilindi");
        assert_eq!(info.encoding, Encoding::Ucs2);
        let plain = count("To'lov qabul qilindi");
        assert_eq!(plain.encoding, Encoding::Gsm7);
    }

    #[test]
    fn emoji_count_as_two_utf16_units() {
        assert_eq!(count(&"😀".repeat(35)).units, 70);
        assert_eq!(count(&"😀".repeat(36)).segments, 2);
    }
}
