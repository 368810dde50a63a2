//! The one-time migration to the current record format (`uzgate token seal`,
//! `client.sealStoredToken()`): with an encryption key configured, the stores refuse a plain or
//! older sealed record, and this is the only path that reads one. It rewrites the record in the
//! current format under its version + 1 (compare-and-set, so a concurrent refresh wins and the
//! migration reports it), and moves a record found only under the legacy default key.

use super::codec::Format;
use super::{StoreKey, TokenStore};
use crate::error::{Error, ErrorCode, Provider, Result};

/// What the migration did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealing {
    /// The store holds no record under the key or its legacy name (or persists nothing).
    Nothing,
    /// Already in the current format under the current key; untouched.
    Current { version: u64 },
    /// Rewritten in the current format (from a plain or `enc:v1:` record).
    Sealed { version: u64, from: Format },
    /// Moved from the legacy key to the current one (and sealed when a key is configured).
    Moved { version: u64, from: Format },
}

impl Sealing {
    pub fn outcome(&self) -> &'static str {
        match self {
            Sealing::Nothing => "nothing",
            Sealing::Current { .. } => "current",
            Sealing::Sealed { .. } => "sealed",
            Sealing::Moved { .. } => "moved",
        }
    }

    pub fn version(&self) -> Option<u64> {
        match self {
            Sealing::Nothing => None,
            Sealing::Current { version }
            | Sealing::Sealed { version, .. }
            | Sealing::Moved { version, .. } => Some(*version),
        }
    }
}

fn changed_meanwhile() -> Error {
    Error::new(
        ErrorCode::StoreError,
        "the token record changed while it was being sealed (a process refreshed it); run the seal again",
    )
    .with_provider(Provider::Store)
    .with_retryable(true)
}

/// Rewrites the record of `key` in the current format. See the module documentation.
pub async fn seal_record(store: &dyn TokenStore, key: &StoreKey) -> Result<Sealing> {
    let Some(codec) = store.codec() else {
        return Ok(Sealing::Nothing);
    };
    if let Some((version, data)) = store.load_raw(&key.current).await? {
        let (token, format) = codec.decode_any(&key.current, version, &data)?;
        let current = if codec.encrypts() {
            Format::Sealed
        } else {
            Format::Plain
        };
        if format == current {
            return Ok(Sealing::Current { version });
        }
        let data = codec.encode(&key.current, version + 1, &token)?;
        return if store.save_raw(&key.current, version, data).await? {
            Ok(Sealing::Sealed {
                version: version + 1,
                from: format,
            })
        } else {
            Err(changed_meanwhile())
        };
    }
    let Some(legacy) = key.legacy.as_deref() else {
        return Ok(Sealing::Nothing);
    };
    let Some((version, data)) = store.load_raw(legacy).await? else {
        return Ok(Sealing::Nothing);
    };
    let (token, from) = codec.decode_any(legacy, version, &data)?;
    let sealed = codec.encode(&key.current, 1, &token)?;
    if !store.save_raw(&key.current, 0, sealed).await? {
        return Err(changed_meanwhile());
    }
    store.clear(legacy).await?;
    Ok(Sealing::Moved { version: 1, from })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::store::{Codec, FileStore, StoredToken};
    use std::path::PathBuf;

    const KEY: &str = "3333333333333333333333333333333333333333333333333333333333333333";

    fn token() -> StoredToken {
        StoredToken {
            access_token: "access-planted".into(),
            refresh_token: Some("refresh-planted".into()),
            expires_at_ms: None,
            obtained_at_ms: 1,
            refused_at_ms: None,
            meta: Default::default(),
        }
    }

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "uzgate-seal-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("tokens.json")
    }

    #[tokio::test]
    async fn a_plain_record_is_refused_until_sealed_then_read() {
        let path = temp_file("plain");
        let plain = FileStore::new(&path, Codec::plain()).unwrap();
        plain.save("k", 0, &token()).await.unwrap();
        let sealed = FileStore::new(&path, Codec::new(Some(KEY)).unwrap()).unwrap();
        let before = std::fs::read(&path).unwrap();
        assert_eq!(
            sealed.load("k").await.unwrap_err().code,
            ErrorCode::StoreError
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "refused, untouched");

        let key = StoreKey::explicit("k");
        assert_eq!(
            seal_record(&sealed, &key).await.unwrap(),
            Sealing::Sealed {
                version: 2,
                from: Format::Plain
            }
        );
        let raw = std::fs::read_to_string(&path).unwrap();
        assert!(!raw.contains("access-planted") && raw.contains("enc:v2:"));
        assert_eq!(sealed.load("k").await.unwrap().unwrap().token, token());
        // Idempotent.
        assert_eq!(
            seal_record(&sealed, &key).await.unwrap(),
            Sealing::Current { version: 2 }
        );
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[tokio::test]
    async fn a_record_under_the_legacy_key_is_moved_and_the_old_one_removed() {
        let path = temp_file("legacy");
        let plain = FileStore::new(&path, Codec::plain()).unwrap();
        let key = StoreKey::derived("uzgate:eskiz", "ops@example.uz");
        let legacy = key.legacy.clone().unwrap();
        plain.save(&legacy, 0, &token()).await.unwrap();
        let sealed = FileStore::new(&path, Codec::new(Some(KEY)).unwrap()).unwrap();
        assert_eq!(
            seal_record(&sealed, &key).await.unwrap(),
            Sealing::Moved {
                version: 1,
                from: Format::Plain
            }
        );
        let raw = std::fs::read_to_string(&path).unwrap();
        assert!(!raw.contains("ops@example.uz"), "{raw}");
        assert_eq!(
            sealed.load(&key.current).await.unwrap().unwrap().token,
            token()
        );
        assert_eq!(sealed.load(&legacy).await.unwrap(), None);
        assert_eq!(
            seal_record(&sealed, &key).await.unwrap().outcome(),
            "current"
        );
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[tokio::test]
    async fn a_foreign_sealed_record_is_not_sealed_over() {
        let path = temp_file("foreign");
        let sealed = FileStore::new(&path, Codec::new(Some(KEY)).unwrap()).unwrap();
        sealed.save("a", 0, &token()).await.unwrap();
        let other = FileStore::new(&path, Codec::new(Some(&"44".repeat(32))).unwrap()).unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = seal_record(&other, &StoreKey::explicit("a"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StoreError);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
