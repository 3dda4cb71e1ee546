//! The outbox: messages written with the change that causes them, claimed by the
//! delivery job under a lease, and the staff view of what was sent or failed.

use jiff::Timestamp;
use sqlx::AssertSqlSafe;

use super::{Backend, Pool, Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::mail::{self, LinkKind};
use crate::domain::paging;
use crate::domain::{ApplicationId, MessageId, SessionId};

/// A working link only the recipient may hold. It travels beside the message text (which
/// holds [`mail::LINK_MARK`] in its place) and is erased once the message is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretLink {
    pub kind: LinkKind,
    pub url: String,
    pub expires_at: Option<Timestamp>,
}

impl SecretLink {
    /// The link to `kind`'s page for `token` under the service's public address.
    pub fn new(kind: LinkKind, base_url: &str, token: &str, expires_at: Option<Timestamp>) -> SecretLink {
        SecretLink {
            kind,
            url: format!("{}{}{token}", base_url.trim_end_matches('/'), kind.path()),
            expires_at,
        }
    }

    /// The token at the end of the link.
    pub fn token(&self) -> &str {
        self.url.rsplit('/').next().unwrap_or_default()
    }

    /// The same kind of link to the same place with another token.
    pub fn renewed(&self, token: &str, expires_at: Option<Timestamp>) -> SecretLink {
        let base = self.url.strip_suffix(self.token()).unwrap_or(&self.url);
        SecretLink {
            kind: self.kind,
            url: format!("{base}{token}"),
            expires_at,
        }
    }
}

/// An email to deliver, written to the outbox with its cause.
#[derive(Debug, Clone, Default)]
pub struct OutgoingMessage {
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    /// Names the cause of a scheduled message (a reminder for one session and one
    /// person); a second message with the same key is not queued.
    pub dedupe_key: Option<String>,
    /// One-click unsubscribe address of list mail; `None` for transactional mail.
    pub unsubscribe_url: Option<String>,
    /// The private link the text marks with [`mail::LINK_MARK`], if its kind carries one.
    pub link: Option<SecretLink>,
}

impl OutgoingMessage {
    /// Checks the message against its kind's rule (domain::mail).
    pub(super) fn check(&self) -> Result<(), StoreError> {
        mail::check(self.kind, &self.body_text, self.link.as_ref().map(|l| l.kind)).map_err(StoreError::Message)
    }
}

/// A message that failed, as a resend needs it.
#[derive(Debug, Clone)]
pub struct FailedMessage {
    pub link: Option<SecretLink>,
    pub created_at: Timestamp,
}

/// A message claimed for delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: MessageId,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub attempts: i64,
    pub unsubscribe_url: Option<String>,
    /// The private link, while the message waits; erased once it is delivered.
    pub link_url: Option<String>,
}

impl OutboxMessage {
    /// The text as its recipient reads it, the private link in its place.
    pub fn delivered_text(&self) -> String {
        mail::delivered_text(&self.body_text, self.link_url.as_deref())
    }
}

/// Delivery state of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 3] = [OutboxStatus::Pending, OutboxStatus::Failed, OutboxStatus::Sent];

    pub fn code(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxStatus> {
        OutboxStatus::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// A row of the staff outbox view.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: MessageId,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// When the next attempt may run (a lease or a backoff).
    pub next_attempt: Option<Timestamp>,
    /// The kind of private link the message carries, and until when it works.
    pub link_kind: Option<LinkKind>,
    pub link_expires_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: MessageId,
    kind: String,
    recipient: String,
    subject: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
    locked_until: Option<i64>,
    link_kind: Option<String>,
    link_expires_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EntryWithText {
    #[sqlx(flatten)]
    entry: EntryRow,
    body_text: String,
}

impl TryFrom<EntryRow> for OutboxEntry {
    type Error = StoreError;

    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        Ok(OutboxEntry {
            id: r.id,
            kind: r.kind,
            recipient: r.recipient,
            subject: r.subject,
            status: OutboxStatus::parse(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("outbox status {:?}", r.status)))?,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: from_secs(r.created_at)?,
            sent_at: r.sent_at.map(from_secs).transpose()?,
            next_attempt: r.locked_until.map(from_secs).transpose()?,
            link_kind: r
                .link_kind
                .map(|k| LinkKind::parse(&k).ok_or_else(|| StoreError::Corrupt(format!("outbox link kind {k:?}"))))
                .transpose()?,
            link_expires_at: r.link_expires_at.map(from_secs).transpose()?,
        })
    }
}

/// How many messages are in each state, and how old the oldest waiting one is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub failed: i64,
    pub oldest_pending: Option<i64>,
}

const CLAIMED_COLUMNS: &str = "id, kind, recipient, subject, body_text, attempts, unsubscribe_url, link_url";
pub(super) const INSERT_COLUMNS: &str = "kind, recipient, subject, body_text, dedupe_key, unsubscribe_url, created_at, link_kind, link_url, link_expires_at";
const ENTRY_COLUMNS: &str = "id, kind, recipient, subject, status, attempts, last_error, created_at, sent_at, \
                             locked_until, link_kind, link_expires_at";

/// Kinds of message listed only to those who may see staff-account mail.
fn admin_only_kinds() -> String {
    // Our own constants, never user input.
    mail::KINDS
        .iter()
        .filter(|r| r.link.is_some_and(LinkKind::admin_only))
        .map(|r| format!("'{}'", r.kind))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Queues a message for delivery with the change that causes it. Returns false when
    /// a message with the same dedupe key was queued before.
    pub async fn enqueue(&mut self, m: &OutgoingMessage, now: Timestamp) -> Result<bool, StoreError> {
        m.check()?;
        let sql = format!(
            "INSERT INTO outbox ({INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (dedupe_key) DO NOTHING"
        );
        let link = m.link.as_ref();
        let n = on_tx!(self, c => sqlx::query(AssertSqlSafe(sql)).bind(m.kind).bind(&m.recipient).bind(&m.subject)
            .bind(&m.body_text).bind(&m.dedupe_key).bind(&m.unsubscribe_url).bind(to_secs(now))
            .bind(link.map(|l| l.kind.code())).bind(link.map(|l| l.url.as_str()))
            .bind(link.and_then(|l| l.expires_at).map(to_secs))
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A failed message, locked for a resend; `None` unless it exists and failed.
    pub async fn failed_message(&mut self, id: MessageId) -> Result<Option<FailedMessage>, StoreError> {
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let sql = format!(
            "SELECT kind, link_kind, link_url, link_expires_at, created_at FROM outbox \
             WHERE id = $1 AND status = 'failed'{lock}"
        );
        type Row = (String, Option<String>, Option<String>, Option<i64>, i64);
        let row: Option<Row> = on_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
        let Some((kind, link_kind, url, expires, created_at)) = row else {
            return Ok(None);
        };
        let link = match (link_kind, url) {
            (Some(k), Some(url)) => Some(SecretLink {
                kind: LinkKind::parse(&k).ok_or_else(|| StoreError::Corrupt(format!("outbox link kind {k:?}")))?,
                url,
                expires_at: expires.map(from_secs).transpose()?,
            }),
            // Written before links were kept apart: its link sits in the text, and sending
            // it again would repeat it.
            _ if mail::rule_for(&kind).is_some_and(|r| r.link.is_some()) => {
                return Err(StoreError::Message(mail::MessageFault::LinkInText { kind }));
            }
            _ => None,
        };
        Ok(Some(FailedMessage {
            link,
            created_at: from_secs(created_at)?,
        }))
    }

    /// Replaces the token behind a private link with a fresh one, valid until `expires`.
    /// Returns false when the old link no longer works (used, or withdrawn).
    pub async fn replace_link(
        &mut self,
        kind: LinkKind,
        old_hash: &str,
        new_hash: &str,
        expires: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        let (table, usable) = match kind {
            LinkKind::ApplicantSignIn => ("access_links", "used_at IS NULL"),
            LinkKind::StaffPassword => ("staff_password_resets", "used_at IS NULL"),
            LinkKind::GuardianConsent => ("consent_links", "used_at IS NULL"),
            LinkKind::Survey => ("survey_invitations", "NOT used"),
            LinkKind::RequestFollow => ("requests", "TRUE"),
            // A leave link is the same in every message of its list; it is never replaced.
            LinkKind::Unsubscribe => return Ok(true),
        };
        let column = if kind == LinkKind::RequestFollow {
            "follow_token_hash"
        } else {
            "token_hash"
        };
        let expiry = match (kind, expires) {
            (LinkKind::ApplicantSignIn | LinkKind::StaffPassword | LinkKind::GuardianConsent, Some(_)) => {
                ", expires_at = $3"
            }
            _ => "",
        };
        // Table and column names are our own constants, never user input.
        let sql = format!("UPDATE {table} SET {column} = $1{expiry} WHERE {column} = $2 AND {usable}");
        let with_expiry = !expiry.is_empty();
        let n = on_tx!(self, c => {
            let q = sqlx::query(AssertSqlSafe(sql.clone())).bind(new_hash).bind(old_hash);
            let q = if with_expiry { q.bind(expires.map(to_secs)) } else { q };
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Puts a failed message back in the queue for a fresh round of attempts, with its
    /// new private link if it carries one. Returns false unless the message had failed.
    pub async fn resend_outbox(&mut self, id: MessageId, link: Option<&SecretLink>) -> Result<bool, StoreError> {
        let sql = "UPDATE outbox SET status = 'pending', attempts = 0, locked_until = NULL, \
                   link_url = COALESCE($2, link_url), link_expires_at = COALESCE($3, link_expires_at) \
                   WHERE id = $1 AND status = 'failed'";
        let n = on_tx!(self, c => sqlx::query(sql).bind(id).bind(link.map(|l| l.url.as_str()))
            .bind(link.and_then(|l| l.expires_at).map(to_secs)).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Store {
    /// Queues scheduled messages that have no other change to ride with (reminders);
    /// returns how many were new.
    pub async fn enqueue_scheduled(&self, messages: &[OutgoingMessage], now: Timestamp) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        let mut queued = 0;
        for m in messages {
            queued += usize::from(tx.enqueue(m, now).await?);
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Claims up to `limit` pending messages for `lease` seconds. A message whose lease
    /// ran out (its sender crashed) can be claimed again; the claim is one conditional
    /// UPDATE, so two instances never claim the same message at the same time.
    pub async fn claim_outbox(
        &self,
        limit: i64,
        now: Timestamp,
        lease_secs: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let select = match self.backend() {
            Backend::Sqlite => {
                "SELECT id FROM outbox WHERE status = 'pending' AND (locked_until IS NULL OR locked_until <= $2) \
                 ORDER BY id LIMIT $3"
            }
            Backend::Postgres => {
                "SELECT id FROM outbox WHERE status = 'pending' AND (locked_until IS NULL OR locked_until <= $2) \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED"
            }
        };
        let sql = format!(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 \
             WHERE id IN ({select}) AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $2) \
             RETURNING {CLAIMED_COLUMNS}"
        );
        let until = to_secs(now) + lease_secs;
        let _turn = self.write_turn().await?;
        let mut claimed: Vec<OutboxMessage> = dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql))
            .bind(until).bind(to_secs(now)).bind(limit).fetch_all(p).await)?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    /// Marks claimed messages delivered.
    pub async fn mark_sent(&self, ids: &[MessageId], now: Timestamp) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        // The ids travel as one array, so every batch size shares one prepared statement
        // (a list of placeholders made up to 100 statements per connection, all cached).
        const SET: &str = "UPDATE outbox SET status = 'sent', sent_at = $1, locked_until = NULL, last_error = NULL, \
                           link_url = NULL";
        let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
        let _turn = self.write_turn().await?;
        match &self.pool {
            Pool::Sqlite(p) => {
                let sql = format!("{SET} WHERE id IN (SELECT value FROM json_each($2))");
                sqlx::query(AssertSqlSafe(sql))
                    .bind(to_secs(now))
                    .bind(serde_json::to_string(&ids).unwrap_or_default())
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                let sql = format!("{SET} WHERE id = ANY($2)");
                sqlx::query(AssertSqlSafe(sql))
                    .bind(to_secs(now))
                    .bind(&ids)
                    .execute(p)
                    .await?;
            }
        }
        Ok(())
    }

    /// Records the demo department's backdated mail (queued by its past graduations, before
    /// `before`) as delivered when it was queued: it belongs to the demo's history, and
    /// sending it now would flood the outbox of a fresh demo.
    pub async fn settle_demo_history(&self, before: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET status = 'sent', sent_at = created_at, locked_until = NULL, link_url = NULL \
                   WHERE status = 'pending' AND created_at < $1";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(to_secs(before)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or marked failed for staff when
    /// `retry_at` is `None` (a permanent refusal, or attempts used up).
    pub async fn mark_failed(&self, id: MessageId, error: &str, retry_at: Option<Timestamp>) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET last_error = $1, locked_until = $2, \
                   status = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END WHERE id = $3 AND status = 'pending'";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(error).bind(retry_at.map(to_secs)).bind(id)
            .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Messages to one recipient, oldest first, as the recipient reads them while their
    /// private link is still kept (tests and support).
    pub async fn outbox_for(&self, recipient: &str) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!("SELECT {CLAIMED_COLUMNS} FROM outbox WHERE lower(recipient) = lower($1) ORDER BY id");
        let rows: Vec<OutboxMessage> =
            dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(recipient).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|m| OutboxMessage {
                body_text: m.delivered_text(),
                ..m
            })
            .collect())
    }

    /// The newest messages, optionally of one status and to recipients containing
    /// `search`. Staff-account mail is left out unless `staff_account_mail`.
    pub async fn outbox_entries(
        &self,
        status: Option<OutboxStatus>,
        search: &str,
        staff_account_mail: bool,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        Ok(self
            .outbox_screen(status, search, staff_account_mail, None, limit)
            .await?
            .rows)
    }

    /// One screen of the outbox, newest first, below the message `before`. A status reads
    /// by the `(status, id)` index; a recipient search reads at most
    /// [`paging::SEARCH_SPAN`] ids per screen, and says where to continue.
    pub async fn outbox_screen(
        &self,
        status: Option<OutboxStatus>,
        search: &str,
        staff_account_mail: bool,
        before: Option<i64>,
        limit: i64,
    ) -> Result<OutboxScreen, StoreError> {
        let search = search.trim().to_lowercase();
        let before = before.unwrap_or(i64::MAX);
        let floor = if search.is_empty() {
            0
        } else {
            // The search window starts below the newest id actually stored, not below
            // i64::MAX, so the first screen searches real messages.
            let top: Option<i64> = dispatch!(&self.pool, p => sqlx::query_scalar("SELECT MAX(id) FROM outbox WHERE id < $1")
                .bind(before).fetch_one(p).await)?;
            top.map_or(0, |top| (top + 1 - paging::SEARCH_SPAN).max(0))
        };
        let mut sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE id < $1 AND id >= $2 AND ($3 OR kind NOT IN ({}))",
            admin_only_kinds()
        );
        if status.is_some() {
            sql.push_str(" AND status = $5");
        }
        if !search.is_empty() {
            sql.push_str(if status.is_some() {
                " AND lower(recipient) LIKE $6"
            } else {
                " AND lower(recipient) LIKE $5"
            });
        }
        sql.push_str(" ORDER BY id DESC LIMIT $4");
        let pattern = (!search.is_empty()).then(|| format!("%{}%", search.replace(['%', '_'], "")));
        let rows: Vec<EntryRow> = dispatch!(&self.pool, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(before).bind(floor).bind(staff_account_mail).bind(limit);
            if let Some(status) = status {
                q = q.bind(status.code());
            }
            if let Some(pattern) = &pattern {
                q = q.bind(pattern.clone());
            }
            q.fetch_all(p).await
        })?;
        let rows: Vec<OutboxEntry> = rows.into_iter().map(OutboxEntry::try_from).collect::<Result<_, _>>()?;
        let full = paging::older(rows.len(), limit, rows.last().map(|r| r.id.get()));
        // A search that did not fill the screen continues below its window, if any remains.
        let (older, searched_window) = match full {
            Some(id) => (Some(id), false),
            None if floor > 1 => (Some(floor), true),
            None => (None, false),
        };
        Ok(OutboxScreen {
            rows,
            older,
            searched_window,
        })
    }

    /// One message with its text as stored (the private link only marked), for the staff
    /// detail view; staff-account mail only if `staff_account_mail`.
    pub async fn outbox_entry(
        &self,
        id: MessageId,
        staff_account_mail: bool,
    ) -> Result<Option<(OutboxEntry, String)>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, body_text FROM outbox WHERE id = $1 AND ($2 OR kind NOT IN ({}))",
            admin_only_kinds()
        );
        let row: Option<EntryWithText> = dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql))
            .bind(id).bind(staff_account_mail).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((row.entry.try_into()?, row.body_text)))
    }

    /// Counts by status and the creation time of the oldest pending message.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        // Each part reads the `(status, id)` index for one status: it grows with the
        // backlog, never with the history of sent mail.
        let sql = "SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending'), \
                          (SELECT COUNT(*) FROM outbox WHERE status = 'failed'), \
                          (SELECT created_at FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1)";
        let (pending, failed, oldest_pending): (i64, i64, Option<i64>) =
            dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_one(p).await)?;
        Ok(OutboxCounts {
            pending,
            failed,
            oldest_pending,
        })
    }

    /// Every message ever sent (reads the whole sent history: for tests and reports, not
    /// for pages or metrics).
    pub async fn outbox_sent_total(&self) -> Result<i64, StoreError> {
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .fetch_one(p).await)?,
        )
    }
}

impl Tx {
    /// Email addresses of active staff whose role may `permission` (who to tell).
    pub async fn staff_emails_with(
        &mut self,
        permission: crate::domain::access::Permission,
    ) -> Result<Vec<String>, StoreError> {
        let roles: Vec<String> = crate::domain::Role::ALL
            .iter()
            .filter(|r| crate::domain::access::allows(**r, permission))
            .map(|r| format!("'{}'", r.code()))
            .collect();
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        // The role codes are our own constants, never user input.
        let sql = format!(
            "SELECT email FROM staff WHERE active AND role IN ({}) ORDER BY id",
            roles.join(", ")
        );
        Ok(on_tx!(self, c => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_all(c).await)?)
    }
}

/// A confirmed participant of a session starting soon, with what a reminder says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderRow {
    pub session_id: SessionId,
    pub class_id: crate::domain::ClassId,
    pub topic: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: String,
    pub location_name: String,
    pub location_address: String,
    pub program_name: String,
    pub class_name: String,
    pub what_to_bring: String,
    pub email: String,
    pub first_name: String,
}

/// An open seat offer that ends soon.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferRow {
    pub application_id: ApplicationId,
    pub email: String,
    pub first_name: String,
    pub offer_expires_at: i64,
    pub offer_hours: i64,
    pub program_name: String,
    pub class_name: String,
}

impl Store {
    /// Confirmed participants of sessions starting in `(from, to]` that still take place.
    pub async fn reminder_candidates(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ReminderRow>, StoreError> {
        let sql = "SELECT s.id AS session_id, s.class_id, s.topic, s.starts_at, s.ends_at, s.place, \
                          c.location_name, c.location_address, p.name AS program_name, c.name AS class_name, \
                          p.what_to_bring, a.email, a.first_name \
                   FROM sessions s \
                   JOIN classes c ON c.id = s.class_id \
                   JOIN programs p ON p.id = c.program_id \
                   JOIN applications a ON a.class_id = c.id \
                   WHERE s.starts_at > $1 AND s.starts_at <= $2 AND NOT s.cancelled \
                     AND c.status NOT IN ('draft', 'cancelled', 'completed') \
                     AND a.status = 'confirmed' AND a.email <> '' \
                   ORDER BY s.starts_at, s.id, a.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(to_secs(from)).bind(to_secs(to)).fetch_all(p).await)?)
    }

    /// Seat offers still open that expire in `(from, to]`.
    pub async fn offers_ending(&self, from: Timestamp, to: Timestamp) -> Result<Vec<OfferRow>, StoreError> {
        let sql = "SELECT a.id AS application_id, a.email, a.first_name, a.offer_expires_at, c.offer_hours, \
                          p.name AS program_name, c.name AS class_name \
                   FROM applications a \
                   JOIN classes c ON c.id = a.class_id \
                   JOIN programs p ON p.id = c.program_id \
                   WHERE a.status = 'offered' AND a.offer_expires_at > $1 AND a.offer_expires_at <= $2 \
                   ORDER BY a.offer_expires_at, a.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(to_secs(from)).bind(to_secs(to)).fetch_all(p).await)?)
    }
}

/// One screen of the outbox.
#[derive(Debug)]
pub struct OutboxScreen {
    pub rows: Vec<OutboxEntry>,
    /// The id the next (older) screen reads below.
    pub older: Option<i64>,
    /// The screen is short because its search window ended, not because nothing older
    /// matches.
    pub searched_window: bool,
}

impl Store {
    /// Applications holding a seat, and waitlisted, in classes still running (for
    /// metrics): read from the kept per-class counts, so it costs one row per class.
    pub async fn applications_in_running_classes(&self) -> Result<(i64, i64), StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(k.held), 0) AS BIGINT), CAST(COALESCE(SUM(k.waitlisted), 0) AS BIGINT) \
                   FROM class_counts k \
                   JOIN classes c ON c.id = k.class_id WHERE c.status NOT IN ('completed', 'cancelled')";
        let (held, waitlisted): (i64, i64) = dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_one(p).await)?;
        Ok((held, waitlisted))
    }
}
