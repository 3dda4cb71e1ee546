//! The multi-row writes of a registration batch (applications, sign-in links, idempotency
//! keys; the outbox's `enqueue_many` uses the same helpers), per backend: SQLite reads
//! each kind of row as a JSON array bound to one parameter, all in one multi-statement
//! query; PostgreSQL takes short `VALUES` lists.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use sqlx::AssertSqlSafe;

use super::{StoreError, Tx, TxInner, on_tx, to_secs};
use crate::domain::{Applicant, ApplicationId, ApplicationStatus, ClassId};
use crate::store::applications::Channel;
use crate::store::outbox::{INSERT_COLUMNS, OutgoingMessage};

/// A sign-in link to store: token hash, email key, expiry.
pub type NewLink = (String, String, Timestamp);

/// Builds `($1, $2, ...), ($k, ...)` for `rows` rows of `width` values.
pub(super) fn value_tuples(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// On SQLite, a batch of rows travels as one JSON array of arrays bound to a single
/// parameter and is read back with `json_each`: one statement per batch whatever its
/// size, and one SQL text (one cached prepared statement). Numbered parameters would
/// cost more per row, since SQLite looks up each `$N` by name in a list of all of them.
pub(super) fn json_rows(rows: Vec<serde_json::Value>) -> String {
    serde_json::Value::Array(rows).to_string()
}

/// `value ->> 0, …, value ->> (width - 1)`: the columns of one `json_each` row.
pub(super) fn json_columns(width: usize) -> String {
    (0..width)
        .map(|i| format!("value ->> {i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row INSERT. Kept small on purpose: with 100-row statements the
/// PostgreSQL driver's large messages stalled about 40 ms each on loopback (measured with
/// `bench`: 900 applications/s and a p99 of 150 ms, against 5,900/s and 22 ms with 20-row
/// statements), the signature of Nagle's algorithm meeting delayed acknowledgements.
pub(super) const ROWS_PER_INSERT: usize = 20;

/// One application of a batch, placed and ranked, ready to store.
pub struct PlacedApplication<'a> {
    pub class_id: ClassId,
    pub applicant: &'a Applicant,
    pub status: ApplicationStatus,
    pub channel: Channel,
    pub rank: i64,
}

/// Everything a registration batch writes once its rules are decided.
#[derive(Default)]
pub struct BatchWrite<'a> {
    pub placed: Vec<PlacedApplication<'a>>,
    /// Idempotency key, request fingerprint, and the class and rank of the application.
    pub remembered: Vec<(String, String, ClassId, i64)>,
    pub links: Vec<NewLink>,
    pub messages: Vec<OutgoingMessage>,
}

const PLACED_WIDTH: usize = 17;
const PLACED_COLUMNS: &str = "class_id, status, channel, first_name, last_name, email, email_key, person_key, \
     phone, date_of_birth, city, affiliation, organization, emergency_name, emergency_phone, \
     waiver_accepted, queue_rank, created_at, updated_at";
const IDEMPOTENCY_COLUMNS: &str = "key, fingerprint, application_id, created_at";
const LINK_COLUMNS: &str = "token_hash, email_key, expires_at, created_at";

/// The comparison keys stored with an application: email, and name with birth date.
fn row_keys(a: &Applicant) -> (String, String) {
    (
        crate::domain::application::email_key(&a.email),
        crate::domain::application::person_key(&a.first_name, &a.last_name, a.date_of_birth),
    )
}

/// SQLite: inserts the applications of JSON parameter `$json`, stamped `$now`.
fn sqlite_placed_sql(json: usize, now: usize) -> String {
    format!(
        "INSERT INTO applications ({PLACED_COLUMNS}) SELECT {}, ${now}, ${now} FROM json_each(${json}) WHERE true \
         RETURNING class_id, queue_rank, id",
        json_columns(PLACED_WIDTH)
    )
}

fn placed_json(rows: &[PlacedApplication<'_>]) -> String {
    let rows = rows
        .iter()
        .map(|row| {
            let a = row.applicant;
            let (email_key, person_key) = row_keys(a);
            serde_json::json!([
                row.class_id,
                row.status.code(),
                row.channel.code(),
                a.first_name,
                a.last_name,
                a.email,
                email_key,
                person_key,
                a.phone,
                a.date_of_birth.to_string(),
                a.city,
                a.affiliation.code(),
                a.organization,
                a.emergency_name,
                a.emergency_phone,
                a.waiver_accepted,
                row.rank,
            ])
        })
        .collect();
    json_rows(rows)
}

/// SQLite: inserts the sign-in links of JSON parameter `$json`, created `$now`.
fn sqlite_links_sql(json: usize, now: usize) -> String {
    format!(
        "INSERT INTO access_links ({LINK_COLUMNS}) SELECT {}, ${now} FROM json_each(${json})",
        json_columns(3)
    )
}

fn links_json(links: &[NewLink]) -> String {
    json_rows(
        links
            .iter()
            .map(|(hash, key, expires)| serde_json::json!([hash, key, to_secs(*expires)]))
            .collect(),
    )
}

/// SQLite: queues the messages of JSON parameter `$json`.
fn sqlite_outbox_sql(json: usize) -> String {
    // `WHERE true` tells SQLite's parser the ON CONFLICT is not a join's ON.
    format!(
        "INSERT INTO outbox ({INSERT_COLUMNS}) SELECT {} FROM json_each(${json}) WHERE true \
         ON CONFLICT (dedupe_key) DO NOTHING",
        json_columns(10)
    )
}

fn outbox_json(messages: &[OutgoingMessage], now: Timestamp) -> String {
    json_rows(
        messages
            .iter()
            .map(|m| {
                let link = m.link.as_ref();
                serde_json::json!([
                    m.kind,
                    m.recipient,
                    m.subject,
                    m.body_text,
                    m.dedupe_key,
                    m.unsubscribe_url,
                    to_secs(now),
                    link.map(|l| l.kind.code()),
                    link.map(|l| l.url.as_str()),
                    link.and_then(|l| l.expires_at).map(to_secs),
                ])
            })
            .collect(),
    )
}

impl Tx {
    /// Which of these people already applied to the class: their email and person keys.
    pub async fn existing_people(
        &mut self,
        class_id: ClassId,
        email_keys: &[String],
        person_keys: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        if email_keys.is_empty() && person_keys.is_empty() {
            return Ok(Vec::new());
        }
        // Two lookups on the two unique indexes, not one OR that may read the whole class.
        // The keys travel as one array each, so the SQL is the same for every batch size.
        Ok(match &mut self.inner {
            TxInner::Sqlite(t) => {
                let sql = "SELECT email_key, person_key FROM applications \
                           WHERE class_id = $1 AND email_key IN (SELECT value FROM json_each($2)) \
                           UNION ALL \
                           SELECT email_key, person_key FROM applications \
                           WHERE class_id = $1 AND person_key IN (SELECT value FROM json_each($3))";
                sqlx::query_as(sql)
                    .bind(class_id)
                    .bind(serde_json::to_string(email_keys).unwrap_or_default())
                    .bind(serde_json::to_string(person_keys).unwrap_or_default())
                    .fetch_all(&mut **t)
                    .await?
            }
            TxInner::Postgres(t) => {
                let sql = "SELECT email_key, person_key FROM applications WHERE class_id = $1 AND email_key = ANY($2) \
                           UNION ALL \
                           SELECT email_key, person_key FROM applications WHERE class_id = $1 AND person_key = ANY($3)";
                sqlx::query_as(sql)
                    .bind(class_id)
                    .bind(email_keys)
                    .bind(person_keys)
                    .fetch_all(&mut **t)
                    .await?
            }
        })
    }

    /// Stores what a registration batch decided: its applications, the idempotency keys
    /// that name them, sign-in links and messages; returns `(class, rank, id)` for each
    /// application. On SQLite all of it is one multi-statement query: every statement is
    /// a hand-off to the connection's thread and back, and with the load generator on
    /// the same cores each hand-off waits for a core, so the writer's batch time was set
    /// by how many it made, not by the work.
    pub async fn store_batch(
        &mut self,
        batch: &BatchWrite<'_>,
        now: Timestamp,
    ) -> Result<Vec<(ClassId, i64, ApplicationId)>, StoreError> {
        for m in &batch.messages {
            m.check()?;
        }
        if let TxInner::Sqlite(t) = &mut self.inner {
            static SQL: LazyLock<String> = LazyLock::new(|| {
                // $1 applications, $2 now, $3 idempotency keys, $4 links, $5 messages.
                // A key names its application by class and rank, the pair the first
                // statement just wrote (unique per class), so no id travels back first.
                format!(
                    "{}; INSERT INTO idempotency_keys ({IDEMPOTENCY_COLUMNS}) \
                     SELECT value ->> 0, value ->> 1, \
                     (SELECT id FROM applications WHERE class_id = value ->> 2 AND queue_rank = value ->> 3), $2 \
                     FROM json_each($3); {}; {}",
                    sqlite_placed_sql(1, 2),
                    sqlite_links_sql(4, 2),
                    sqlite_outbox_sql(5)
                )
            });
            let keys = batch
                .remembered
                .iter()
                .map(|(key, fp, class_id, rank)| serde_json::json!([key, fp, class_id, rank]))
                .collect();
            return Ok(sqlx::query_as(AssertSqlSafe(SQL.as_str()))
                .bind(placed_json(&batch.placed))
                .bind(to_secs(now))
                .bind(json_rows(keys))
                .bind(links_json(&batch.links))
                .bind(outbox_json(&batch.messages, now))
                .fetch_all(&mut **t)
                .await?);
        }
        let ids = self.insert_placed(&batch.placed, now).await?;
        let by_rank: HashMap<(ClassId, i64), ApplicationId> = ids.iter().map(|&(c, r, id)| ((c, r), id)).collect();
        let remembered = batch
            .remembered
            .iter()
            .map(|(key, fp, class_id, rank)| match by_rank.get(&(*class_id, *rank)) {
                Some(id) => Ok((key, fp, *id)),
                None => Err(StoreError::Corrupt(format!(
                    "class {class_id}: rank {rank} has an idempotency key but no application"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.remember_idempotency_many(&remembered, now).await?;
        self.insert_access_links(&batch.links, now).await?;
        self.enqueue_many(&batch.messages, now).await?;
        Ok(ids)
    }

    /// Stores placed applications with multi-row INSERTs (PostgreSQL's half of
    /// [`Tx::store_batch`]); returns `(class, rank, id)` triples.
    async fn insert_placed(
        &mut self,
        rows: &[PlacedApplication<'_>],
        now: Timestamp,
    ) -> Result<Vec<(ClassId, i64, ApplicationId)>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            // $1 is the shared timestamp; each row has PLACED_WIDTH values after it.
            let tuples: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let cols: Vec<String> = (0..PLACED_WIDTH)
                        .map(|c| format!("${}", 2 + r * PLACED_WIDTH + c))
                        .collect();
                    format!("({}, $1, $1)", cols.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO applications ({PLACED_COLUMNS}) VALUES {} RETURNING class_id, queue_rank, id",
                tuples.join(", ")
            );
            let ids: Vec<(ClassId, i64, ApplicationId)> = on_tx!(self, c => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.clone())).bind(to_secs(now));
                for row in chunk {
                    let a = row.applicant;
                    let (email_key, person_key) = row_keys(a);
                    q = q
                        .bind(row.class_id).bind(row.status.code()).bind(row.channel.code())
                        .bind(&a.first_name).bind(&a.last_name).bind(&a.email)
                        .bind(email_key).bind(person_key)
                        .bind(&a.phone).bind(a.date_of_birth.to_string()).bind(&a.city)
                        .bind(a.affiliation.code()).bind(&a.organization).bind(&a.emergency_name)
                        .bind(&a.emergency_phone).bind(a.waiver_accepted).bind(row.rank);
                }
                q.fetch_all(c).await
            })?;
            out.extend(ids);
        }
        Ok(out)
    }

    /// Remembers idempotency keys with multi-row INSERTs (PostgreSQL's half of
    /// [`Tx::store_batch`]).
    async fn remember_idempotency_many(
        &mut self,
        rows: &[(&String, &String, ApplicationId)],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO idempotency_keys ({IDEMPOTENCY_COLUMNS}) VALUES {}",
                value_tuples(chunk.len(), 4)
            );
            on_tx!(self, c => {
                let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                for (key, fp, id) in chunk {
                    q = q.bind(*key).bind(*fp).bind(*id).bind(to_secs(now));
                }
                q.execute(c).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Stores sign-in links with multi-row INSERTs (PostgreSQL's half of
    /// [`Tx::store_batch`]).
    async fn insert_access_links(&mut self, links: &[NewLink], now: Timestamp) -> Result<(), StoreError> {
        for chunk in links.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO access_links ({LINK_COLUMNS}) VALUES {}",
                value_tuples(chunk.len(), 4)
            );
            on_tx!(self, c => {
                let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                for (hash, key, expires) in chunk {
                    q = q.bind(hash).bind(key).bind(to_secs(*expires)).bind(to_secs(now));
                }
                q.execute(c).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Queues many messages in few statements.
    pub async fn enqueue_many(&mut self, messages: &[OutgoingMessage], now: Timestamp) -> Result<(), StoreError> {
        for m in messages {
            m.check()?;
        }
        if messages.is_empty() {
            return Ok(());
        }
        if let TxInner::Sqlite(t) = &mut self.inner {
            sqlx::query(AssertSqlSafe(sqlite_outbox_sql(1)))
                .bind(outbox_json(messages, now))
                .execute(&mut **t)
                .await?;
            return Ok(());
        }
        for chunk in messages.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO outbox ({INSERT_COLUMNS}) VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
                value_tuples(chunk.len(), 10)
            );
            on_tx!(self, c => {
                let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                for m in chunk {
                    let link = m.link.as_ref();
                    q = q.bind(m.kind).bind(&m.recipient).bind(&m.subject).bind(&m.body_text)
                        .bind(&m.dedupe_key).bind(&m.unsubscribe_url).bind(to_secs(now))
                        .bind(link.map(|l| l.kind.code())).bind(link.map(|l| l.url.as_str()))
                        .bind(link.and_then(|l| l.expires_at).map(to_secs));
                }
                q.execute(c).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}
