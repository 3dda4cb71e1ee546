//! Selective traffic enforcement operations: the SQL.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::traffic::OperationReason;
use crate::domain::{OperationId, RequestId, StaffId};

/// A planned operation.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub place: String,
    pub reason: OperationReason,
    pub request_id: Option<RequestId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub speed_limit: u16,
    pub officers: Vec<StaffId>,
}

/// What an operation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    pub stops: u32,
    pub warnings: u32,
    pub citations: u32,
    pub speeds: Vec<u16>,
    pub notes: String,
}

/// An operation as pages show it.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: OperationId,
    pub place: String,
    pub reason: OperationReason,
    pub request_id: Option<RequestId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub speed_limit: u16,
    /// `None` until results are recorded.
    pub results: Option<Results>,
    pub officers: Vec<(StaffId, String)>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: OperationId,
    place: String,
    reason: String,
    request_id: Option<RequestId>,
    starts_at: i64,
    ends_at: i64,
    speed_limit: i64,
    stops: Option<i64>,
    warnings: Option<i64>,
    citations: Option<i64>,
    speeds: String,
    notes: String,
    results_at: Option<i64>,
}

const SELECT: &str = "SELECT id, place, reason, request_id, starts_at, ends_at, speed_limit, stops, warnings, citations, \
     speeds, notes, results_at FROM traffic_operations";

impl Store {
    async fn operations_where(&self, filter: &str, value: Option<i64>) -> Result<Vec<Operation>, StoreError> {
        let sql = format!("{SELECT} {filter} ORDER BY starts_at DESC, id DESC");
        let rows: Vec<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(value).fetch_all(p).await)?;
        let mut out = Vec::new();
        for r in rows {
            let corrupt = || StoreError::Corrupt(format!("traffic operation {}", r.id));
            let officers: Vec<(StaffId, String)> = dispatch!(&self.pool, p => sqlx::query_as(
                "SELECT s.id, s.full_name FROM traffic_operation_officers o JOIN staff s ON s.id = o.staff_id \
                 WHERE o.operation_id = $1 ORDER BY s.full_name").bind(r.id).fetch_all(p).await)?;
            let count = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
            let results = match r.results_at {
                None => None,
                Some(_) => Some(Results {
                    stops: count(r.stops),
                    warnings: count(r.warnings),
                    citations: count(r.citations),
                    speeds: serde_json::from_str(&r.speeds).map_err(|_| corrupt())?,
                    notes: r.notes.clone(),
                }),
            };
            out.push(Operation {
                reason: OperationReason::parse(&r.reason).ok_or_else(corrupt)?,
                starts_at: from_secs(r.starts_at)?,
                ends_at: from_secs(r.ends_at)?,
                speed_limit: u16::try_from(r.speed_limit).map_err(|_| corrupt())?,
                id: r.id,
                place: r.place,
                request_id: r.request_id,
                results,
                officers,
            });
        }
        Ok(out)
    }

    /// Every operation, newest first.
    pub async fn operations(&self) -> Result<Vec<Operation>, StoreError> {
        self.operations_where("WHERE $1 IS NULL", None).await
    }

    /// One operation.
    pub async fn operation(&self, id: OperationId) -> Result<Option<Operation>, StoreError> {
        Ok(self
            .operations_where("WHERE id = $1", Some(id.get()))
            .await?
            .into_iter()
            .next())
    }

    /// The operations run in answer to a community request.
    pub async fn operations_for_request(&self, request_id: RequestId) -> Result<Vec<Operation>, StoreError> {
        self.operations_where("WHERE request_id = $1", Some(request_id.get()))
            .await
    }
}

impl Tx {
    /// Plans an operation; returns its id.
    pub async fn insert_operation(&mut self, o: &NewOperation, now: Timestamp) -> Result<OperationId, StoreError> {
        let sql = "INSERT INTO traffic_operations (place, reason, request_id, starts_at, ends_at, speed_limit, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
        let id: OperationId = on_tx!(self, c => sqlx::query_scalar(sql).bind(&o.place).bind(o.reason.code()).bind(o.request_id)
            .bind(to_secs(o.starts_at)).bind(to_secs(o.ends_at)).bind(i64::from(o.speed_limit)).bind(to_secs(now))
            .fetch_one(c).await)?;
        for officer in &o.officers {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO traffic_operation_officers (operation_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id).bind(*officer).execute(c).await.map(|_| ()))?;
        }
        Ok(id)
    }

    /// Records (or corrects) what an operation found.
    pub async fn record_results(&mut self, id: OperationId, r: &Results, now: Timestamp) -> Result<bool, StoreError> {
        let sql = "UPDATE traffic_operations SET stops = $1, warnings = $2, citations = $3, speeds = $4, notes = $5, \
                   results_at = $6, updated_at = $6 WHERE id = $7";
        let speeds = serde_json::to_string(&r.speeds).expect("numbers serialize");
        let n = on_tx!(self, c => sqlx::query(sql).bind(i64::from(r.stops)).bind(i64::from(r.warnings))
            .bind(i64::from(r.citations)).bind(&speeds).bind(&r.notes).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
