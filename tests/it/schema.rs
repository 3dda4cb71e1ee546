//! The two migration sets must describe the same tables and columns.

use std::collections::BTreeSet;

use precinct::store::Store;

use crate::helpers::{Backend, TestDb};

#[tokio::test]
async fn sqlite_and_postgres_schemas_have_the_same_columns() {
    if Backend::postgres().is_none() {
        return;
    }
    let sqlite_db = TestDb::new(Backend::Sqlite).await;
    let pg_db = TestDb::new(Backend::Postgres).await;
    for url in [&sqlite_db.url, &pg_db.url] {
        let store = Store::connect(url).await.unwrap();
        store.migrate().await.unwrap();
        store.close().await;
    }

    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&sqlite_db.url)
        .await
        .unwrap();
    let sqlite: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .collect();

    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&pg_db.url)
        .await
        .unwrap();
    let postgres: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .collect();

    assert!(sqlite.len() > 50, "introspection found the tables");
    assert_eq!(sqlite, postgres);
}

#[test]
fn migration_files_come_in_pairs() {
    let names = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

/// The triggers that keep `class_counts` name the seat-holding statuses in SQL; they must be
/// the ones the code counts (`ApplicationStatus::HOLDING_SEAT`), in both migration sets.
#[test]
fn kept_counts_hold_the_statuses_the_code_holds() {
    use precinct::domain::ApplicationStatus;
    let codes: Vec<String> = ApplicationStatus::HOLDING_SEAT
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect();
    let expected = format!("({})", codes.join(", "));
    for dir in ["sqlite", "postgres"] {
        let sql = std::fs::read_to_string(format!(
            "{}/migrations/{dir}/0029_class_counts.sql",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let lists: Vec<&str> = sql
            .match_indices("IN (")
            .map(|(at, _)| {
                let list = &sql[at + 3..];
                &list[..=list.find(')').unwrap()]
            })
            .collect();
        assert!(lists.len() >= 3, "{dir}: the triggers name the statuses");
        for list in lists {
            assert_eq!(list, expected, "{dir}");
        }
    }
}
