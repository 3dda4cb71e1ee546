//! The database: pools, migrations and every SQL statement of the application.
//!
//! One [`Store`] serves SQLite (embedded default) and PostgreSQL (scale-out), chosen
//! at run time from the URL scheme. Queries are plain SQL with `$N` placeholders,
//! which both engines accept; where the dialects differ the statement is written
//! twice. The same Rust code runs against both pools through [`dispatch!`], a small
//! match that expands one body per backend, so row types and binds are shared.
//!
//! Rejected: sqlx's `Any` driver (loses types, placeholder trouble on PostgreSQL) and
//! mutually exclusive cargo features per backend (both must be tested in one build).
//!
//! Errors: store functions return [`StoreError`]; "not found" is `Ok(None)`, never an
//! error, so handlers decide what absence means.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

pub mod activity;
pub mod applications;
pub mod attendance;
pub mod backup;
pub mod batch;
pub mod catalog;
pub mod content;
pub mod dare;
pub mod duties;
pub mod feeds;
pub mod holidays;
pub mod interest;
pub mod limits;
pub mod lottery;
pub mod outbox;
pub mod people;
pub mod profiles;
pub mod questions;
pub mod requests;
pub mod ride_along;
pub mod schools;
pub mod screening;
pub mod seed;
pub mod staff;
pub mod surveys;
pub mod traffic;

/// Expands `$body` once per backend with `$p` bound to that backend's pool (or
/// connection), so one query text and one row type serve both.
macro_rules! dispatch {
    ($target:expr, $p:ident => $body:expr) => {
        match $target {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use dispatch;

/// Expands `$body` once per backend with `$c` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::store::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Reads the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            let scheme = url.split(':').next().unwrap_or_default();
            Err(StoreError::UnsupportedUrl(scheme.to_string()))
        }
    }
}

/// Everything that can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme {0:?}: use sqlite:// or postgres://")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value the code cannot read (an unknown code, a bad date): a bug or a
    /// hand edit, reported rather than guessed around.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A message that breaks its kind's rule (domain::mail): a bug, refused rather than
    /// queued with a private link where staff could read it.
    #[error("message refused: {0}")]
    Message(crate::domain::mail::MessageFault),
}

impl StoreError {
    /// Whether the error is a unique-constraint violation (someone got there first).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// A pool for one of the two backends.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The application's handle on its database. Cheap to clone (pools are shared).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    /// SQLite's writers' queue (see [`Store::write_turn`]); shared by every clone and by
    /// [`Store::writer`]. Unused on PostgreSQL, which locks rows, not the database.
    gate: Arc<tokio::sync::Mutex<()>>,
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`] until the pool
/// closes. SQLite's automatic checkpoint runs inside the commit that crosses 1,000 pages
/// of WAL, so during a registration rush every tenth batch or so also copied pages and
/// flushed the database file before its applications were acknowledged.
///
/// A passive checkpoint copies without stopping anyone, but under a steady stream of
/// writes it never catches up with the last frame, and SQLite starts the WAL over only
/// when a checkpoint has: in a 10-second rush the WAL grew past 450 MB and every page
/// read searched a longer WAL index. So a second pass copies what was written during the
/// first while holding this process's write turn (`gate`; a few milliseconds), and the
/// next writer starts the WAL from the top.
fn checkpoint_in_background(pool: SqlitePool, gate: Arc<tokio::sync::Mutex<()>>) {
    /// Frames in the WAL when the checkpoint began (0 when it was empty); frames written
    /// while it copied are not counted, so a full count says nothing about those.
    async fn checkpoint(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
        let (_busy, log, _copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await?;
        Ok(log)
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            let done = match checkpoint(&pool).await {
                Ok(log) if log > 0 => {
                    let _turn = gate.lock().await;
                    checkpoint(&pool).await.map(|_| ())
                }
                other => other.map(|_| ()),
            };
            if let Err(e) = done {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
            }
        }
    });
}

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens a pool for `url` (`sqlite://path` or `postgres://…`). A SQLite file and its
    /// directory are created if missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let pool = match Backend::from_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // An acknowledged write must survive a power cut.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    // Rows come back from the connection's thread through a channel; with
                    // sqlx's 50 a batch's RETURNING of up to 256 ids stopped that thread
                    // until the writer had drained it, one more hand-off each time.
                    .row_buffer_size(512)
                    // SQLite's default 2 MB of pages per connection, and 16 MB for all of
                    // SQLite's memory in the process (the soft heap limit is process-wide;
                    // past it SQLite reuses cache pages instead of allocating). Measured with
                    // `bench` at a million applications: 8 MB per connection (48 MB in all)
                    // gained no throughput, while the cache filling up on every connection the
                    // background jobs touch took the server from 47 to 100 MB resident. The
                    // kernel's page cache keeps the file's hot pages either way.
                    .pragma("cache_size", "-2048")
                    .pragma("soft_heap_limit", "16777216")
                    // Checkpoints run on their own task (see `checkpoint_in_background`),
                    // not inside whichever commit crosses the threshold.
                    .pragma("wal_autocheckpoint", "0")
                    // When the WAL starts over, a file grown by a burst shrinks back.
                    .pragma("journal_size_limit", "67108864");
                if let Some(dir) = options.get_filename().parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Sqlx(sqlx::Error::Io(e)))?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    // A file cannot hang up: sqlx's ping before each checkout would only
                    // add a round trip to the connection's thread.
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Pool::Sqlite(pool)
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)?.application_name("precinct");
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(16)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(options)
                        .await?,
                )
            }
        };
        let gate = Arc::default();
        if let Pool::Sqlite(p) = &pool {
            checkpoint_in_background(p.clone(), Arc::clone(&gate));
        }
        Ok(Store { pool, gate })
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations for this backend. Safe to run from several instances at
    /// once: sqlx takes an advisory lock on PostgreSQL, and SQLite serializes writers.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(&self.pool, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes every connection; later calls fail. Used at shutdown and by tests that
    /// simulate a lost database.
    pub async fn close(&self) {
        dispatch!(&self.pool, p => p.close().await)
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), because a read transaction that later upgrades to a write
    /// fails with SQLITE_BUSY instead of waiting.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let turn = self.write_turn().await?;
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(Tx { inner, _turn: turn })
    }

    /// On SQLite, waits for this process's turn to write; the guard is the turn. SQLite has
    /// one write lock, and a writer that finds it taken polls with sleeps growing to tens
    /// of milliseconds: with the outbox delivery committing every few milliseconds during
    /// a registration rush, the application writer waited 20 to 45 ms a batch (measured
    /// with `bench`). Queued here, writers take turns first come, first served. The wait
    /// is bounded like SQLite's own, so a bug that nests writes fails instead of hanging.
    pub(crate) async fn write_turn(&self) -> Result<Option<tokio::sync::OwnedMutexGuard<()>>, StoreError> {
        if let Pool::Postgres(_) = self.pool {
            return Ok(None);
        }
        tokio::time::timeout(SQLITE_BUSY_TIMEOUT, self.gate.clone().lock_owned())
            .await
            .map(Some)
            .map_err(|_| StoreError::Sqlx(sqlx::Error::PoolTimedOut))
    }
}

/// A write transaction on either backend; dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub(crate) inner: TxInner,
    /// This process's turn to write on SQLite, held until commit or rollback.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// The engine behind this transaction (for the few statements whose SQL differs).
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Makes the transaction's changes durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Seconds since the Unix epoch, the stored form of an instant.
pub(crate) fn to_secs(ts: jiff::Timestamp) -> i64 {
    ts.as_second()
}

/// Reads a stored instant.
pub(crate) fn from_secs(secs: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_second(secs).map_err(|e| StoreError::Corrupt(format!("instant {secs}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(Backend::from_url("sqlite://data/p.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgres://localhost/test").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://localhost/test").unwrap(),
            Backend::Postgres
        );
        let err = Backend::from_url("mysql://localhost/x").unwrap_err();
        assert!(err.to_string().contains("\"mysql\""), "{err}");
    }
}
