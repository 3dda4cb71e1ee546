//! `precinct backup` and `precinct restore`: a snapshot taken while the service runs,
//! restored into a fresh database, holds exactly the same rows in every table.

use std::process::Command;

use sqlx::{Connection, SqliteConnection};

use crate::applications::{ClassSpec, applicant, apply, open_class};
use crate::helpers::{Backend, Options, TestDb, spawn_app_with};

fn precinct(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_precinct"))
        .args(args)
        .env_remove("PRECINCT_DATABASE_URL")
        .env_remove("PRECINCT_DEMO")
        .output()
        .unwrap()
}

/// Every row of every table, each as one quoted line, in a stable order.
async fn dump(url: &str) -> Vec<(String, Vec<String>)> {
    let mut c = SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{t}')"
        )))
        .fetch_all(&mut c)
        .await
        .unwrap();
        let row = columns
            .iter()
            .map(|col| format!("quote(\"{col}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {row} FROM \"{t}\" ORDER BY 1")))
                .fetch_all(&mut c)
                .await
                .unwrap();
        out.push((t, rows));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_every_row() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Options {
            demo: true,
            ..Default::default()
        },
    )
    .await;
    let class = open_class(&app, ClassSpec::default()).await;
    for n in 0..5 {
        apply(&app, class, &applicant(n), None).await;
    }
    precinct::jobs::run_once(&app.state.jobs(), jiff::Timestamp::now())
        .await
        .unwrap();
    let url = app.state.config.database_url();
    let scratch = TestDb::new(Backend::Sqlite).await;
    let file = scratch.data_dir().join("backup.db");
    std::fs::create_dir_all(scratch.data_dir()).unwrap();
    let file_arg = file.to_string_lossy().to_string();

    // Online: the service keeps running (and could keep writing) during the copy.
    let out = precinct(&["backup", &file_arg, "--database-url", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = precinct(&["backup", &file_arg, "--database-url", &url]);
    assert!(!out.status.success(), "never overwrites a backup");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let restored = format!(
        "sqlite://{}",
        scratch.data_dir().join("restored").join("precinct.db").display()
    );
    let out = precinct(&["restore", &file_arg, "--database-url", &restored]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = precinct(&["restore", &file_arg, "--database-url", &restored]);
    assert!(!out.status.success(), "never restores over a database");

    let before = dump(&url).await;
    let after = dump(&restored).await;
    assert_eq!(before.len(), after.len());
    for ((t1, rows1), (t2, rows2)) in before.iter().zip(&after) {
        assert_eq!(t1, t2);
        assert_eq!(rows1, rows2, "table {t1}");
    }
    let count = |t: &str| before.iter().find(|(name, _)| name == t).map_or(0, |(_, r)| r.len());
    assert!(
        count("applications") >= 5 && count("outbox") >= 5 && count("sessions") > 0,
        "real data was compared"
    );

    // The restored database serves: a second instance on it answers.
    let second = spawn_app_with(
        Backend::Sqlite,
        Options {
            database_url: Some(restored),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        second.get_json(&format!("/api/v1/classes/{class}")).await["id"],
        class.get()
    );
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_precinct_backup() {
    let scratch = TestDb::new(Backend::Sqlite).await;
    std::fs::create_dir_all(scratch.data_dir()).unwrap();
    let junk = scratch.data_dir().join("junk.db");
    std::fs::write(&junk, b"this is not a database").unwrap();
    let target = format!("sqlite://{}", scratch.data_dir().join("new.db").display());
    let out = precinct(&["restore", &junk.to_string_lossy(), "--database-url", &target]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a Precinct database"));
    // PostgreSQL has its own tools; the command says which, and does nothing.
    if let Ok(pg) = std::env::var("PRECINCT_TEST_POSTGRES_URL")
        && !pg.is_empty()
    {
        let file = scratch.data_dir().join("pg.dump");
        let out = precinct(&["backup", &file.to_string_lossy(), "--database-url", &pg]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        assert!(!file.exists());
    }
}
