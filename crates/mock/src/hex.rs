//! Lower-case hexadecimal, for random ids, SIDs and digests.

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_every_nibble() {
        assert_eq!(super::hex(&[0x01, 0xab, 0xff, 0x00]), "01abff00");
    }
}
