//! Backups: a consistent snapshot of a running SQLite database (`VACUUM INTO`, which reads
//! one transaction's view while the service keeps writing) and restoring one into a fresh
//! database file. PostgreSQL has its own tools for this (`pg_dump`, `pg_restore`); the
//! commands say so instead of half-doing it.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};

use super::{Backend, Pool, Store, StoreError};

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "PostgreSQL databases are backed up with its own tools: `pg_dump --format=custom --file=FILE URL` \
         while the service runs, and `pg_restore --clean --if-exists --dbname=URL FILE` to restore"
    )]
    Postgres,
    #[error("{0} already exists; choose a new file (a backup never overwrites one)")]
    Exists(String),
    #[error("{0} is not a Precinct database: {1}")]
    NotPrecinct(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl Store {
    /// Writes a consistent copy of the database to `file`, while the service runs.
    pub async fn backup_to(&self, file: &Path) -> Result<(), BackupError> {
        if file.exists() {
            return Err(BackupError::Exists(file.display().to_string()));
        }
        match &self.pool {
            Pool::Postgres(_) => Err(BackupError::Postgres),
            Pool::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(file.to_string_lossy().to_string())
                    .execute(pool)
                    .await?;
                Ok(())
            }
        }
    }
}

/// Restores the backup `file` into the SQLite database at `target_url`, which must not
/// exist yet; the result is migrated to this version. Returns how many migrations the
/// backup already had.
pub async fn restore(file: &Path, target_url: &str) -> Result<i64, BackupError> {
    if Backend::from_url(target_url)? == Backend::Postgres {
        return Err(BackupError::Postgres);
    }
    let target = SqliteConnectOptions::from_str(target_url).map_err(StoreError::from)?;
    let target_path = target.get_filename().to_path_buf();
    if target_path.exists() {
        return Err(BackupError::Exists(target_path.display().to_string()));
    }
    let name = file.display().to_string();
    if !file.exists() {
        return Err(BackupError::NotPrecinct(name, "no such file".into()));
    }
    let mut source = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file).read_only(true))
        .await
        .map_err(|e| BackupError::NotPrecinct(name.clone(), e.to_string()))?;
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut source)
        .await
        .map_err(|e| BackupError::NotPrecinct(name.clone(), e.to_string()))?
        .get(0);
    if check != "ok" {
        return Err(BackupError::NotPrecinct(name, format!("integrity check: {check}")));
    }
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut source)
        .await
        .map_err(|_| BackupError::NotPrecinct(name.clone(), "it has no migration history".into()))?;
    if let Some(dir) = target_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Corrupt(format!("creating {}: {e}", dir.display())))?;
    }
    sqlx::query("VACUUM INTO $1")
        .bind(target_path.to_string_lossy().to_string())
        .execute(&mut source)
        .await?;
    source.close().await?;
    let store = Store::connect(target_url).await?;
    store.migrate().await?;
    store.close().await;
    Ok(applied)
}
