//! How a token is written into a store: JSON, or sealed with AES-256-GCM when an encryption key
//! is configured. A sealed record is bound to its store key and its version (the associated
//! data), so a ciphertext copied under another key, or an older record replayed under a newer
//! version, does not decrypt.
//!
//! With a key configured, encryption means integrity too: a record that is not sealed in the
//! current format (plain JSON, or the older `enc:v1:` bound to the key only) is refused, never
//! used. [`Codec::decode_any`] reads those once, for the explicit migration (`uzgate token seal`).

use super::StoredToken;
use crate::error::{Error, ErrorCode, Provider, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

/// The current sealed format: associated data = key and version.
const SEALED: &str = "enc:v2:";
/// The first sealed format: associated data = key only (replayable across versions).
const SEALED_V1: &str = "enc:v1:";
const NONCE: usize = 12;
const TAG: usize = 16;

/// What the migration must tell the operator: how to seal a record the codec refuses.
pub const SEAL_HINT: &str =
    "run `uzgate token seal` (or `client.sealStoredToken()`) once, with the same store and encryptionKey, to seal it";

#[derive(Clone, Default)]
pub struct Codec {
    cipher: Option<Aes256Gcm>,
}

fn store_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::StoreError, message).with_provider(Provider::Store)
}

/// How a record was written, as far as the migration cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON in clear.
    Plain,
    /// `enc:v1:` (bound to the key, not the version).
    SealedV1,
    /// The current format.
    Sealed,
}

/// The associated data of a sealed record: a format label, the store key and the version the
/// record is stored as. NUL separates them (a store key never holds one in practice, and the
/// version is last, so no two (key, version) pairs give the same bytes).
fn associated_data(key: &str, version: u64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(key.len() + 32);
    aad.extend_from_slice(b"uzgate-token/2\0");
    aad.extend_from_slice(key.as_bytes());
    aad.push(0);
    aad.extend_from_slice(version.to_string().as_bytes());
    aad
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

    /// The record to store under `key` as `version` (the version the store will give it: the
    /// expected one + 1).
    pub fn encode(&self, key: &str, version: u64, token: &StoredToken) -> Result<String> {
        let json = serde_json::to_string(token)
            .map_err(|e| store_error(format!("cannot serialise the token: {e}")))?;
        let Some(cipher) = &self.cipher else {
            return Ok(json);
        };
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let aad = associated_data(key, version);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: json.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| store_error("token encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED}{}", STANDARD.encode(out)))
    }

    /// The token stored under `key` as `version`. Never guesses: unreadable data is an error,
    /// not "no token" (that would throw away a rotating refresh token), and with a key
    /// configured only a record sealed in the current format for this key and version is used.
    pub fn decode(&self, key: &str, version: u64, data: &str) -> Result<StoredToken> {
        match (self.format(data), &self.cipher) {
            (Format::Sealed, Some(_)) => self.open(key, version, data),
            (Format::Plain, None) => parse(key, data),
            (Format::Plain, Some(_)) => Err(store_error(format!(
                "the token under {key:?} is not sealed although an encryptionKey is configured; \
                 it was refused and left untouched. If you wrote it yourself (or before setting \
                 the key), {SEAL_HINT}; otherwise someone else wrote it: authorise again"
            ))),
            (Format::SealedV1, Some(_)) => Err(store_error(format!(
                "the token under {key:?} is sealed in the older enc:v1 format, which does not \
                 bind the record's version; it was refused and left untouched: {SEAL_HINT}"
            ))),
            (_, None) => Err(store_error(format!(
                "the token under {key:?} is encrypted; configure the encryptionKey it was written with"
            ))),
        }
    }

    /// For the one-time migration only: reads a plain, `enc:v1:` or current record (a sealed
    /// one still has to authenticate under this key) and says which it was.
    pub fn decode_any(&self, key: &str, version: u64, data: &str) -> Result<(StoredToken, Format)> {
        let format = self.format(data);
        let token = match (format, &self.cipher) {
            (Format::Plain, _) => parse(key, data)?,
            (Format::Sealed, Some(_)) => self.open(key, version, data)?,
            (Format::SealedV1, Some(c)) => {
                let json = unseal(c, &data[SEALED_V1.len()..], key.as_bytes(), key)?;
                parse(key, &json)?
            }
            (_, None) => {
                return Err(store_error(format!(
                    "the token under {key:?} is encrypted; configure the encryptionKey it was written with"
                )))
            }
        };
        Ok((token, format))
    }

    fn format(&self, data: &str) -> Format {
        if data.starts_with(SEALED) {
            Format::Sealed
        } else if data.starts_with(SEALED_V1) {
            Format::SealedV1
        } else {
            Format::Plain
        }
    }

    fn open(&self, key: &str, version: u64, data: &str) -> Result<StoredToken> {
        let cipher = self.cipher.as_ref().expect("checked by the caller");
        let aad = associated_data(key, version);
        let json = unseal(cipher, &data[SEALED.len()..], &aad, key)?;
        parse(key, &json)
    }
}

fn unseal(cipher: &Aes256Gcm, sealed: &str, aad: &[u8], key: &str) -> Result<String> {
    let damaged = || store_error(format!("the token under {key:?} is damaged"));
    let raw = STANDARD.decode(sealed).map_err(|_| damaged())?;
    if raw.len() < NONCE + TAG {
        return Err(damaged());
    }
    let (nonce, body) = raw.split_at(NONCE);
    let plain = cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
        .map_err(|_| {
            store_error(format!(
                "cannot decrypt the token under {key:?}: it was sealed with another encryptionKey, \
                 under another key or as another version (copied or replayed); it was refused and \
                 left untouched"
            ))
        })?;
    String::from_utf8(plain).map_err(|_| damaged())
}

fn parse(key: &str, json: &str) -> Result<StoredToken> {
    serde_json::from_str(json).map_err(|_| {
        store_error(format!(
            "the token under {key:?} is not valid uzgate token JSON; refusing to overwrite it"
        ))
    })
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
            refused_at_ms: None,
            meta: Default::default(),
        }
    }

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn sealed() -> Codec {
        Codec::new(Some(KEY)).unwrap()
    }

    /// An `enc:v1:` record as the first format wrote it (key-only associated data).
    fn v1_record(codec: &Codec, key: &str) -> String {
        let json = serde_json::to_string(&token()).unwrap();
        let nonce = [9u8; NONCE];
        let body = codec
            .cipher
            .as_ref()
            .unwrap()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: json.as_bytes(),
                    aad: key.as_bytes(),
                },
            )
            .unwrap();
        format!(
            "{SEALED_V1}{}",
            STANDARD.encode([&nonce[..], &body].concat())
        )
    }

    fn code(r: Result<StoredToken>) -> ErrorCode {
        r.unwrap_err().code
    }

    #[test]
    fn sealed_round_trip_hides_the_token() {
        let codec = sealed();
        let data = codec.encode("k", 3, &token()).unwrap();
        assert!(data.starts_with(SEALED));
        assert!(!data.contains("access-abc") && !data.contains("refresh-xyz"));
        assert_eq!(codec.decode("k", 3, &data).unwrap(), token());
        assert_eq!(
            codec.decode_any("k", 3, &data).unwrap(),
            (token(), Format::Sealed)
        );
    }

    #[test]
    fn an_unsealed_record_is_refused_when_a_key_is_configured() {
        let plain = Codec::plain().encode("k", 1, &token()).unwrap();
        let err = sealed().decode("k", 1, &plain).unwrap_err();
        assert_eq!(err.code, ErrorCode::StoreError);
        assert!(err.message.contains("uzgate token seal"), "{}", err.message);
        assert!(!err.message.contains("access-abc"), "{}", err.message);
        // The migration reads it, and says it was plain.
        assert_eq!(
            sealed().decode_any("k", 1, &plain).unwrap(),
            (token(), Format::Plain)
        );
    }

    #[test]
    fn a_record_sealed_under_another_store_key_is_refused() {
        let codec = sealed();
        let data = codec.encode("uzgate:amocrm:aaaa", 1, &token()).unwrap();
        assert_eq!(
            code(codec.decode("uzgate:amocrm:bbbb", 1, &data)),
            ErrorCode::StoreError
        );
        assert!(codec.decode_any("uzgate:amocrm:bbbb", 1, &data).is_err());
    }

    #[test]
    fn a_record_sealed_with_another_encryption_key_is_refused() {
        let data = sealed().encode("k", 1, &token()).unwrap();
        let other = Codec::new(Some(&STANDARD.encode([7u8; 32]))).unwrap();
        assert_eq!(code(other.decode("k", 1, &data)), ErrorCode::StoreError);
        assert_eq!(
            code(Codec::plain().decode("k", 1, &data)),
            ErrorCode::StoreError
        );
    }

    #[test]
    fn an_older_record_replayed_under_a_newer_version_is_refused() {
        let codec = sealed();
        let old = codec.encode("k", 4, &token()).unwrap();
        assert_eq!(code(codec.decode("k", 5, &old)), ErrorCode::StoreError);
        assert_eq!(code(codec.decode("k", 9, &old)), ErrorCode::StoreError);
        assert!(codec.decode_any("k", 5, &old).is_err());
        assert_eq!(codec.decode("k", 4, &old).unwrap(), token());
    }

    #[test]
    fn the_first_sealed_format_is_read_by_the_migration_only() {
        let codec = sealed();
        let v1 = v1_record(&codec, "k");
        let err = codec.decode("k", 1, &v1).unwrap_err();
        assert_eq!(err.code, ErrorCode::StoreError);
        assert!(err.message.contains("uzgate token seal"), "{}", err.message);
        assert_eq!(
            codec.decode_any("k", 1, &v1).unwrap(),
            (token(), Format::SealedV1)
        );
        // Still bound to its key.
        assert!(codec.decode_any("other", 1, &v1).is_err());
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
            code(plain.decode("k", 1, "{not json")),
            ErrorCode::StoreError
        );
        assert_eq!(
            code(plain.decode("k", 1, "enc:v2:@@@")),
            ErrorCode::StoreError
        );
        assert_eq!(
            code(sealed().decode("k", 1, "enc:v2:@@@")),
            ErrorCode::StoreError
        );
        assert_eq!(
            code(sealed().decode("k", 1, "enc:v2:AAAA")),
            ErrorCode::StoreError
        );
        assert_eq!(
            plain
                .decode("k", 1, &plain.encode("k", 1, &token()).unwrap())
                .unwrap(),
            token()
        );
    }
}
