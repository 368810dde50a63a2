//! Codes and their HMACs.

use rand::Rng;

/// `length` uniform decimal digits from the thread's CSPRNG (`random_range` has no modulo bias).
pub fn generate(length: u8) -> String {
    let mut rng = rand::rng();
    (0..length)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// `HMAC-SHA256(secret, challenge ‖ 0 ‖ phone ‖ 0 ‖ code)`, hex. Binding the challenge id and the
/// phone means a code (or a stolen HMAC) is worth nothing for another send or number.
pub fn digest(secret: &[u8], challenge_id: &str, phone: &str, code: &str) -> String {
    crate::mac::hmac_sha256_hex(
        secret,
        &[
            challenge_id.as_bytes(),
            &[0],
            phone.as_bytes(),
            &[0],
            code.as_bytes(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_of_the_length_and_spread() {
        let mut counts = [0usize; 10];
        for _ in 0..2000 {
            let c = generate(6);
            assert_eq!(c.len(), 6);
            for b in c.bytes() {
                counts[(b - b'0') as usize] += 1;
            }
        }
        // 12,000 digits: each appears roughly 1,200 times.
        assert!(
            counts.iter().all(|&n| (900..1500).contains(&n)),
            "{counts:?}"
        );
    }

    #[test]
    fn digests_bind_challenge_phone_and_code() {
        let d = digest(b"k", "c1", "+998901234567", "123456");
        assert_eq!(d.len(), 64);
        assert_ne!(d, digest(b"k", "c2", "+998901234567", "123456"));
        assert_ne!(d, digest(b"k", "c1", "+998901234568", "123456"));
        assert_ne!(d, digest(b"k", "c1", "+998901234567", "123457"));
        assert_ne!(d, digest(b"other", "c1", "+998901234567", "123456"));
        assert_eq!(d, digest(b"k", "c1", "+998901234567", "123456"));
    }
}
