//! What a Redis URL (and a CA file beside it) asks for, checked before any connection is opened:
//! `redis://` or `rediss://`, certificate checks never turned off, Sentinel refused by name, a CA
//! file that holds certificates. The password inside the URL never reaches a message.

use crate::error::{Error, Result};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::{Client, ConnectionInfo, IntoConnectionInfo, TlsCertificates};
use std::time::Duration;

/// How long connecting and each answer may take before the call fails (and the connection is
/// opened anew on the next one).
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub(crate) const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A Redis deployment to connect to: the parsed URL and, for `rediss://` with a private CA, the
/// certificates to trust instead of the public roots.
#[derive(Clone)]
pub struct RedisTarget {
    info: ConnectionInfo,
    ca_pem: Option<Vec<u8>>,
}

impl RedisTarget {
    /// `option` names the options object in messages (`tokenStore`, `store`).
    pub fn parse(option: &str, url: &str, ca_file: Option<&str>) -> Result<Self> {
        let parsed = url::Url::parse(url).map_err(|_| {
            Error::config(format!(
                "{option}.url is not a URL; expected redis://[user:password@]host:port/db or rediss://…"
            ))
        })?;
        let tls = match parsed.scheme() {
            "redis" => false,
            "rediss" => true,
            s if s.contains("sentinel") => {
                return Err(Error::config(format!(
                "{option}.url: Redis Sentinel is not supported; give the address of the primary \
                     (or the offering's single endpoint) as redis:// or rediss://"
            )))
            }
            _ => {
                return Err(Error::config(format!(
                    "{option}.url must start with redis:// or rediss://"
                )))
            }
        };
        if parsed.fragment().is_some() {
            return Err(Error::config(format!(
                "{option}.url: a '#…' part is not accepted (certificate checks cannot be turned off); \
                 for a private CA give its certificate with {option}.tlsCaFile"
            )));
        }
        let ca_pem = match ca_file.filter(|f| !f.is_empty()) {
            None => None,
            Some(_) if !tls => {
                return Err(Error::config(format!(
                    "{option}.tlsCaFile is for TLS: use a rediss:// URL with it"
                )))
            }
            Some(path) => Some(read_ca(option, path)?),
        };
        let info = url.into_connection_info().map_err(|e| {
            Error::config(format!("{option}.url is not a Redis URL ({:?})", e.kind()))
        })?;
        Ok(RedisTarget { info, ca_pem })
    }

    /// The database number of the URL (`/N`); a cluster has only 0.
    pub fn db(&self) -> i64 {
        self.info.redis_settings().db()
    }

    fn certificates(&self) -> Option<TlsCertificates> {
        self.ca_pem.as_ref().map(|pem| TlsCertificates {
            client_tls: None,
            root_cert: Some(pem.clone()),
        })
    }

    /// A client for one server (or a proxy in front of many).
    pub fn client(&self) -> redis::RedisResult<Client> {
        match self.certificates() {
            Some(certs) => Client::build_with_tls(self.info.clone(), certs),
            None => Client::open(self.info.clone()),
        }
    }

    /// A client for a Redis Cluster seeded with this address; it learns the other nodes (and
    /// their moves) from the cluster itself, with the same credentials and TLS settings.
    pub fn cluster_client(&self) -> redis::RedisResult<ClusterClient> {
        let mut builder = ClusterClientBuilder::new(vec![self.info.clone()])
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            // a few quick retries ride out a MOVED or a failover; the store call's own deadline
            // bounds the rest
            .retries(3)
            .min_retry_wait(20)
            .max_retry_wait(500);
        if let Some(certs) = self.certificates() {
            builder = builder.certs(certs);
        }
        builder.build()
    }
}

fn read_ca(option: &str, path: &str) -> Result<Vec<u8>> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "{option}.tlsCaFile cannot be read ({:?})",
            e.kind()
        ))
    })?;
    let text = String::from_utf8_lossy(&pem);
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::config(format!(
            "{option}.tlsCaFile holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn refused(url: &str, ca: Option<&str>) -> String {
        let e = RedisTarget::parse("tokenStore", url, ca)
            .err()
            .expect("refused");
        assert_eq!(e.code, ErrorCode::Config);
        e.message
    }

    #[test]
    fn plain_tls_and_acl_urls_parse() {
        for url in [
            "redis://127.0.0.1:6379",
            "redis://127.0.0.1:6379/2",
            "rediss://cache.example:6380/0",
            "redis://app-user:pa%24%24@10.0.0.1:6379/0",
        ] {
            RedisTarget::parse("tokenStore", url, None).expect(url);
        }
        assert_eq!(
            RedisTarget::parse("x", "redis://h:1/3", None).unwrap().db(),
            3
        );
    }

    #[test]
    fn insecure_sentinel_and_other_schemes_are_config_errors_without_the_password() {
        let m = refused("rediss://u:hunter2-secret@h:6380/#insecure", None);
        assert!(m.contains("tlsCaFile") && !m.contains("hunter2"), "{m}");
        let m = refused("redis+sentinel://u:hunter2-secret@h:26379/mymaster", None);
        assert!(m.contains("Sentinel") && !m.contains("hunter2"), "{m}");
        let m = refused("http://h:6379", None);
        assert!(m.contains("redis://"), "{m}");
        let m = refused("not a url hunter2-secret", None);
        assert!(!m.contains("hunter2"), "{m}");
    }

    #[test]
    fn ca_file_needs_tls_and_a_certificate() {
        let dir = std::env::temp_dir().join(format!("uzgate-ca-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let empty = empty.to_str().unwrap();
        assert!(refused("redis://h:1", Some(empty)).contains("rediss://"));
        assert!(refused("rediss://h:1", Some(empty)).contains("no PEM certificate"));
        let missing = dir.join("missing.pem");
        assert!(refused("rediss://h:1", missing.to_str()).contains("cannot be read"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
