//! Tokens in a JSON file shared by the processes of one host.
//!
//! * Writes: `flock` on a sidecar `<file>.lock` (the data file itself is replaced by rename, so
//!   a lock on it would guard a dead inode), read, compare the version, write a temp file in the
//!   same directory with mode 0600, `fsync`, rename over the data file, `fsync` the directory.
//! * The refresh lock is another sidecar per key, held across the provider call; the kernel drops
//!   it when the holder dies, so a killed process blocks nobody.
//! * A file that cannot be parsed is an error, never a reset: that would lose a rotating refresh
//!   token.

use super::codec::Codec;
use super::{LockGuard, Saved, StoredToken, TokenStore, Versioned};
use crate::error::{Error, ErrorCode, Provider, Result};
use futures::future::BoxFuture;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const FORMAT: &str = "uzgate-tokens/1";
const POLL: Duration = Duration::from_millis(20);

#[derive(Serialize, Deserialize, Default)]
struct Document {
    format: String,
    entries: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    version: u64,
    data: String,
}

pub struct FileStore {
    path: Arc<PathBuf>,
    codec: Codec,
}

fn store_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::StoreError, message).with_provider(Provider::Store)
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    store_error(format!("cannot {what} {}: {e}", path.display()))
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>, codec: Codec) -> Result<Self> {
        let path: PathBuf = path.into();
        if path.as_os_str().is_empty() || path.file_name().is_none() {
            return Err(Error::config("tokenStore.path must name a file"));
        }
        Ok(FileStore {
            path: Arc::new(path),
            codec,
        })
    }

    fn sidecar(path: &Path, suffix: &str) -> PathBuf {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        path.with_file_name(name)
    }

    fn open_lock_file(path: &Path) -> Result<File> {
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io_error("open the lock file", path, e))
    }

    fn read(path: &Path) -> Result<Document> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let doc: Document = serde_json::from_slice(&bytes).map_err(|_| {
                    store_error(format!(
                        "{} is not a valid uzgate token file; refusing to overwrite it (move it away to start over)",
                        path.display()
                    ))
                })?;
                if doc.format != FORMAT {
                    return Err(store_error(format!(
                        "{} has format {:?}, expected {FORMAT:?}",
                        path.display(),
                        doc.format
                    )));
                }
                Ok(doc)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Document {
                format: FORMAT.into(),
                entries: BTreeMap::new(),
            }),
            Err(e) => Err(io_error("read", path, e)),
        }
    }

    /// temp file (0600) → write → fsync → rename → fsync the directory.
    fn write_atomically(path: &Path, doc: &Document) -> Result<()> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = Self::sidecar(
            path,
            &format!(".tmp.{}.{}", std::process::id(), rand::random::<u32>()),
        );
        let bytes = serde_json::to_vec_pretty(doc).map_err(|e| store_error(e.to_string()))?;
        let result = (|| {
            let mut f = OpenOptions::new()
                .create_new(true)
                .write(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            File::open(dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| io_error("write", path, e))
    }

    fn decode(&self, key: &str, entry: &Entry) -> Result<Versioned> {
        Ok(Versioned {
            version: entry.version,
            token: self.codec.decode(key, entry.version, &entry.data)?,
        })
    }

    /// Runs `f` with the write lock held (blocking; call from `spawn_blocking`).
    fn with_write_lock<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let lock_path = Self::sidecar(path, ".lock");
        let lock = Self::open_lock_file(&lock_path)?;
        lock.lock().map_err(|e| io_error("lock", &lock_path, e))?;
        let out = f();
        let _ = lock.unlock();
        out
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(store_error(format!("token file task failed: {e}"))))
}

struct FileLock {
    file: Option<File>,
}

impl LockGuard for FileLock {
    fn release(mut self: Box<Self>) -> BoxFuture<'static, ()> {
        if let Some(f) = self.file.take() {
            let _ = f.unlock();
        }
        async {}.boxed()
    }
}

impl TokenStore for FileStore {
    fn kind(&self) -> &'static str {
        "file"
    }

    fn shared(&self) -> bool {
        true
    }

    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>> {
        let path = self.path.clone();
        let key = key.to_string();
        async move {
            // Readers need no lock: the file is only ever replaced whole, by rename.
            let entry =
                blocking(move || Ok(Self::read(&path)?.entries.remove(&key).map(|e| (key, e))))
                    .await?;
            entry.map(|(key, e)| self.decode(&key, &e)).transpose()
        }
        .boxed()
    }

    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        let path = self.path.clone();
        let key = key.to_string();
        let data = self.codec.encode(&key, expected + 1, token);
        async move {
            let data = data?;
            let k = key.clone();
            let outcome = blocking(move || {
                Self::with_write_lock(&path, || {
                    let mut doc = Self::read(&path)?;
                    let current = doc.entries.get(&k).map_or(0, |e| e.version);
                    if current != expected {
                        return Ok(Err(doc.entries.remove(&k)));
                    }
                    let version = current + 1;
                    doc.entries.insert(k, Entry { version, data });
                    Self::write_atomically(&path, &doc)?;
                    Ok(Ok(version))
                })
            })
            .await?;
            match outcome {
                Ok(version) => Ok(Saved::Written(version)),
                Err(entry) => Ok(Saved::Conflict(
                    entry.map(|e| self.decode(&key, &e)).transpose()?,
                )),
            }
        }
        .boxed()
    }

    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>> {
        let path = self.path.clone();
        let key = key.to_string();
        async move {
            blocking(move || {
                Self::with_write_lock(&path, || {
                    let mut doc = Self::read(&path)?;
                    if doc.entries.remove(&key).is_some() {
                        Self::write_atomically(&path, &doc)?;
                    }
                    Ok(())
                })
            })
            .await
        }
        .boxed()
    }

    fn codec(&self) -> Option<&Codec> {
        Some(&self.codec)
    }

    fn load_raw(&self, key: &str) -> BoxFuture<'_, Result<Option<(u64, String)>>> {
        let path = self.path.clone();
        let key = key.to_string();
        async move {
            blocking(move || {
                Ok(Self::read(&path)?
                    .entries
                    .remove(&key)
                    .map(|e| (e.version, e.data)))
            })
            .await
        }
        .boxed()
    }

    fn save_raw(&self, key: &str, expected: u64, data: String) -> BoxFuture<'_, Result<bool>> {
        let path = self.path.clone();
        let key = key.to_string();
        async move {
            blocking(move || {
                Self::with_write_lock(&path, || {
                    let mut doc = Self::read(&path)?;
                    if doc.entries.get(&key).map_or(0, |e| e.version) != expected {
                        return Ok(false);
                    }
                    let version = expected + 1;
                    doc.entries.insert(key, Entry { version, data });
                    Self::write_atomically(&path, &doc)?;
                    Ok(true)
                })
            })
            .await
        }
        .boxed()
    }

    fn lock(
        &self,
        key: &str,
        _lease: Duration,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        let digest = Sha256::digest(key.as_bytes());
        let tag: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let path = Self::sidecar(&self.path, &format!(".{tag}.refresh.lock"));
        async move {
            let file = Self::open_lock_file(&path)?;
            let until = Instant::now() + wait;
            loop {
                match file.try_lock() {
                    Ok(()) => {
                        return Ok(Some(
                            Box::new(FileLock { file: Some(file) }) as Box<dyn LockGuard>
                        ))
                    }
                    Err(TryLockError::WouldBlock) if Instant::now() < until => {
                        tokio::time::sleep(POLL).await
                    }
                    Err(TryLockError::WouldBlock) => {
                        return Err(store_error(format!(
                            "another process held the refresh lock {} for more than {} ms",
                            path.display(),
                            wait.as_millis()
                        )))
                    }
                    Err(TryLockError::Error(e)) => return Err(io_error("lock", &path, e)),
                }
            }
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn token(access: &str) -> StoredToken {
        StoredToken {
            access_token: access.into(),
            refresh_token: Some(format!("r-{access}")),
            expires_at_ms: Some(1),
            obtained_at_ms: 1,
            refused_at_ms: None,
            meta: Default::default(),
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "uzgate-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn compare_and_set_with_mode_0600() {
        let dir = temp_dir("file-cas");
        let path = dir.join("tokens.json");
        let store = FileStore::new(&path, Codec::plain()).unwrap();
        assert_eq!(store.load("a").await.unwrap(), None);
        assert_eq!(
            store.save("a", 0, &token("one")).await.unwrap(),
            Saved::Written(1)
        );
        assert_eq!(
            store.save("b", 0, &token("other")).await.unwrap(),
            Saved::Written(1)
        );
        match store.save("a", 0, &token("late")).await.unwrap() {
            Saved::Conflict(Some(v)) => {
                assert_eq!((v.version, v.token.access_token.as_str()), (1, "one"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            store.save("a", 1, &token("two")).await.unwrap(),
            Saved::Written(2)
        );
        let again = FileStore::new(&path, Codec::plain()).unwrap();
        assert_eq!(
            again.load("a").await.unwrap().unwrap().token.access_token,
            "two"
        );
        assert_eq!(again.load("b").await.unwrap().unwrap().version, 1);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        store.clear("a").await.unwrap();
        assert_eq!(store.load("a").await.unwrap(), None);
        assert!(std::fs::read_dir(&dir).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp.")));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_corrupt_file_is_an_error_and_is_left_alone() {
        let dir = temp_dir("file-corrupt");
        let path = dir.join("tokens.json");
        std::fs::write(&path, b"{ half a file").unwrap();
        let store = FileStore::new(&path, Codec::plain()).unwrap();
        assert_eq!(
            store.load("a").await.unwrap_err().code,
            ErrorCode::StoreError
        );
        assert_eq!(
            store.save("a", 0, &token("x")).await.unwrap_err().code,
            ErrorCode::StoreError
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"{ half a file");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn encrypted_contents_hold_no_token_in_clear() {
        let dir = temp_dir("file-enc");
        let path = dir.join("tokens.json");
        let codec = Codec::new(Some(&"11".repeat(32))).unwrap();
        let store = FileStore::new(&path, codec).unwrap();
        store
            .save("a", 0, &token("very-secret-access"))
            .await
            .unwrap();
        let raw = std::fs::read_to_string(&path).unwrap();
        assert!(!raw.contains("very-secret-access") && !raw.contains("r-very-secret"));
        assert_eq!(
            store.load("a").await.unwrap().unwrap().token.access_token,
            "very-secret-access"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn the_refresh_lock_excludes_and_times_out() {
        let dir = temp_dir("file-lock");
        let path = dir.join("tokens.json");
        let a = FileStore::new(&path, Codec::plain()).unwrap();
        let b = FileStore::new(&path, Codec::plain()).unwrap();
        let held = a
            .lock("k", Duration::from_secs(30), Duration::from_secs(1))
            .await
            .unwrap()
            .unwrap();
        let err = b
            .lock("k", Duration::from_secs(30), Duration::from_millis(100))
            .await
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::StoreError);
        // Another key has its own lock.
        assert!(b
            .lock("other", Duration::from_secs(30), Duration::from_millis(100))
            .await
            .unwrap()
            .is_some());
        held.release().await;
        assert!(b
            .lock("k", Duration::from_secs(30), Duration::from_millis(100))
            .await
            .unwrap()
            .is_some());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
