//! Node binding of the sandbox gateway (`uzgate-mock`), published as the npm package
//! `uzgate-sandbox`. It is its own addon so the production addon carries no HTTP server: a
//! process that only sends SMS never loads axum, multer or the sandbox's state.

#[macro_use]
extern crate napi_derive;

pub mod error;
pub mod sandbox;
