//! `uzgate-sandbox [--port N] [--config JSON]`: runs the sandbox gateway as a process.
//!
//! Prints `uzgate sandbox listening on http://127.0.0.1:PORT` once ready, then serves until
//! SIGINT, SIGTERM, or its standard input closes. Stdin is watched only when it is a pipe,
//! a socket or a terminal, so a parent that spawned it with a pipe cannot leave it behind,
//! while a shell's `&` (stdin = /dev/null) does not stop it at once.

use std::io::{Read, Write};
use std::process::ExitCode;

use serde_json::Value;
use uzgate_mock::Sandbox;

const USAGE: &str = "usage: uzgate-sandbox [--port N] [--config JSON]\n\
  --port N        port on 127.0.0.1 (default 0: any free port)\n\
  --config JSON   start options, e.g. '{\"eskiz\":{\"tokenTtlSecs\":60}}'";

fn parse_args() -> Result<Value, String> {
    let mut options = serde_json::Map::new();
    let mut port: Option<u16> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" | "-p" => {
                let v = value()?;
                port = Some(v.parse().map_err(|_| format!("invalid port {v:?}"))?);
            }
            "--config" | "-c" => {
                let v = value()?;
                match serde_json::from_str::<Value>(&v) {
                    Ok(Value::Object(m)) => options.extend(m),
                    _ => return Err("--config must be a JSON object".into()),
                }
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if let Some(p) = port {
        options.insert("port".into(), Value::from(p));
    }
    Ok(Value::Object(options))
}

/// Whether stdin can signal "the parent is gone" by closing.
#[cfg(unix)]
fn stdin_is_watchable() -> bool {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return true;
    }
    let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .map(|m| m.file_type().is_fifo() || m.file_type().is_socket())
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn stdin_is_watchable() -> bool {
    false
}

/// Resolves when stdin reaches end of file. A plain thread, not Tokio's stdin: a blocking
/// read in Tokio's pool would hold up runtime shutdown.
fn stdin_closed() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    rx
}

#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending::<()>().await
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("uzgate-sandbox: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("uzgate-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("uzgate sandbox listening on {}", sandbox.url());
    let _ = std::io::stdout().flush();

    let stdin_eof = async {
        if stdin_is_watchable() {
            let _ = stdin_closed().await;
        } else {
            std::future::pending::<()>().await
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated() => {}
        _ = stdin_eof => {}
    }
    sandbox.close().await;
    ExitCode::SUCCESS
}
