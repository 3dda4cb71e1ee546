//! Resource officers' activity log: the SQL.

use jiff::Timestamp;
use jiff::civil::Date;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::activity::{Activity, ActivityKind, Entry};
use crate::domain::{ActivityId, SchoolId, StaffId, TrainingId};

/// A logged activity with its school and officer.
#[derive(Debug, Clone)]
pub struct ActivityRow {
    pub id: ActivityId,
    pub staff_id: StaffId,
    pub officer: String,
    pub kind: ActivityKind,
    pub school_id: SchoolId,
    pub school: String,
    pub occurred_on: Date,
    pub minutes: u32,
    pub people_reached: u32,
    pub note: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: ActivityId,
    staff_id: StaffId,
    officer: String,
    kind: String,
    school_id: SchoolId,
    school: String,
    occurred_on: String,
    minutes: i64,
    people_reached: i64,
    note: String,
}

impl TryFrom<Row> for ActivityRow {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("activity {}: {what}", r.id));
        Ok(ActivityRow {
            kind: ActivityKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
            occurred_on: r.occurred_on.parse().map_err(|_| corrupt("date"))?,
            minutes: u32::try_from(r.minutes).map_err(|_| corrupt("minutes"))?,
            people_reached: u32::try_from(r.people_reached).map_err(|_| corrupt("people"))?,
            id: r.id,
            staff_id: r.staff_id,
            officer: r.officer,
            school_id: r.school_id,
            school: r.school,
            note: r.note,
        })
    }
}

impl From<&ActivityRow> for Entry {
    fn from(r: &ActivityRow) -> Entry {
        Entry {
            school: r.school.clone(),
            occurred_on: r.occurred_on,
            kind: r.kind,
            minutes: r.minutes,
            people_reached: r.people_reached,
        }
    }
}

const SELECT: &str = "SELECT l.id, l.staff_id, s.full_name AS officer, l.kind, l.school_id, sc.name AS school, \
     l.occurred_on, l.minutes, l.people_reached, l.note FROM activity_logs l JOIN staff s ON s.id = l.staff_id \
     JOIN schools sc ON sc.id = l.school_id";

impl Store {
    /// One entry.
    pub async fn activity(&self, id: ActivityId) -> Result<Option<ActivityRow>, StoreError> {
        let sql = format!("{SELECT} WHERE l.id = $1");
        let row: Option<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(ActivityRow::try_from).transpose()
    }

    /// Entries from `from` to `to` (inclusive), of one officer or everyone, newest first;
    /// all of them, since reports sum them (periods are capped at three years).
    pub async fn activities(
        &self,
        officer: Option<StaffId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE ($1 IS NULL OR l.staff_id = $1) AND l.occurred_on >= $2 AND l.occurred_on <= $3 \
             ORDER BY l.occurred_on DESC, l.id DESC"
        );
        let rows: Vec<Row> = dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(officer)
            .bind(from.to_string()).bind(to.to_string()).fetch_all(p).await)?;
        rows.into_iter().map(ActivityRow::try_from).collect()
    }
}

impl Tx {
    /// Logs an activity for `officer`; returns its id.
    pub async fn insert_activity(
        &mut self,
        officer: StaffId,
        a: &Activity,
        now: Timestamp,
    ) -> Result<ActivityId, StoreError> {
        let sql = "INSERT INTO activity_logs (staff_id, kind, school_id, occurred_on, minutes, people_reached, note, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(officer).bind(a.kind.code()).bind(a.school_id)
            .bind(a.occurred_on.to_string()).bind(i64::from(a.minutes)).bind(i64::from(a.people_reached))
            .bind(&a.note).bind(to_secs(now)).fetch_one(c).await)?,
        )
    }

    /// Changes an entry of `officer`'s own; false when it is not theirs (or gone).
    pub async fn update_activity(
        &mut self,
        id: ActivityId,
        officer: StaffId,
        a: &Activity,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE activity_logs SET kind = $1, school_id = $2, occurred_on = $3, minutes = $4, \
                   people_reached = $5, note = $6, updated_at = $7 WHERE id = $8 AND staff_id = $9";
        let n = on_tx!(self, c => sqlx::query(sql).bind(a.kind.code()).bind(a.school_id)
            .bind(a.occurred_on.to_string()).bind(i64::from(a.minutes)).bind(i64::from(a.people_reached))
            .bind(&a.note).bind(to_secs(now)).bind(id).bind(officer).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

/// A training session with its trainer and attendees.
#[derive(Debug, Clone)]
pub struct TrainingRow {
    pub id: TrainingId,
    pub trainer_id: StaffId,
    pub trainer: String,
    pub topic: String,
    pub held_on: Date,
    pub minutes: u32,
    pub attendees: Vec<(StaffId, String)>,
}

/// A class session an officer presented, for the engagement report.
#[derive(Debug, Clone)]
pub struct PresentedSession {
    pub session_id: crate::domain::SessionId,
    pub officer: String,
    pub program_kind: String,
    pub day: Date,
    pub minutes: u32,
    /// Participants marked present or late.
    pub attended: u32,
}

impl Store {
    /// Sessions held (not cancelled, already over at `now`) from `from` to `to`
    /// (inclusive, local days), once per named presenter, by session.
    pub async fn sessions_presented_between(
        &self,
        from: Date,
        to: Date,
        now: jiff::Timestamp,
    ) -> Result<Vec<PresentedSession>, StoreError> {
        let sql = "SELECT s.id, st.full_name, p.kind, s.local_date, s.starts_at, s.ends_at, \
                   (SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id AND a.mark IN ('present', 'late')) \
                   FROM sessions s JOIN classes c ON c.id = s.class_id JOIN programs p ON p.id = c.program_id \
                   JOIN session_presenters sp ON sp.session_id = s.id JOIN staff st ON st.id = sp.staff_id \
                   WHERE NOT s.cancelled AND s.local_date >= $1 AND s.local_date <= $2 AND s.ends_at <= $3 \
                   ORDER BY s.id, st.full_name";
        type Row = (crate::domain::SessionId, String, String, String, i64, i64, i64);
        let rows: Vec<Row> = dispatch!(&self.pool, p => sqlx::query_as(sql)
            .bind(from.to_string()).bind(to.to_string()).bind(super::to_secs(now)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(session_id, officer, program_kind, day, starts, ends, attended)| {
                Ok(PresentedSession {
                    day: day
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("session {session_id}: date")))?,
                    minutes: u32::try_from((ends - starts).max(0) / 60).unwrap_or(0),
                    attended: u32::try_from(attended).unwrap_or(0),
                    session_id,
                    officer,
                    program_kind,
                })
            })
            .collect()
    }

    /// Training given from `from` to `to` (inclusive), newest first.
    pub async fn trainings(&self, from: Date, to: Date) -> Result<Vec<TrainingRow>, StoreError> {
        let sql = "SELECT t.id, t.trainer_id, s.full_name, t.topic, t.held_on, t.minutes FROM officer_trainings t \
                   JOIN staff s ON s.id = t.trainer_id WHERE t.held_on >= $1 AND t.held_on <= $2 \
                   ORDER BY t.held_on DESC, t.id DESC";
        let rows: Vec<(TrainingId, StaffId, String, String, String, i64)> = dispatch!(&self.pool, p => sqlx::query_as(sql)
            .bind(from.to_string()).bind(to.to_string()).fetch_all(p).await)?;
        let mut out = Vec::new();
        for (id, trainer_id, trainer, topic, held_on, minutes) in rows {
            let corrupt = || StoreError::Corrupt(format!("training {id}"));
            let attendees: Vec<(StaffId, String)> = dispatch!(&self.pool, p => sqlx::query_as(
                "SELECT s.id, s.full_name FROM officer_training_attendees a JOIN staff s ON s.id = a.staff_id \
                 WHERE a.training_id = $1 ORDER BY s.full_name").bind(id).fetch_all(p).await)?;
            out.push(TrainingRow {
                held_on: held_on.parse().map_err(|_| corrupt())?,
                minutes: u32::try_from(minutes).map_err(|_| corrupt())?,
                id,
                trainer_id,
                trainer,
                topic,
                attendees,
            });
        }
        Ok(out)
    }
}

impl Tx {
    /// Logs training `trainer` gave; attendees must be active staff.
    pub async fn insert_training(
        &mut self,
        trainer: StaffId,
        t: &crate::domain::training::Training,
        now: Timestamp,
    ) -> Result<TrainingId, StoreError> {
        let sql = "INSERT INTO officer_trainings (trainer_id, topic, held_on, minutes, created_at) \
                   VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let id: TrainingId = on_tx!(self, c => sqlx::query_scalar(sql).bind(trainer).bind(&t.topic)
            .bind(t.held_on.to_string()).bind(i64::from(t.minutes)).bind(to_secs(now)).fetch_one(c).await)?;
        for a in &t.attendees {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO officer_training_attendees (training_id, staff_id) SELECT $1, id FROM staff WHERE id = $2 AND active")
                .bind(id).bind(*a).execute(c).await.map(|_| ()))?;
        }
        Ok(id)
    }
}
