//! Community requests: the SQL behind the public form, the requester's status page, the
//! triage board and Open311.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::AssertSqlSafe;

use super::{Backend, Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::requests::RequestStatus;
use crate::domain::{Duty, RequestId, StaffId};

/// A request as staff see it (Open311 shows a subset, never the contact details).
#[derive(Debug, Clone)]
pub struct ServiceRequest {
    pub id: RequestId,
    pub service_code: String,
    pub status: RequestStatus,
    pub description: String,
    pub attributes: BTreeMap<String, Vec<String>>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub channel: String,
    pub api_client: Option<String>,
    pub assigned_to: Option<StaffId>,
    pub assignee: Option<String>,
    pub due_on: Option<Date>,
    pub status_notes: String,
    pub public_token: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: RequestId,
    service_code: String,
    status: String,
    description: String,
    attributes: String,
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    channel: String,
    api_client: Option<String>,
    assigned_to: Option<StaffId>,
    assignee: Option<String>,
    due_on: Option<String>,
    status_notes: String,
    public_token: String,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
}

impl TryFrom<Row> for ServiceRequest {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("request {}: {what}", r.id));
        Ok(ServiceRequest {
            status: RequestStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            attributes: serde_json::from_str(&r.attributes).map_err(|_| corrupt("attributes"))?,
            due_on: r
                .due_on
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| corrupt("due date"))?,
            created_at: from_secs(r.created_at)?,
            updated_at: from_secs(r.updated_at)?,
            closed_at: r.closed_at.map(from_secs).transpose()?,
            id: r.id,
            service_code: r.service_code,
            description: r.description,
            address: r.address,
            lat: r.lat,
            lon: r.lon,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            channel: r.channel,
            api_client: r.api_client,
            assigned_to: r.assigned_to,
            assignee: r.assignee,
            status_notes: r.status_notes,
            public_token: r.public_token,
        })
    }
}

const SELECT: &str = "SELECT r.id, r.service_code, r.status, r.description, r.attributes, r.address, r.lat, r.lon, \
                      r.email, r.first_name, r.last_name, r.phone, r.channel, r.api_client, r.assigned_to, \
                      CASE WHEN st.id IS NULL THEN NULL ELSE COALESCE(st.rank || ' ', '') || st.full_name END AS assignee, \
                      r.due_on, r.status_notes, r.public_token, r.created_at, r.updated_at, r.closed_at \
                      FROM service_requests r LEFT JOIN staff st ON st.id = r.assigned_to";

/// A new request, checked.
pub struct NewRequest<'a> {
    pub service_code: &'a str,
    pub description: &'a str,
    pub attributes: &'a BTreeMap<String, Vec<String>>,
    pub address: &'a str,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phone: &'a str,
    /// `web` or `open311`.
    pub channel: &'a str,
    pub api_client: Option<&'a str>,
    pub follow_token_hash: &'a str,
    pub public_token: &'a str,
}

/// One entry of a request's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestUpdate {
    pub author: String,
    pub staff_name: Option<String>,
    pub status: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// Filters of the Open311 list and the triage board.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub ids: Vec<RequestId>,
    pub service_code: Option<String>,
    pub statuses: Vec<RequestStatus>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub assigned_to: Option<StaffId>,
    /// Only requests older than this one (the next screen of a newest-first list).
    pub before: Option<RequestId>,
    pub limit: i64,
}

/// An officer or coordinator who can take a request, with the duties held today.
#[derive(Debug, Clone)]
pub struct Assignable {
    pub id: StaffId,
    pub name: String,
    pub duties: Vec<Duty>,
}

impl Store {
    pub async fn request(&self, id: RequestId) -> Result<Option<ServiceRequest>, StoreError> {
        let sql = format!("{SELECT} WHERE r.id = $1");
        let row: Option<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(ServiceRequest::try_from).transpose()
    }

    /// The request a requester's private link opens.
    pub async fn request_by_follow(&self, token_hash: &str) -> Result<Option<ServiceRequest>, StoreError> {
        let sql = format!("{SELECT} WHERE r.follow_token_hash = $1");
        let row: Option<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(sql)).bind(token_hash).fetch_optional(p).await)?;
        row.map(ServiceRequest::try_from).transpose()
    }

    /// The request an Open311 token stands for.
    pub async fn request_id_by_token(&self, token: &str) -> Result<Option<RequestId>, StoreError> {
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar("SELECT id FROM service_requests WHERE public_token = $1")
            .bind(token).fetch_optional(p).await)?,
        )
    }

    /// Requests matching `f`, newest first.
    pub async fn requests(&self, f: &RequestFilter) -> Result<Vec<ServiceRequest>, StoreError> {
        let mut clauses = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if !f.ids.is_empty() {
            let list: Vec<String> = f.ids.iter().map(|_| next()).collect();
            clauses.push(format!("r.id IN ({})", list.join(", ")));
        }
        if f.service_code.is_some() {
            clauses.push(format!("r.service_code = {}", next()));
        }
        if !f.statuses.is_empty() {
            let list: Vec<String> = f.statuses.iter().map(|_| next()).collect();
            clauses.push(format!("r.status IN ({})", list.join(", ")));
        }
        if f.start.is_some() {
            clauses.push(format!("r.created_at >= {}", next()));
        }
        if f.end.is_some() {
            clauses.push(format!("r.created_at <= {}", next()));
        }
        if f.assigned_to.is_some() {
            clauses.push(format!("r.assigned_to = {}", next()));
        }
        if f.before.is_some() {
            clauses.push(format!("r.id < {}", next()));
        }
        let limit = next();
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let sql = format!("{SELECT}{filter} ORDER BY r.id DESC LIMIT {limit}");
        let rows: Vec<Row> = dispatch!(&self.pool, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for id in &f.ids {
                q = q.bind(*id);
            }
            if let Some(code) = &f.service_code {
                q = q.bind(code.clone());
            }
            for s in &f.statuses {
                q = q.bind(s.code());
            }
            if let Some(t) = f.start {
                q = q.bind(to_secs(t));
            }
            if let Some(t) = f.end {
                q = q.bind(to_secs(t));
            }
            if let Some(staff) = f.assigned_to {
                q = q.bind(staff);
            }
            if let Some(before) = f.before {
                q = q.bind(before);
            }
            q.bind(f.limit.clamp(1, 1000)).fetch_all(p).await
        })?;
        rows.into_iter().map(ServiceRequest::try_from).collect()
    }

    /// The history of a request, oldest first.
    pub async fn request_updates(&self, id: RequestId) -> Result<Vec<RequestUpdate>, StoreError> {
        let sql = "SELECT u.author, st.full_name AS staff_name, u.status, u.body, u.created_at \
                   FROM request_updates u LEFT JOIN staff st ON st.id = u.staff_id \
                   WHERE u.request_id = $1 ORDER BY u.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id).fetch_all(p).await)?)
    }

    /// Active officers and coordinators with the duties they hold on `today`.
    pub async fn assignable_staff(&self, today: Date) -> Result<Vec<Assignable>, StoreError> {
        // Duty dates are ISO text, so comparing them as strings orders them by date.
        let sql = "SELECT s.id, COALESCE(s.rank || ' ', '') || s.full_name AS name, d.duty FROM staff s \
                   LEFT JOIN staff_duties d ON d.staff_id = s.id AND d.starts_on <= $1 \
                        AND (d.ends_on IS NULL OR d.ends_on >= $1) \
                   WHERE s.active AND s.role IN ('officer', 'coordinator') ORDER BY s.full_name, s.id, d.duty";
        let rows: Vec<(StaffId, String, Option<String>)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(today.to_string()).fetch_all(p).await)?;
        let mut out: Vec<Assignable> = Vec::new();
        for (id, name, duty) in rows {
            if out.last().is_none_or(|a| a.id != id) {
                out.push(Assignable {
                    id,
                    name,
                    duties: Vec::new(),
                });
            }
            if let Some(d) = duty.as_deref().and_then(Duty::parse)
                && let Some(last) = out.last_mut()
            {
                last.duties.push(d);
            }
        }
        Ok(out)
    }

    /// The name of the app holding this Open311 key, unless revoked.
    pub async fn open311_client(&self, key_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT name FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(key_hash).fetch_optional(p).await)?)
    }

    /// Registers an Open311 key for an app; false when the name is taken.
    pub async fn insert_open311_key(&self, name: &str, key_hash: &str, now: Timestamp) -> Result<bool, StoreError> {
        let n = dispatch!(&self.pool, p => sqlx::query(
            "INSERT INTO open311_keys (key_hash, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(key_hash).bind(name).bind(to_secs(now)).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Tx {
    /// The email address of an active staff member.
    pub async fn staff_email(&mut self, id: StaffId) -> Result<Option<String>, StoreError> {
        Ok(
            on_tx!(self, c => sqlx::query_scalar("SELECT email FROM staff WHERE id = $1 AND active")
            .bind(id).fetch_optional(c).await)?,
        )
    }

    pub async fn insert_request(&mut self, r: &NewRequest<'_>, now: Timestamp) -> Result<RequestId, StoreError> {
        let sql = "INSERT INTO service_requests (service_code, description, attributes, address, lat, lon, email, \
                       first_name, last_name, phone, channel, api_client, follow_token_hash, public_token, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id";
        let attributes = serde_json::to_string(r.attributes).expect("answers serialize");
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(r.service_code).bind(r.description).bind(&attributes)
            .bind(r.address).bind(r.lat).bind(r.lon).bind(r.email).bind(r.first_name).bind(r.last_name).bind(r.phone)
            .bind(r.channel).bind(r.api_client).bind(r.follow_token_hash).bind(r.public_token).bind(to_secs(now))
            .fetch_one(c).await)?,
        )
    }

    /// Reads a request and holds it against concurrent changes until commit.
    pub async fn lock_request(&mut self, id: RequestId) -> Result<Option<ServiceRequest>, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE OF r",
            Backend::Sqlite => "",
        };
        let sql = format!("{SELECT} WHERE r.id = $1{lock}");
        let row: Option<Row> = on_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
        row.map(ServiceRequest::try_from).transpose()
    }

    /// Writes a request's triage state.
    pub async fn set_request_state(
        &mut self,
        id: RequestId,
        status: RequestStatus,
        assigned_to: Option<StaffId>,
        due_on: Option<Date>,
        status_notes: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE service_requests SET status = $1, assigned_to = $2, due_on = $3, status_notes = $4, \
                   updated_at = $5, closed_at = CASE WHEN $1 = 'closed' THEN $5 ELSE NULL END WHERE id = $6";
        on_tx!(self, c => sqlx::query(sql).bind(status.code()).bind(assigned_to).bind(due_on.map(|d| d.to_string()))
            .bind(status_notes).bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Adds a history entry (a status change with its note, or a comment).
    pub async fn add_request_update(
        &mut self,
        id: RequestId,
        author: &str,
        staff: Option<StaffId>,
        status: Option<RequestStatus>,
        body: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO request_updates (request_id, author, staff_id, status, body, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        on_tx!(self, c => sqlx::query(sql).bind(id).bind(author).bind(staff).bind(status.map(RequestStatus::code))
            .bind(body).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        on_tx!(self, c => sqlx::query("UPDATE service_requests SET updated_at = $1 WHERE id = $2")
            .bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
