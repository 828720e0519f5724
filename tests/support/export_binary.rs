//! The built `export` example's path for the tests that run it as a child
//! process: `<target>/<profile>/examples/export`, next to the test's own
//! `deps/` directory. A whole `cargo test` or `cargo nextest run` builds the
//! examples with the tests; when the binary is missing or older than its
//! sources (a run of only `--test NAME`), it is built first with `cargo build
//! --example export` and the test's features and profile, bounded in time.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant, SystemTime};

/// The package's features this test was built with, for building the example alike.
fn features() -> String {
    let all = [
        ("chrono", cfg!(feature = "chrono")),
        ("time", cfg!(feature = "time")),
        ("uuid", cfg!(feature = "uuid")),
        ("graphql", cfg!(feature = "graphql")),
        ("sqlite", cfg!(feature = "sqlite")),
        ("postgres", cfg!(feature = "postgres")),
        ("mysql", cfg!(feature = "mysql")),
        ("client", cfg!(feature = "client")),
    ];
    all.iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The example's binary, built first if missing or older than its sources.
pub fn export_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("<target>/<profile>/deps/<test>");
    let binary = profile_dir
        .join("examples")
        .join(format!("export{}", std::env::consts::EXE_SUFFIX));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![root.join("examples/export.rs"), root.join("src/lib.rs")];
    sources.extend(
        std::fs::read_dir(root.join("runtime/src/client"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    let newest_source = sources.iter().map(|p| modified(p)).max().unwrap();
    if binary.exists() && modified(&binary) >= newest_source {
        return binary;
    }
    let mut build = Command::new(env!("CARGO"));
    build
        .current_dir(root)
        .args(["build", "--example", "export", "--features", &features()]);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    if let Some(target) = profile_dir.parent() {
        build.env("CARGO_TARGET_DIR", target);
    }
    eprintln!("building the export example: {build:?}");
    let mut child = build.spawn().expect("cargo build");
    let status = wait_for(&mut child, Duration::from_secs(600))
        .expect("building the example took over 10 minutes");
    assert!(status.success(), "cargo build --example export failed");
    binary
}

pub fn wait_for(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
