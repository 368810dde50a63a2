//! Reads a response body through a size cap. Provider answers are untrusted input: a server
//! (or anything between) that sends an endless or huge body must not grow the process without
//! bound, so the body is taken chunk by chunk and abandoned as soon as it passes the cap, and a
//! declared `Content-Length` above the cap is refused before reading anything. Never
//! `Response::bytes()`, which buffers whatever arrives.

use bytes::{Bytes, BytesMut};

/// Default cap of one response body: provider answers are a few KiB; 4 MiB leaves room for the
/// largest amoCRM pages.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Why a body could not be read.
pub enum BodyError {
    /// Declared or streamed past `cap` bytes; the rest was not read.
    TooLarge,
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// The whole body, if it fits in `cap` bytes. Dropping the response on `TooLarge` closes the
/// connection instead of draining it.
pub async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> std::result::Result<Bytes, BodyError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if chunk.len() > cap - body.len() {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
