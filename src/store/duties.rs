//! Community duty assignments: the SQL. Dates are ISO text, so comparing them as
//! strings orders them by date.

use jiff::civil::Date;

use super::{Store, StoreError, Tx, dispatch, on_tx};
use crate::domain::duties::Assignment;
use crate::domain::program::Duty;
use crate::domain::{DutyId, StaffId};

/// An assignment with its officer.
#[derive(Debug, Clone)]
pub struct DutyRow {
    pub id: DutyId,
    pub staff_id: StaffId,
    pub officer: String,
    pub rank: Option<String>,
    /// The officer agreed to be named on public pages.
    pub public_profile: bool,
    /// The officer has a portrait (shown only with `public_profile`).
    pub has_photo: bool,
    pub assignment: Assignment,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: DutyId,
    staff_id: StaffId,
    officer: String,
    rank: Option<String>,
    public_profile: bool,
    has_photo: bool,
    duty: String,
    assignment: Option<String>,
    starts_on: String,
    ends_on: Option<String>,
    certified_on: Option<String>,
}

impl TryFrom<Row> for DutyRow {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("duty assignment {}", r.id));
        let day = |s: &Option<String>| -> Result<Option<Date>, StoreError> {
            s.as_deref().map(|s| s.parse().map_err(|_| corrupt())).transpose()
        };
        Ok(DutyRow {
            assignment: Assignment {
                duty: Duty::parse(&r.duty).ok_or_else(corrupt)?,
                assignment: r.assignment.clone(),
                starts_on: r.starts_on.parse().map_err(|_| corrupt())?,
                ends_on: day(&r.ends_on)?,
                certified_on: day(&r.certified_on)?,
            },
            id: r.id,
            staff_id: r.staff_id,
            officer: r.officer,
            rank: r.rank,
            public_profile: r.public_profile,
            has_photo: r.has_photo,
        })
    }
}

const SELECT: &str = "SELECT d.id, d.staff_id, s.full_name AS officer, s.rank, s.public_profile, \
     EXISTS (SELECT 1 FROM staff_photos p WHERE p.staff_id = s.id) AS has_photo, d.duty, d.assignment, \
     d.starts_on, d.ends_on, d.certified_on FROM staff_duties d JOIN staff s ON s.id = d.staff_id";

impl Store {
    /// Every assignment, current and past: by duty, then newest first.
    pub async fn duty_assignments(&self) -> Result<Vec<DutyRow>, StoreError> {
        let sql = format!("{SELECT} ORDER BY d.duty, d.starts_on DESC, s.full_name");
        let rows: Vec<Row> = dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(DutyRow::try_from).collect()
    }

    /// Who held one of `duties` on `day`, active accounts only.
    pub async fn duty_holders(&self, duties: &[Duty], day: Date) -> Result<Vec<DutyRow>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE s.active AND d.starts_on <= $1 AND (d.ends_on IS NULL OR d.ends_on >= $1) \
             ORDER BY d.duty, s.full_name"
        );
        let rows: Vec<Row> = dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(day.to_string()).fetch_all(p).await)?;
        let rows: Vec<DutyRow> = rows.into_iter().map(DutyRow::try_from).collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter(|r| duties.contains(&r.assignment.duty))
            .collect())
    }

    /// Active officers and coordinators, for choosing who takes a duty.
    pub async fn duty_candidates(&self) -> Result<Vec<(StaffId, String)>, StoreError> {
        let sql =
            "SELECT id, full_name FROM staff WHERE active AND role IN ('officer', 'coordinator') ORDER BY full_name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Records an assignment; false when `staff_id` names no officer or coordinator.
    pub async fn insert_duty(&mut self, staff_id: StaffId, a: &Assignment) -> Result<Option<DutyId>, StoreError> {
        let sql = "INSERT INTO staff_duties (staff_id, duty, assignment, starts_on, ends_on, certified_on) \
                   SELECT id, $2, $3, $4, $5, $6 FROM staff WHERE id = $1 AND active AND role IN ('officer', 'coordinator') \
                   RETURNING id";
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(staff_id).bind(a.duty.code()).bind(&a.assignment)
            .bind(a.starts_on.to_string()).bind(day(a.ends_on)).bind(day(a.certified_on)).fetch_optional(c).await)?,
        )
    }

    /// Ends an open assignment on `day`; false when it is already ended or `day` is
    /// before its start.
    pub async fn end_duty(&mut self, id: DutyId, day: Date) -> Result<bool, StoreError> {
        let sql = "UPDATE staff_duties SET ends_on = $1 WHERE id = $2 AND ends_on IS NULL AND starts_on <= $1";
        let n = on_tx!(self, c => sqlx::query(sql).bind(day.to_string()).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
