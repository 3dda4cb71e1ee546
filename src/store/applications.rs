//! Applications, the waitlist, applicant links and sessions: the SQL
//! behind registration. Decisions (who is eligible, where an application goes) come
//! from `domain`; this module only reads facts and writes outcomes, inside the caller's
//! transaction.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::AssertSqlSafe;

use super::{Store, StoreError, Tx, TxInner, dispatch, from_secs, on_tx, to_secs};
use crate::domain::application::Allocation;
use crate::domain::{Affiliation, Applicant, ApplicationId, ApplicationStatus, ClassId, ClassStatus, Eligibility};

/// Where an application comes from: a resident online, or staff entering one by phone
/// or at the counter (which may use the held-back seats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Online,
    Staff,
}

impl Channel {
    pub(super) fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Staff => "staff",
        }
    }
}

/// What allocation needs to know about a class, read under the class lock.
#[derive(Debug, Clone)]
pub struct ClassForAllocation {
    pub id: ClassId,
    pub name: String,
    pub program_name: String,
    pub program_kind: String,
    pub status: ClassStatus,
    pub allocation: Allocation,
    pub capacity: i64,
    pub held_back_seats: i64,
    pub registration_opens_at: Option<Timestamp>,
    pub registration_closes_at: Option<Timestamp>,
    pub priority_until: Option<Timestamp>,
    pub priority_affiliations: Vec<Affiliation>,
    pub offer_hours: i64,
    pub corrections_until: Option<Timestamp>,
    pub first_session_at: Option<Timestamp>,
    pub eligibility: Eligibility,
    pub first_day: Option<Date>,
    pub department_name: String,
    /// The places that count as living in the city (the city, then the service area).
    pub service_area: Vec<String>,
    pub time_zone: String,
}

impl ClassForAllocation {
    /// Seats a channel may fill: online applicants leave the held-back seats to staff.
    pub fn capacity_for(&self, channel: Channel) -> i64 {
        match channel {
            Channel::Online => crate::domain::class::online_seats(self.capacity, self.held_back_seats),
            Channel::Staff => self.capacity,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ClassAllocRow {
    id: ClassId,
    name: String,
    program_name: String,
    program_kind: String,
    status: String,
    allocation: String,
    capacity: i64,
    held_back_seats: i64,
    registration_opens_at: Option<i64>,
    registration_closes_at: Option<i64>,
    priority_until: Option<i64>,
    priority_affiliations: String,
    offer_hours: i64,
    corrections_until: Option<i64>,
    first_session_at: Option<i64>,
    eligibility: String,
    first_day: Option<String>,
    department_name: Option<String>,
    department_city: Option<String>,
    service_area: Option<String>,
    time_zone: Option<String>,
}

/// What allocation reads about a class (a macro so both queries below are literals).
macro_rules! class_alloc_columns {
    () => {
        "c.id, c.name, p.name AS program_name, p.kind AS program_kind, c.status, \
        c.allocation, c.capacity, c.held_back_seats, c.registration_opens_at, c.registration_closes_at, \
        c.priority_until, c.priority_affiliations, c.offer_hours, c.corrections_until, \
        (SELECT MIN(s.starts_at) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) AS first_session_at, \
        p.eligibility, \
        (SELECT MIN(s.local_date) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) AS first_day, \
        d.name AS department_name, d.city AS department_city, d.service_area, d.time_zone"
    };
}

const CLASS_ALLOC_SQL: &str = concat!(
    "SELECT ",
    class_alloc_columns!(),
    " FROM classes c JOIN programs p ON p.id = c.program_id LEFT JOIN department d ON d.id = 1 \
     WHERE c.id = $1 AND p.published"
);

/// The same, with the class's counts row (kept by triggers), for the registrar.
const CLASS_ALLOC_COUNTED_SQL: &str = concat!(
    "SELECT ",
    class_alloc_columns!(),
    ", COALESCE(k.held, 0) AS held, COALESCE(k.waitlisted, 0) AS waitlisted, \
     COALESCE(k.last_rank, 0) AS last_rank \
     FROM classes c JOIN programs p ON p.id = c.program_id LEFT JOIN department d ON d.id = 1 \
     LEFT JOIN class_counts k ON k.class_id = c.id \
     WHERE c.id = $1 AND p.published"
);

#[derive(sqlx::FromRow)]
struct CountedClassRow {
    #[sqlx(flatten)]
    class: ClassAllocRow,
    held: i64,
    waitlisted: i64,
    last_rank: i64,
}

impl TryFrom<ClassAllocRow> for ClassForAllocation {
    type Error = StoreError;
    fn try_from(r: ClassAllocRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("class {}: {what}", r.id));
        Ok(ClassForAllocation {
            status: ClassStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            allocation: Allocation::parse(&r.allocation).ok_or_else(|| bad("allocation"))?,
            registration_opens_at: r.registration_opens_at.map(from_secs).transpose()?,
            registration_closes_at: r.registration_closes_at.map(from_secs).transpose()?,
            priority_until: r.priority_until.map(from_secs).transpose()?,
            corrections_until: r.corrections_until.map(from_secs).transpose()?,
            first_session_at: r.first_session_at.map(from_secs).transpose()?,
            priority_affiliations: serde_json::from_str(&r.priority_affiliations)
                .map_err(|_| bad("priority affiliations"))?,
            eligibility: Eligibility::from_json(&r.eligibility).map_err(|_| bad("eligibility"))?,
            first_day: r
                .first_day
                .map(|d| d.parse())
                .transpose()
                .map_err(|_| bad("first day"))?,
            department_name: r.department_name.unwrap_or_else(|| "Police Department".into()),
            service_area: crate::domain::eligibility::service_places(
                r.department_city.as_deref().unwrap_or_default(),
                r.service_area.as_deref().unwrap_or_default(),
            ),
            time_zone: r.time_zone.unwrap_or_else(|| "UTC".into()),
            id: r.id,
            name: r.name,
            program_name: r.program_name,
            program_kind: r.program_kind,
            capacity: r.capacity,
            held_back_seats: r.held_back_seats,
            offer_hours: r.offer_hours,
        })
    }
}

/// An application as its owner sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRecord {
    pub id: ApplicationId,
    pub class_id: ClassId,
    #[sqlx(try_from = "String")]
    pub status: StatusCode,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub queue_rank: i64,
    pub offer_expires_at: Option<i64>,
    pub created_at: i64,
    /// When the owner's withdrawal takes effect, while they can still take it back.
    pub withdraw_at: Option<i64>,
}

/// A stored status code, checked on read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCode(pub ApplicationStatus);

impl TryFrom<String> for StatusCode {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self, StoreError> {
        ApplicationStatus::parse(&s)
            .map(StatusCode)
            .ok_or_else(|| StoreError::Corrupt(format!("status {s:?}")))
    }
}

const APPLICATION_COLUMNS: &str = "id, class_id, status, first_name, last_name, email, phone, city, \
     emergency_name, emergency_phone, queue_rank, offer_expires_at, created_at, withdraw_at";

/// The seat-holding statuses as an SQL list, from the one definition in `domain`.
pub(crate) fn holding_list() -> String {
    status_list(ApplicationStatus::HOLDING_SEAT)
}

/// Statuses as an SQL list: `('a', 'b')`.
fn status_list(statuses: &[ApplicationStatus]) -> String {
    let codes: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.code())).collect();
    format!("({})", codes.join(", "))
}

impl Tx {
    /// Reads a class for allocation and locks it against concurrent allocation. On
    /// PostgreSQL the row lock serializes every instance's writers for this class; on
    /// SQLite `BEGIN IMMEDIATE` already holds the database write lock.
    pub async fn lock_class(&mut self, id: ClassId) -> Result<Option<ClassForAllocation>, StoreError> {
        let row: Option<ClassAllocRow> = self.lock_class_reading(id, CLASS_ALLOC_SQL).await?;
        row.map(ClassForAllocation::try_from).transpose()
    }

    /// [`Tx::lock_class`] and [`Tx::allocation_counts`] in one statement: the registrar
    /// reads both for every class of every batch, and on SQLite each statement is a
    /// round trip to the connection's thread.
    pub async fn lock_class_counted(
        &mut self,
        id: ClassId,
    ) -> Result<Option<(ClassForAllocation, (i64, i64, i64))>, StoreError> {
        let row: Option<CountedClassRow> = self.lock_class_reading(id, CLASS_ALLOC_COUNTED_SQL).await?;
        row.map(|r| Ok((r.class.try_into()?, (r.held, r.waitlisted, r.last_rank))))
            .transpose()
    }

    /// Locks class `id` as [`Tx::lock_class`] says, then reads `sql` (bound to the id).
    async fn lock_class_reading<R>(&mut self, id: ClassId, sql: &'static str) -> Result<Option<R>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        Ok(match &mut self.inner {
            TxInner::Sqlite(t) => sqlx::query_as(sql).bind(id).fetch_optional(&mut **t).await?,
            TxInner::Postgres(t) => {
                sqlx::query("SELECT id FROM classes WHERE id = $1 FOR UPDATE")
                    .bind(id)
                    .execute(&mut **t)
                    .await?;
                sqlx::query_as(sql).bind(id).fetch_optional(&mut **t).await?
            }
        })
    }

    /// Seats held in a class (confirmed, under review, offered, finished).
    pub async fn seats_held(&mut self, class_id: ClassId) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM applications WHERE class_id = $1 AND status IN {}",
            holding_list()
        );
        Ok(on_tx!(self, c => sqlx::query_scalar(AssertSqlSafe(sql)).bind(class_id).fetch_one(c).await)?)
    }

    /// The applications earlier requests with these keys created: key, fingerprint, id.
    /// One statement for a whole batch (the public form sends a key with every request).
    pub async fn idempotent_results(
        &mut self,
        keys: &[&str],
    ) -> Result<Vec<(String, String, ApplicationId)>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match &mut self.inner {
            TxInner::Sqlite(t) => {
                let sql = "SELECT key, fingerprint, application_id FROM idempotency_keys \
                           WHERE key IN (SELECT value FROM json_each($1))";
                sqlx::query_as(sql)
                    .bind(serde_json::to_string(keys).unwrap_or_default())
                    .fetch_all(&mut **t)
                    .await?
            }
            TxInner::Postgres(t) => {
                let sql = "SELECT key, fingerprint, application_id FROM idempotency_keys WHERE key = ANY($1)";
                sqlx::query_as(sql).bind(keys).fetch_all(&mut **t).await?
            }
        })
    }

    /// Stores a checked application in `status`, at the end of the class's queue.
    pub async fn insert_application(
        &mut self,
        class_id: ClassId,
        a: &Applicant,
        status: ApplicationStatus,
        channel: Channel,
        now: Timestamp,
    ) -> Result<ApplicationId, StoreError> {
        let sql = "INSERT INTO applications (class_id, status, channel, first_name, last_name, email, email_key, \
                       person_key, phone, date_of_birth, city, affiliation, organization, emergency_name, \
                       emergency_phone, waiver_accepted, queue_rank, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                       (SELECT COALESCE(MAX(queue_rank), 0) + 1 FROM applications WHERE class_id = $1), $17, $17) \
                   RETURNING id";
        let email_key = crate::domain::application::email_key(&a.email);
        let person_key = crate::domain::application::person_key(&a.first_name, &a.last_name, a.date_of_birth);
        Ok(on_tx!(self, c => sqlx::query_scalar(sql)
            .bind(class_id).bind(status.code()).bind(channel.code()).bind(&a.first_name).bind(&a.last_name)
            .bind(&a.email).bind(&email_key).bind(&person_key).bind(&a.phone).bind(a.date_of_birth.to_string())
            .bind(&a.city).bind(a.affiliation.code()).bind(&a.organization).bind(&a.emergency_name)
            .bind(&a.emergency_phone).bind(a.waiver_accepted).bind(to_secs(now))
            .fetch_one(c).await)?)
    }

    /// Status and waitlist position (1-based, for waitlisted applications) of one application.
    pub async fn standing(
        &mut self,
        id: ApplicationId,
    ) -> Result<Option<(ApplicationStatus, Option<i64>)>, StoreError> {
        let sql = "SELECT a.status, CASE WHEN a.status = 'waitlisted' THEN \
                       (SELECT COUNT(*) FROM applications w WHERE w.class_id = a.class_id \
                        AND w.status = 'waitlisted' AND w.queue_rank <= a.queue_rank) END \
                   FROM applications a WHERE a.id = $1";
        let row: Option<(String, Option<i64>)> =
            on_tx!(self, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
        row.map(|(s, pos)| Ok((StatusCode::try_from(s)?.0, pos))).transpose()
    }

    /// Stores a sign-in link (its hash) for everything filed under an email.
    pub async fn insert_access_link(
        &mut self,
        token_hash: &str,
        email_key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO access_links (token_hash, email_key, expires_at, created_at) VALUES ($1, $2, $3, $4)";
        on_tx!(self, c => sqlx::query(sql).bind(token_hash).bind(email_key).bind(to_secs(expires_at)).bind(to_secs(now))
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// One application by id (any owner): for actions that check ownership themselves.
    pub async fn application(&mut self, id: ApplicationId) -> Result<Option<ApplicationRecord>, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1");
        Ok(on_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?)
    }

    /// Schedules the owner's withdrawal for `at`; false if the application cannot be
    /// withdrawn or a withdrawal is already scheduled.
    pub async fn schedule_withdrawal(
        &mut self,
        id: ApplicationId,
        at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE applications SET withdraw_at = $1, updated_at = $2 \
             WHERE id = $3 AND withdraw_at IS NULL AND status IN {}",
            status_list(ApplicationStatus::WITHDRAWABLE)
        );
        let n = on_tx!(self, c => sqlx::query(AssertSqlSafe(sql)).bind(to_secs(at)).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Takes back a scheduled withdrawal that has not taken effect; false if there is none
    /// or its time has come.
    pub async fn keep_application(&mut self, id: ApplicationId, now: Timestamp) -> Result<bool, StoreError> {
        let sql = "UPDATE applications SET withdraw_at = NULL, updated_at = $1 WHERE id = $2 AND withdraw_at > $1";
        let n = on_tx!(self, c => sqlx::query(sql).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Forgets a scheduled withdrawal the application can no longer carry out.
    pub async fn clear_withdrawal(&mut self, id: ApplicationId) -> Result<(), StoreError> {
        let sql = "UPDATE applications SET withdraw_at = NULL WHERE id = $1";
        on_tx!(self, c => sqlx::query(sql).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Moves an application to `status`, but only from one of `from`; false if it was not
    /// in one of those (someone else acted first).
    pub async fn set_status(
        &mut self,
        id: ApplicationId,
        from: &[ApplicationStatus],
        to: ApplicationStatus,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.code())).collect();
        let sql = format!(
            "UPDATE applications SET status = $1, offer_expires_at = NULL, withdraw_at = NULL, updated_at = $2 \
             WHERE id = $3 AND status IN ({})",
            from.join(", ")
        );
        let n = on_tx!(self, c => sqlx::query(AssertSqlSafe(sql)).bind(to.code()).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The first `limit` people waiting for a seat in the class, in queue order:
    /// (application, email, first name).
    pub async fn waitlist_head(
        &mut self,
        class_id: ClassId,
        limit: i64,
    ) -> Result<Vec<(ApplicationId, String, String)>, StoreError> {
        let sql = "SELECT id, email, first_name FROM applications WHERE class_id = $1 AND status = 'waitlisted' \
                   ORDER BY queue_rank LIMIT $2";
        Ok(on_tx!(self, c => sqlx::query_as(sql).bind(class_id).bind(limit).fetch_all(c).await)?)
    }

    /// Turns a waiting application into an offer that runs out at `expires_at`.
    pub async fn mark_offered(
        &mut self,
        id: ApplicationId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE applications SET status = 'offered', offer_expires_at = $1, updated_at = $2 \
                   WHERE id = $3 AND status = 'waitlisted'";
        on_tx!(self, c => sqlx::query(sql).bind(to_secs(expires_at)).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Expires the class's offers that ran out by `now` (`domain::waitlist::offer_expired`,
    /// written as SQL); returns them.
    pub async fn expire_offers_of(
        &mut self,
        class_id: ClassId,
        now: Timestamp,
    ) -> Result<Vec<ApplicationRecord>, StoreError> {
        let sql = format!(
            "UPDATE applications SET status = 'expired', updated_at = $1 \
             WHERE class_id = $2 AND status = 'offered' AND offer_expires_at <= $1 RETURNING {APPLICATION_COLUMNS}"
        );
        Ok(on_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql)).bind(to_secs(now)).bind(class_id).fetch_all(c).await)?)
    }

    /// Opens an applicant session for an email; stores only the hash of its id.
    pub async fn insert_applicant_session(
        &mut self,
        id_hash: &str,
        email_key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO applicant_sessions (id_hash, email_key, expires_at, created_at) VALUES ($1, $2, $3, $4)";
        on_tx!(self, c => sqlx::query(sql).bind(id_hash).bind(email_key).bind(to_secs(expires_at)).bind(to_secs(now))
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Uses a sign-in link once: returns its email if it was valid, unused and unexpired.
    pub async fn consume_access_link(
        &mut self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        let sql = "UPDATE access_links SET used_at = $1 \
                   WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING email_key";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(to_secs(now)).bind(token_hash).fetch_optional(c).await)?)
    }

    /// Whether any application is filed under this email.
    pub async fn has_applications(&mut self, email_key: &str) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM applications WHERE email_key = $1";
        let n: i64 = on_tx!(self, c => sqlx::query_scalar(sql).bind(email_key).fetch_one(c).await)?;
        Ok(n > 0)
    }
}

impl Tx {
    /// Replaces an application's contact details.
    pub async fn correct_contact(
        &mut self,
        id: ApplicationId,
        c: &crate::domain::application::ContactCorrection,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE applications SET phone = $1, emergency_name = $2, emergency_phone = $3, updated_at = $4 \
                   WHERE id = $5";
        on_tx!(self, conn => sqlx::query(sql).bind(&c.phone).bind(&c.emergency_name).bind(&c.emergency_phone)
            .bind(to_secs(now)).bind(id).execute(conn).await.map(|_| ()))?;
        Ok(())
    }

    /// Sets a class's capacity unless that is below the seats held, counted in the same
    /// statement; false if refused. Call with the class locked (`lock_class`) after
    /// checking the rule: the count here is a second guard, so no path that skips the
    /// lock can leave a class holding more seats than it has.
    pub async fn set_capacity(&mut self, class_id: ClassId, capacity: i64, now: Timestamp) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE classes SET capacity = $1, updated_at = $2 WHERE id = $3 \
             AND $1 >= (SELECT COUNT(*) FROM applications WHERE class_id = $3 AND status IN {})",
            holding_list()
        );
        let n = on_tx!(self, c => sqlx::query(AssertSqlSafe(sql)).bind(capacity).bind(to_secs(now)).bind(class_id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Store {
    /// A class with its registration rules, read outside a transaction (for pages).
    pub async fn class_for_allocation(&self, id: ClassId) -> Result<Option<ClassForAllocation>, StoreError> {
        let row: Option<ClassAllocRow> =
            dispatch!(&self.pool, p => sqlx::query_as(CLASS_ALLOC_SQL).bind(id).fetch_optional(p).await)?;
        row.map(ClassForAllocation::try_from).transpose()
    }
}

impl Store {
    /// The email an applicant session belongs to, if the session is valid.
    pub async fn applicant_session(&self, id_hash: &str, now: Timestamp) -> Result<Option<String>, StoreError> {
        let sql = "SELECT email_key FROM applicant_sessions WHERE id_hash = $1 AND expires_at > $2";
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(id_hash).bind(to_secs(now)).fetch_optional(p).await)?,
        )
    }

    /// Ends an applicant session.
    pub async fn end_applicant_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM applicant_sessions WHERE id_hash = $1";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(id_hash).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Applications whose scheduled withdrawal is due, oldest first (a partial index
    /// holds only scheduled ones).
    pub async fn due_withdrawals(&self, now: Timestamp, limit: i64) -> Result<Vec<ApplicationId>, StoreError> {
        let sql = "SELECT id FROM applications WHERE withdraw_at <= $1 ORDER BY withdraw_at, id LIMIT $2";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(to_secs(now)).bind(limit).fetch_all(p).await)?)
    }

    /// Every application filed under an email, newest first.
    pub async fn applications_of(&self, email_key: &str) -> Result<Vec<ApplicationRecord>, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE email_key = $1 ORDER BY id DESC");
        Ok(dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(email_key).fetch_all(p).await)?)
    }

    /// Waitlist position of an application (1-based), when it is waitlisted.
    pub async fn waitlist_position(&self, id: ApplicationId) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT COUNT(*) FROM applications w JOIN applications a ON a.class_id = w.class_id \
                   WHERE a.id = $1 AND a.status = 'waitlisted' AND w.status = 'waitlisted' \
                   AND w.queue_rank <= a.queue_rank";
        let n: i64 = dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(id).fetch_one(p).await)?;
        Ok((n > 0).then_some(n))
    }

    /// Counts of a class's applications by status, for tests, reports and the API.
    pub async fn status_counts(&self, class_id: ClassId) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = "SELECT status, COUNT(*) FROM applications WHERE class_id = $1 GROUP BY status ORDER BY status";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// Waitlisted application ids of a class in queue order.
    pub async fn waitlist(&self, class_id: ClassId) -> Result<Vec<ApplicationId>, StoreError> {
        let sql = "SELECT id FROM applications WHERE class_id = $1 AND status = 'waitlisted' ORDER BY queue_rank";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// Classes with offers that ran out by `now`.
    pub async fn classes_with_expired_offers(&self, now: Timestamp) -> Result<Vec<ClassId>, StoreError> {
        let sql = "SELECT DISTINCT class_id FROM applications WHERE status = 'offered' AND offer_expires_at <= $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(to_secs(now)).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Seats held, people waitlisted and the last queue rank of a class, in one query, so
    /// a batch can place its applications without asking again for each.
    pub async fn allocation_counts(&mut self, class_id: ClassId) -> Result<(i64, i64, i64), StoreError> {
        // Kept by triggers (migration 0029), so this is one row however full the class.
        let sql = "SELECT held, waitlisted, last_rank FROM class_counts WHERE class_id = $1";
        let counts: Option<(i64, i64, i64)> =
            on_tx!(self, c => sqlx::query_as(sql).bind(class_id).fetch_optional(c).await)?;
        Ok(counts.unwrap_or((0, 0, 0)))
    }

    /// The same three numbers counted over the class's rows: what the triggers must keep.
    pub async fn recount(&mut self, class_id: ClassId) -> Result<(i64, i64, i64), StoreError> {
        let sql = format!(
            "SELECT COALESCE(SUM(CASE WHEN status IN {} THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0), \
                    COALESCE(MAX(queue_rank), 0) \
             FROM applications WHERE class_id = $1",
            holding_list()
        );
        Ok(on_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql)).bind(class_id).fetch_one(c).await)?)
    }
}

impl Store {
    /// `(email, status)` of every application to a class (crash and restore checks).
    pub async fn applications_in_class(&self, class_id: ClassId) -> Result<Vec<(String, String)>, StoreError> {
        let sql = "SELECT email, status FROM applications WHERE class_id = $1 ORDER BY id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }
}

impl Store {
    /// Ids of every application to a class, in the order of [`Store::applications_in_class`].
    pub async fn application_ids_in_class(&self, class_id: ClassId) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT id FROM applications WHERE class_id = $1 ORDER BY id";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(class_id).fetch_all(p).await)?)
    }
}
