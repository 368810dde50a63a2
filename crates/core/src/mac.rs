//! HMAC-SHA256 in lowercase hex over several parts fed in order: OTP code digests and alert
//! webhook signatures both need exactly this.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn hmac_sha256_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
