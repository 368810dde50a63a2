//! The TypeScript option types in `nest/generated/` are generated from these Rust types: this
//! test fails when the committed files differ from what the types generate, and rewrites them
//! with `WRITE_GENERATED_TYPES=1` (`npm run generate:types`).

use super::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../nest/generated")
}

/// Every `.ts` file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn generate(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    SmsOptions::export_all(&cfg).unwrap();
    AmoCrmOptions::export_all(&cfg).unwrap();
    OtpOptions::export_all(&cfg).unwrap();
}

#[test]
fn generated_typescript_matches_the_rust_option_types() {
    let fresh = std::env::temp_dir().join(format!("uzgate-ts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    generate(&fresh);
    let generated = files(&fresh);
    std::fs::remove_dir_all(&fresh).unwrap();
    let committed_dir = committed_dir();
    if std::env::var_os("WRITE_GENERATED_TYPES").is_some() {
        for name in files(&committed_dir).keys() {
            std::fs::remove_file(committed_dir.join(name)).unwrap();
        }
        std::fs::create_dir_all(&committed_dir).unwrap();
        for (name, text) in &generated {
            std::fs::write(committed_dir.join(name), text).unwrap();
        }
        return;
    }
    let committed = files(&committed_dir);
    let stale: std::collections::BTreeSet<&String> = generated
        .keys()
        .chain(committed.keys())
        .filter(|name| generated.get(*name) != committed.get(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "nest/generated/ differs from the Rust option types ({stale:?}): run `npm run generate:types` and commit the result"
    );
}
