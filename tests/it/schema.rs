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
