//! The `precinct` binary itself: migrate, serve, and stop gracefully on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, TestDb};

/// Kills the child if the test fails before it is stopped, so no server outlives it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn precinct() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_precinct"));
    cmd.env_remove("PRECINCT_DATABASE_URL")
        .env_remove("PRECINCT_DEMO")
        .env_remove("PRECINCT_ADDR");
    cmd
}

#[tokio::test]
async fn migrate_prepares_a_fresh_sqlite_file() {
    let db = TestDb::new(Backend::Sqlite).await;
    let out = precinct()
        .args(["migrate", "--database-url", &db.url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
}

#[tokio::test]
async fn an_unknown_database_scheme_is_a_clear_error() {
    let out = precinct()
        .args(["migrate", "--database-url", "mysql://localhost/x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL scheme"), "{err}");
}

#[tokio::test]
async fn serve_prints_the_demo_sign_in_and_stops_on_sigterm() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut child = precinct()
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--database-url", &db.url])
        .env("PRECINCT_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut child = KillOnDrop(child);
    let listening = lines.next().unwrap().unwrap();
    let address = listening.rsplit(' ').next().unwrap().to_string();
    assert!(address.starts_with("http://127.0.0.1:"), "{listening}");
    let sign_in = lines.next().unwrap().unwrap();
    assert!(sign_in.contains(precinct::demo::DEMO_ADMIN_EMAIL), "{sign_in}");

    let res = reqwest::get(format!("{address}/healthz")).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);

    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "server did not stop after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "graceful stop exits 0, got {exit}");
    assert!(
        reqwest::get(format!("{address}/healthz")).await.is_err(),
        "no longer listening"
    );
}
