//! Staff sign-in, sessions, API tokens, the audit log and the back office's reads.

use jiff::Timestamp;
use sqlx::AssertSqlSafe;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::audit::AuditAction;
use crate::domain::{ApplicationId, ClassId, Role, StaffId};

/// What sign-in needs to know about an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffCredentials {
    pub id: StaffId,
    pub full_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
}

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: StaffId,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    /// Whether the account signs in with a second factor.
    pub totp_enabled: bool,
}

#[derive(sqlx::FromRow)]
struct StaffUserRow {
    id: StaffId,
    full_name: String,
    email: String,
    role: String,
    totp_enabled: bool,
}

impl TryFrom<StaffUserRow> for StaffUser {
    type Error = StoreError;
    fn try_from(r: StaffUserRow) -> Result<Self, StoreError> {
        Ok(StaffUser {
            role: Role::parse(&r.role)
                .ok_or_else(|| StoreError::Corrupt(format!("staff {}: role {:?}", r.id, r.role)))?,
            id: r.id,
            full_name: r.full_name,
            email: r.email,
            totp_enabled: r.totp_enabled,
        })
    }
}

/// One row of a class roster.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterRow {
    pub id: ApplicationId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    pub channel: String,
    pub queue_rank: i64,
    pub created_at: i64,
    /// When the applicant's withdrawal takes effect, while they can still take it back.
    pub withdraw_at: Option<i64>,
}

/// The columns of a [`RosterRow`].
const ROSTER_COLUMNS: &str =
    "id, first_name, last_name, email, phone, status, channel, queue_rank, created_at, withdraw_at";

/// An application waiting for review, with its class.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueueRow {
    pub id: ApplicationId,
    pub class_id: ClassId,
    pub class_name: String,
    pub program_name: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: i64,
}

/// One audit entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// A change to record in the audit log.
pub struct AuditRecord<'a> {
    pub actor: &'a str,
    pub action: crate::domain::audit::AuditAction,
    pub object_type: &'a str,
    pub object_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Store {
    /// The account signing in with `email` (case-insensitive).
    pub async fn staff_credentials(&self, email: &str) -> Result<Option<StaffCredentials>, StoreError> {
        let sql = "SELECT id, full_name, role, password_hash, active, \
                   totp_secret, totp_enabled, totp_last_step FROM staff WHERE email = $1";
        let key = email.trim().to_lowercase();
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(&key).fetch_optional(p).await)?)
    }

    /// Sets a staff member's password hash and ends their other sessions, so a changed
    /// password locks out whoever had the old one. Returns false for an unknown email.
    pub async fn set_staff_password(&self, email: &str, hash: &str) -> Result<bool, StoreError> {
        let key = email.trim().to_lowercase();
        let mut tx = self.begin().await?;
        let id: Option<StaffId> = on_tx!(tx, c => sqlx::query_scalar("UPDATE staff SET password_hash = $1 WHERE email = $2 RETURNING id")
            .bind(hash).bind(&key).fetch_optional(c).await)?;
        let Some(id) = id else { return Ok(false) };
        on_tx!(tx, c => sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1").bind(id).execute(c).await.map(|_| ()))?;
        tx.commit().await?;
        Ok(true)
    }

    /// The newest failed sign-ins of `client` since `since` (seconds), at most `limit`:
    /// when each happened and the hash of the email it was against.
    pub async fn recent_sign_in_failures(
        &self,
        client: &str,
        since: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let sql = "SELECT at, email_hash FROM sign_in_failures WHERE client = $1 AND at > $2 \
                   ORDER BY at DESC LIMIT $3";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(client).bind(since).bind(limit).fetch_all(p).await)?)
    }

    /// Counts a failed sign-in of `client` against the email hashed as `email_hash`.
    pub async fn record_sign_in_failure(
        &self,
        client: &str,
        email_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO sign_in_failures (client, email_hash, at) VALUES ($1, $2, $3)";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(client).bind(email_hash).bind(to_secs(at)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Forgets `client`'s failures against one email once it has signed in with it.
    pub async fn clear_sign_in_failures(&self, client: &str, email_hash: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM sign_in_failures WHERE client = $1 AND email_hash = $2";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(client).bind(email_hash).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Forgets failed sign-ins from before `before` (seconds); returns how many went.
    pub async fn prune_sign_in_failures(&self, before: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM sign_in_failures WHERE at < $1";
        Ok(dispatch!(&self.pool, p => sqlx::query(sql).bind(before).execute(p).await.map(|r| r.rows_affected()))?)
    }

    /// Opens a session after a successful sign-in. Any session id the browser had before
    /// is not reused (no session fixation): the id is new and only its hash is stored.
    pub async fn open_staff_session(
        &self,
        id: StaffId,
        id_hash: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO staff_sessions (id_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
        dispatch!(&self.pool, p => sqlx::query(sql)
            .bind(id_hash).bind(id).bind(to_secs(now)).bind(to_secs(expires_at)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The active staff member a session belongs to.
    pub async fn staff_session(&self, id_hash: &str, now: Timestamp) -> Result<Option<StaffUser>, StoreError> {
        let sql = "SELECT s.id, s.full_name, s.email, s.role, s.totp_enabled FROM staff_sessions x JOIN staff s ON s.id = x.staff_id \
                   WHERE x.id_hash = $1 AND x.expires_at > $2 AND s.active";
        let row: Option<StaffUserRow> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id_hash).bind(to_secs(now)).fetch_optional(p).await)?;
        row.map(StaffUser::try_from).transpose()
    }

    /// Ends one session.
    pub async fn end_staff_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM staff_sessions WHERE id_hash = $1";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(id_hash).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Creates an API token for a role; returns its id.
    pub async fn insert_api_token(
        &self,
        name: &str,
        role: Role,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<crate::domain::TokenId, StoreError> {
        let sql = "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(name).bind(role.code()).bind(token_hash)
            .bind(to_secs(now)).fetch_one(p).await)?,
        )
    }

    /// The name and role of a valid (unrevoked) token.
    pub async fn api_token(&self, token_hash: &str) -> Result<Option<(String, Role)>, StoreError> {
        // A token made in the back office dies with its maker's account.
        let sql = "SELECT t.name, t.role FROM api_tokens t LEFT JOIN staff s ON s.id = t.staff_id \
                   WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.staff_id IS NULL OR s.active)";
        let row: Option<(String, String)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(token_hash).fetch_optional(p).await)?;
        row.map(|(name, role)| {
            Role::parse(&role)
                .map(|r| (name, r))
                .ok_or_else(|| StoreError::Corrupt(format!("token role {role:?}")))
        })
        .transpose()
    }

    /// Revokes a token by name; returns whether one was revoked.
    pub async fn revoke_api_token(&self, name: &str, now: Timestamp) -> Result<bool, StoreError> {
        let sql = "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL";
        let n = dispatch!(&self.pool, p => sqlx::query(sql).bind(to_secs(now)).bind(name).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Whether a staff member presents at least one session of a class.
    pub async fn presents_in(&self, staff_id: StaffId, class_id: ClassId) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM session_presenters sp JOIN sessions s ON s.id = sp.session_id \
                   WHERE sp.staff_id = $1 AND s.class_id = $2";
        let n: i64 =
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(staff_id).bind(class_id).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// Ids of the classes a staff member presents in.
    pub async fn classes_presented_by(&self, staff_id: StaffId) -> Result<Vec<ClassId>, StoreError> {
        let sql = "SELECT DISTINCT s.class_id FROM session_presenters sp JOIN sessions s ON s.id = sp.session_id \
                   WHERE sp.staff_id = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(staff_id).fetch_all(p).await)?)
    }

    /// A class's applications in queue order.
    pub async fn roster(&self, class_id: ClassId) -> Result<Vec<RosterRow>, StoreError> {
        let sql = format!("SELECT {ROSTER_COLUMNS} FROM applications WHERE class_id = $1 ORDER BY queue_rank");
        Ok(dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(class_id).fetch_all(p).await)?)
    }

    /// Up to `limit` rows of a class roster after `after`, in queue order, optionally of
    /// one status (served by `applications_by_status`, so a rare status in a large class
    /// is not found by walking the whole class).
    pub async fn roster_page(
        &self,
        class_id: ClassId,
        status: Option<crate::domain::ApplicationStatus>,
        after: crate::domain::roster::Cursor,
        limit: i64,
    ) -> Result<Vec<RosterRow>, StoreError> {
        let columns = format!("SELECT {ROSTER_COLUMNS} FROM applications WHERE class_id = $1");
        const KEYSET: &str = "(queue_rank > $2 OR (queue_rank = $2 AND id > $3)) ORDER BY queue_rank, id LIMIT $4";
        Ok(match status {
            None => {
                let sql = format!("{columns} AND {KEYSET}");
                dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(class_id).bind(after.queue_rank)
                    .bind(after.id).bind(limit).fetch_all(p).await)?
            }
            Some(status) => {
                let sql = format!("{columns} AND status = $5 AND {KEYSET}");
                dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(class_id).bind(after.queue_rank)
                    .bind(after.id).bind(limit).bind(status.code()).fetch_all(p).await)?
            }
        })
    }

    /// How many applications of a class are in each status (an index-only count of the
    /// one class).
    pub async fn roster_status_counts(&self, class_id: ClassId) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = "SELECT status, COUNT(*) FROM applications WHERE class_id = $1 GROUP BY status";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// The newest audit entries, optionally of one object type.
    pub async fn audit_entries(&self, object_type: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_entries_before(object_type, None, limit).await
    }

    /// Up to `limit` audit entries older than the entry `before` (or the newest), newest
    /// first, optionally of one object type (served by `audit_by_type`).
    pub async fn audit_entries_before(
        &self,
        object_type: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        const COLUMNS: &str = "SELECT id, at, actor, action, object_type, object_id, before_json, after_json FROM audit_log WHERE id < $1";
        let before = before.unwrap_or(i64::MAX);
        Ok(match object_type {
            None => {
                let sql = format!("{COLUMNS} ORDER BY id DESC LIMIT $2");
                dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(before).bind(limit).fetch_all(p).await)?
            }
            Some(kind) => {
                let sql = format!("{COLUMNS} AND object_type = $3 ORDER BY id DESC LIMIT $2");
                dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(before).bind(limit).bind(kind)
                    .fetch_all(p).await)?
            }
        })
    }

    /// Every audit entry about one object, oldest first.
    pub async fn audit_for(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = "SELECT id, at, actor, action, object_type, object_id, before_json, after_json FROM audit_log \
                   WHERE object_type = $1 AND object_id = $2 ORDER BY id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(object_type).bind(object_id).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Appends an audit entry in the transaction of the change it records.
    pub async fn audit(&mut self, r: &AuditRecord<'_>, now: Timestamp) -> Result<(), StoreError> {
        let sql = "INSERT INTO audit_log (at, actor, action, object_type, object_id, before_json, after_json) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_tx!(self, c => sqlx::query(sql).bind(to_secs(now)).bind(r.actor).bind(r.action.code()).bind(r.object_type)
            .bind(&r.object_id).bind(r.before.as_ref().map(|v| v.to_string())).bind(r.after.as_ref().map(|v| v.to_string()))
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

/// An application as a reviewer sees it (sensitive fields included).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRecord {
    pub id: ApplicationId,
    pub class_id: ClassId,
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub date_of_birth: String,
    pub city: String,
    pub affiliation: String,
    pub organization: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub channel: String,
    pub background_check: String,
    pub decision_reason: Option<String>,
    pub reviewed_by: Option<String>,
}

impl Store {
    /// One application with everything a reviewer needs.
    pub async fn review_record(&self, id: ApplicationId) -> Result<Option<ReviewRecord>, StoreError> {
        let sql = "SELECT id, class_id, status, first_name, last_name, email, phone, date_of_birth, city, affiliation, \
                   organization, emergency_name, emergency_phone, channel, background_check, decision_reason, reviewed_by \
                   FROM applications WHERE id = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)?)
    }
}

impl Tx {
    /// Sets the background-check status; returns the previous one.
    pub async fn set_background_check(
        &mut self,
        id: ApplicationId,
        status: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        let before: Option<String> = on_tx!(self, c => sqlx::query_scalar("SELECT background_check FROM applications WHERE id = $1")
            .bind(id).fetch_optional(c).await)?;
        let sql = "UPDATE applications SET background_check = $1, reviewed_by = $2, reviewed_at = $3, updated_at = $3 WHERE id = $4";
        on_tx!(self, c => sqlx::query(sql).bind(status).bind(actor).bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(before)
    }

    /// Records a decision's reason and reviewer.
    pub async fn record_decision(
        &mut self,
        id: ApplicationId,
        reason: Option<&str>,
        actor: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE applications SET decision_reason = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4";
        on_tx!(self, c => sqlx::query(sql).bind(reason).bind(actor).bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// The background-check status of an application.
    pub async fn background_check(&mut self, id: ApplicationId) -> Result<Option<String>, StoreError> {
        Ok(
            on_tx!(self, c => sqlx::query_scalar("SELECT background_check FROM applications WHERE id = $1")
            .bind(id).fetch_optional(c).await)?,
        )
    }
}

impl Store {
    /// Stores a password-reset link for an active account and queues its email, in one
    /// transaction. Returns false (and does nothing) for unknown or inactive addresses.
    pub async fn start_password_reset(
        &self,
        email: &str,
        token_hash: &str,
        expires_at: Timestamp,
        message: impl FnOnce(&str) -> super::outbox::OutgoingMessage,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let key = email.trim().to_lowercase();
        let mut tx = self.begin().await?;
        let found: Option<(StaffId, String)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, email FROM staff WHERE email = $1 AND active")
            .bind(&key).fetch_optional(c).await)?;
        let Some((id, address)) = found else { return Ok(false) };
        on_tx!(tx, c => sqlx::query("INSERT INTO staff_password_resets (token_hash, staff_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash).bind(id).bind(to_secs(expires_at)).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        tx.enqueue(&message(&address), now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether a reset link is still usable (for showing the form).
    pub async fn password_reset_valid(&self, token_hash: &str, now: Timestamp) -> Result<bool, StoreError> {
        let sql =
            "SELECT COUNT(*) FROM staff_password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        let n: i64 =
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(token_hash).bind(to_secs(now)).fetch_one(p).await)?;
        Ok(n == 1)
    }

    /// Uses a reset link once and sets the new password hash; ends every session of the
    /// account. Returns false if the link is unknown, used or expired.
    pub async fn finish_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let id: Option<StaffId> = on_tx!(tx, c => sqlx::query_scalar(
            "UPDATE staff_password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING staff_id")
            .bind(to_secs(now)).bind(token_hash).fetch_optional(c).await)?;
        let Some(id) = id else { return Ok(false) };
        on_tx!(tx, c => sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
            .bind(password_hash).bind(id).execute(c).await.map(|_| ()))?;
        on_tx!(tx, c => sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1").bind(id).execute(c).await.map(|_| ()))?;
        tx.audit(
            &AuditRecord {
                actor: &format!("staff:{id}"),
                action: AuditAction::StaffPasswordReset,
                object_type: "staff",
                object_id: id.to_string(),
                before: None,
                after: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl Store {
    /// Stores a new, not yet confirmed second-factor secret.
    pub async fn set_pending_totp(&self, id: StaffId, secret: &str) -> Result<(), StoreError> {
        let sql = "UPDATE staff SET totp_secret = $1 WHERE id = $2 AND NOT totp_enabled";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(secret).bind(id).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The stored secret and state of an account's second factor.
    pub async fn totp_state(&self, id: StaffId) -> Result<(Option<String>, bool, Option<i64>), StoreError> {
        let sql = "SELECT totp_secret, totp_enabled, totp_last_step FROM staff WHERE id = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id).fetch_one(p).await)?)
    }

    /// Accepts a one-time code's step once: false if it (or a later one) was used already,
    /// even by another instance at the same moment.
    pub async fn accept_totp_step(&self, id: StaffId, step: i64) -> Result<bool, StoreError> {
        let sql =
            "UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)";
        let n = dispatch!(&self.pool, p => sqlx::query(sql).bind(step).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Turns the second factor on or off (off also forgets the secret).
    pub async fn set_totp_enabled(&self, id: StaffId, enabled: bool, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let sql = if enabled {
            "UPDATE staff SET totp_enabled = TRUE WHERE id = $1"
        } else {
            "UPDATE staff SET totp_enabled = FALSE, totp_secret = NULL, totp_last_step = NULL WHERE id = $1"
        };
        on_tx!(tx, c => sqlx::query(sql).bind(id).execute(c).await.map(|_| ()))?;
        tx.audit(
            &AuditRecord {
                actor: &format!("staff:{id}"),
                action: if enabled {
                    AuditAction::StaffTwoFactorOn
                } else {
                    AuditAction::StaffTwoFactorOff
                },
                object_type: "staff",
                object_id: id.to_string(),
                before: None,
                after: None,
            },
            now,
        )
        .await?;
        tx.commit().await
    }
}

impl Tx {
    /// Waitlisted applications of a class with their queue ranks, in order.
    pub async fn waitlist_ranks(&mut self, class_id: ClassId) -> Result<Vec<(ApplicationId, i64)>, StoreError> {
        let sql =
            "SELECT id, queue_rank FROM applications WHERE class_id = $1 AND status = 'waitlisted' ORDER BY queue_rank";
        Ok(on_tx!(self, c => sqlx::query_as(sql).bind(class_id).fetch_all(c).await)?)
    }

    /// Gives an application a queue rank.
    pub async fn set_queue_rank(&mut self, id: ApplicationId, rank: i64, now: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE applications SET queue_rank = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, c => sqlx::query(sql).bind(rank).bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Recipients among a class's applications: `(email, first name)` in the given statuses.
    pub async fn recipients(
        &mut self,
        class_id: ClassId,
        statuses: &[&str],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let list: Vec<String> = statuses
            .iter()
            .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(|s| format!("'{s}'"))
            .collect();
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT email, first_name FROM applications WHERE class_id = $1 AND status IN ({}) ORDER BY id",
            list.join(", ")
        );
        Ok(on_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql)).bind(class_id).fetch_all(c).await)?)
    }
}

/// An officer who can present, with their units and duties.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterOfficer {
    pub id: StaffId,
    pub full_name: String,
    pub rank: Option<String>,
    pub unit_id: crate::domain::UnitId,
    pub unit_name: String,
    /// The duty the officer holds now (a `Duty` code), if any.
    pub duty: Option<String>,
}

impl Store {
    /// The `(unit, officer)` presenters of a session.
    pub async fn session_presenter_ids(
        &self,
        session_id: crate::domain::SessionId,
    ) -> Result<Vec<(crate::domain::UnitId, Option<StaffId>)>, StoreError> {
        let sql = "SELECT unit_id, staff_id FROM session_presenters WHERE session_id = $1 ORDER BY id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(session_id).fetch_all(p).await)?)
    }

    /// Up to `limit` applications waiting for review that arrived after `after`
    /// (`created_at`, id), oldest first.
    pub async fn review_queue(
        &self,
        after: Option<(i64, ApplicationId)>,
        limit: i64,
    ) -> Result<Vec<QueueRow>, StoreError> {
        // `a.status = 'pending_review'` spelled out, so the partial index
        // `applications_in_review` serves the order and the cursor.
        let sql = "SELECT a.id, a.class_id, c.name AS class_name, p.name AS program_name, a.first_name, a.last_name, \
                   a.created_at FROM applications a JOIN classes c ON c.id = a.class_id \
                   JOIN programs p ON p.id = c.program_id WHERE a.status = 'pending_review' \
                   AND (a.created_at > $1 OR (a.created_at = $1 AND a.id > $2)) ORDER BY a.created_at, a.id LIMIT $3";
        let (at, id) = after.unwrap_or((i64::MIN, ApplicationId::new(i64::MIN)));
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(at).bind(id).bind(limit).fetch_all(p).await)?)
    }

    /// Active officers and coordinators by unit, for choosing presenters.
    pub async fn officers_by_unit(&self, today: jiff::civil::Date) -> Result<Vec<RosterOfficer>, StoreError> {
        // Duty dates are ISO text, so comparing them as strings orders them by date.
        let sql = "SELECT s.id, s.full_name, s.rank, u.id AS unit_id, u.name AS unit_name, \
                   (SELECT d.duty FROM staff_duties d WHERE d.staff_id = s.id AND d.starts_on <= $1 \
                    AND (d.ends_on IS NULL OR d.ends_on >= $1) ORDER BY d.starts_on DESC LIMIT 1) AS duty \
                   FROM staff s JOIN staff_units su ON su.staff_id = s.id JOIN units u ON u.id = su.unit_id \
                   WHERE s.active AND s.role IN ('officer', 'coordinator') ORDER BY u.name, s.full_name";
        let today = today.to_string();
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(&today).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Removes every presenter of a session (before naming new ones).
    pub async fn clear_presenters(&mut self, session_id: crate::domain::SessionId) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM session_presenters WHERE session_id = $1").bind(session_id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
