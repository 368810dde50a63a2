//! How a token is written into a store: JSON, optionally sealed with AES-256-GCM. The store key
//! is the associated data, so a ciphertext copied under another key does not decrypt.

use super::StoredToken;
use crate::error::{Error, ErrorCode, Provider, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

const SEALED_PREFIX: &str = "enc:v1:";

#[derive(Clone, Default)]
pub struct Codec {
    cipher: Option<Aes256Gcm>,
}

fn store_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::StoreError, message).with_provider(Provider::Store)
}

impl Codec {
    pub fn plain() -> Self {
        Codec { cipher: None }
    }

    /// `key`: 32 bytes as 64 hex digits or base64. Anything else is a configuration error (a
    /// passphrase would need a KDF; generate a key with `openssl rand -base64 32`).
    pub fn new(key: Option<&str>) -> Result<Self> {
        let Some(key) = key else {
            return Ok(Self::plain());
        };
        let key = key.trim();
        let bytes = if key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&key[2 * i..2 * i + 2], 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .ok()
        } else {
            STANDARD.decode(key).ok()
        };
        match bytes {
            Some(b) if b.len() == 32 => Ok(Codec {
                cipher: Some(Aes256Gcm::new_from_slice(&b).expect("32-byte key")),
            }),
            _ => Err(Error::config(
                "encryptionKey must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)",
            )),
        }
    }

    pub fn encrypts(&self) -> bool {
        self.cipher.is_some()
    }

    pub fn encode(&self, key: &str, token: &StoredToken) -> Result<String> {
        let json = serde_json::to_string(token)
            .map_err(|e| store_error(format!("cannot serialise the token: {e}")))?;
        let Some(cipher) = &self.cipher else {
            return Ok(json);
        };
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: json.as_bytes(),
                    aad: key.as_bytes(),
                },
            )
            .map_err(|_| store_error("token encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(out)))
    }

    /// Never guesses: unreadable data is an error, not "no token" (that would throw away a
    /// rotating refresh token).
    pub fn decode(&self, key: &str, data: &str) -> Result<StoredToken> {
        let json = match data.strip_prefix(SEALED_PREFIX) {
            Some(sealed) => {
                let cipher = self.cipher.as_ref().ok_or_else(|| {
                    store_error(format!(
                        "the token under {key:?} is encrypted; configure the encryptionKey it was written with"
                    ))
                })?;
                let raw = STANDARD
                    .decode(sealed)
                    .map_err(|_| store_error(format!("the token under {key:?} is damaged")))?;
                if raw.len() < 12 + 16 {
                    return Err(store_error(format!("the token under {key:?} is damaged")));
                }
                let (nonce, body) = raw.split_at(12);
                let plain = cipher
                    .decrypt(
                        Nonce::from_slice(nonce),
                        Payload {
                            msg: body,
                            aad: key.as_bytes(),
                        },
                    )
                    .map_err(|_| {
                        store_error(format!(
                            "cannot decrypt the token under {key:?}: wrong encryptionKey?"
                        ))
                    })?;
                String::from_utf8(plain)
                    .map_err(|_| store_error(format!("the token under {key:?} is damaged")))?
            }
            None => data.to_string(),
        };
        serde_json::from_str(&json).map_err(|_| {
            store_error(format!(
                "the token under {key:?} is not valid uzgate token JSON; refusing to overwrite it"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> StoredToken {
        StoredToken {
            access_token: "access-abc".into(),
            refresh_token: Some("refresh-xyz".into()),
            expires_at_ms: Some(10),
            obtained_at_ms: 1,
            meta: Default::default(),
        }
    }

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_round_trip_hides_the_token() {
        let codec = Codec::new(Some(KEY)).unwrap();
        let data = codec.encode("k", &token()).unwrap();
        assert!(data.starts_with(SEALED_PREFIX));
        assert!(!data.contains("access-abc") && !data.contains("refresh-xyz"));
        assert_eq!(codec.decode("k", &data).unwrap(), token());
    }

    #[test]
    fn the_ciphertext_is_bound_to_its_key_and_key_material() {
        let codec = Codec::new(Some(KEY)).unwrap();
        let data = codec.encode("k", &token()).unwrap();
        assert_eq!(
            codec.decode("other", &data).unwrap_err().code,
            ErrorCode::StoreError
        );
        let other = Codec::new(Some(&STANDARD.encode([7u8; 32]))).unwrap();
        assert_eq!(
            other.decode("k", &data).unwrap_err().code,
            ErrorCode::StoreError
        );
        assert_eq!(
            Codec::plain().decode("k", &data).unwrap_err().code,
            ErrorCode::StoreError
        );
    }

    #[test]
    fn bad_keys_and_garbage_are_errors() {
        assert_eq!(
            Codec::new(Some("short")).err().unwrap().code,
            ErrorCode::Config
        );
        assert_eq!(
            Codec::new(Some(&"ab".repeat(31))).err().unwrap().code,
            ErrorCode::Config
        );
        let plain = Codec::plain();
        assert_eq!(
            plain.decode("k", "{not json").unwrap_err().code,
            ErrorCode::StoreError
        );
        assert_eq!(
            plain.decode("k", "enc:v1:@@@").unwrap_err().code,
            ErrorCode::StoreError
        );
        assert_eq!(
            plain
                .decode("k", &plain.encode("k", &token()).unwrap())
                .unwrap(),
            token()
        );
    }
}
