//! Attendance marks and graduation.

use std::collections::HashMap;

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::graduation::{GraduationRule, Mark, Record};
use crate::domain::{ApplicationId, ClassId, ClassStatus, SessionId};

/// The statuses of people still involved in a class (seats, waitlist, lottery entries).
macro_rules! still_involved {
    () => {
        "status IN ('entered', 'pending_review', 'confirmed', 'waitlisted', 'offered')"
    };
}

/// Someone with a seat in a class, who attends its sessions.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Participant {
    pub id: ApplicationId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: String,
    pub ride_along_done: bool,
}

type MarkRow = (SessionId, ApplicationId, String, Option<i32>, bool);

fn records(rows: Vec<MarkRow>) -> Result<HashMap<(SessionId, ApplicationId), Record>, StoreError> {
    rows.into_iter()
        .map(|(s, a, m, late, made_up)| {
            let mark = Mark::parse(&m).ok_or_else(|| StoreError::Corrupt(format!("attendance mark {m:?}")))?;
            Ok((
                (s, a),
                Record {
                    mark,
                    minutes_late: late.and_then(|n| u32::try_from(n).ok()),
                    made_up,
                },
            ))
        })
        .collect()
}

impl Store {
    /// Participants of a class (confirmed or already graded), by last name.
    pub async fn participants(&self, class_id: ClassId) -> Result<Vec<Participant>, StoreError> {
        let sql = "SELECT id, first_name, last_name, email, status, ride_along_done FROM applications WHERE class_id = $1 \
                   AND status IN ('confirmed', 'completed', 'not_completed') ORDER BY lower(last_name), lower(first_name), id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// The class a session belongs to.
    pub async fn session_class(&self, session_id: SessionId) -> Result<Option<ClassId>, StoreError> {
        let sql = "SELECT class_id FROM sessions WHERE id = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(session_id).fetch_optional(p).await)?)
    }

    /// The class a session belongs to and when it starts (marks wait for the session).
    pub async fn session_start(&self, session_id: SessionId) -> Result<Option<(ClassId, Timestamp)>, StoreError> {
        let sql = "SELECT class_id, starts_at FROM sessions WHERE id = $1";
        let row: Option<(ClassId, i64)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(session_id).fetch_optional(p).await)?;
        row.map(|(class, starts)| Ok((class, super::from_secs(starts)?)))
            .transpose()
    }

    /// Every record in a class: `(session, application) -> record`.
    pub async fn class_attendance(
        &self,
        class_id: ClassId,
    ) -> Result<HashMap<(SessionId, ApplicationId), Record>, StoreError> {
        let sql = "SELECT a.session_id, a.application_id, a.mark, a.minutes_late, a.made_up FROM attendance a \
                   JOIN sessions s ON s.id = a.session_id WHERE s.class_id = $1";
        let rows: Vec<MarkRow> = dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?;
        records(rows)
    }

    /// The records of some participants of a class (at most a few hundred: one
    /// statement), for exports that read a class a slice of people at a time. Looked up
    /// per session and person through the primary key.
    pub async fn attendance_of(
        &self,
        class_id: ClassId,
        people: &[ApplicationId],
    ) -> Result<HashMap<(SessionId, ApplicationId), Record>, StoreError> {
        if people.is_empty() {
            return Ok(HashMap::new());
        }
        let list: Vec<String> = (2..=people.len() + 1).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT a.session_id, a.application_id, a.mark, a.minutes_late, a.made_up FROM sessions s \
             JOIN attendance a ON a.session_id = s.id WHERE s.class_id = $1 AND a.application_id IN ({})",
            list.join(", ")
        );
        let rows: Vec<MarkRow> = dispatch!(&self.pool, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(class_id);
            for id in people {
                q = q.bind(*id);
            }
            q.fetch_all(p).await
        })?;
        records(rows)
    }

    /// The graduation rule of the class's program.
    pub async fn graduation_rule(&self, class_id: ClassId) -> Result<GraduationRule, StoreError> {
        let sql = "SELECT p.graduation_rule FROM classes c JOIN programs p ON p.id = c.program_id WHERE c.id = $1";
        let json: Option<String> =
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(class_id).fetch_optional(p).await)?;
        match json {
            Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("graduation rule: {e}"))),
            None => Ok(GraduationRule::default()),
        }
    }
}

impl Tx {
    /// Records whether a participant completed their ride-along.
    pub async fn set_ride_along(&mut self, id: ApplicationId, done: bool, now: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE applications SET ride_along_done = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, c => sqlx::query(sql).bind(done).bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Records (or replaces) a participant's mark for a session; returns the previous one.
    /// A new mark clears an earlier make-up: it describes a different situation.
    pub async fn mark_attendance(
        &mut self,
        session_id: SessionId,
        application_id: ApplicationId,
        record: Record,
        actor: &str,
        now: Timestamp,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let previous = self.attendance_record(session_id, application_id).await?;
        let sql = "INSERT INTO attendance (session_id, application_id, mark, minutes_late, made_up, recorded_by, recorded_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, application_id) \
                   DO UPDATE SET mark = excluded.mark, minutes_late = excluded.minutes_late, made_up = excluded.made_up, \
                   recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at";
        let minutes = record.minutes_late.and_then(|m| i32::try_from(m).ok());
        on_tx!(self, c => sqlx::query(sql).bind(session_id).bind(application_id).bind(record.mark.code())
            .bind(minutes).bind(record.made_up).bind(actor).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(previous)
    }

    /// Marks a recorded absence as made up (or not); false when there is no record to change.
    pub async fn set_made_up(
        &mut self,
        session_id: SessionId,
        application_id: ApplicationId,
        made_up: bool,
        actor: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE attendance SET made_up = $1, recorded_by = $2, recorded_at = $3 \
                   WHERE session_id = $4 AND application_id = $5";
        let n = on_tx!(self, c => sqlx::query(sql).bind(made_up).bind(actor).bind(to_secs(now)).bind(session_id)
            .bind(application_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// One record as JSON for the audit log.
    async fn attendance_record(
        &mut self,
        session_id: SessionId,
        application_id: ApplicationId,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let row: Option<(String, Option<i32>, bool)> = on_tx!(self, c => sqlx::query_as(
            "SELECT mark, minutes_late, made_up FROM attendance WHERE session_id = $1 AND application_id = $2")
            .bind(session_id).bind(application_id).fetch_optional(c).await)?;
        Ok(row.map(|(mark, minutes_late, made_up)| {
            serde_json::json!({ "mark": mark, "minutes_late": minutes_late, "made_up": made_up })
        }))
    }

    /// Whether an application is a participant of the class (guards against ids from elsewhere).
    pub async fn is_participant(&mut self, class_id: ClassId, id: ApplicationId) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM applications WHERE id = $1 AND class_id = $2 \
                   AND status IN ('confirmed', 'completed', 'not_completed')";
        let n: i64 = on_tx!(self, c => sqlx::query_scalar(sql).bind(id).bind(class_id).fetch_one(c).await)?;
        Ok(n == 1)
    }

    /// A class's status, read so that graduating it waits for this transaction (and the
    /// other way round): marks are never written into a class that has just graduated.
    pub async fn class_status_for_marks(&mut self, class_id: ClassId) -> Result<Option<ClassStatus>, StoreError> {
        let sql = match self.backend() {
            super::Backend::Sqlite => "SELECT status FROM classes WHERE id = $1",
            super::Backend::Postgres => "SELECT status FROM classes WHERE id = $1 FOR SHARE",
        };
        let status: Option<String> = on_tx!(self, c => sqlx::query_scalar(sql).bind(class_id).fetch_optional(c).await)?;
        status
            .map(|s| {
                ClassStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("class {class_id}: status {s:?}")))
            })
            .transpose()
    }

    /// Locks a class that is about to graduate: false when it is no longer in progress
    /// (someone confirmed first). PostgreSQL locks the row; SQLite's write transaction
    /// already excludes other writers.
    pub async fn start_completing(&mut self, class_id: ClassId) -> Result<bool, StoreError> {
        let sql = "UPDATE classes SET status = status WHERE id = $1 AND status = 'in_progress'";
        let n = on_tx!(self, c => sqlx::query(sql).bind(class_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Completes a class: graduates and the others get their final status, the class
    /// records its graduate count.
    pub async fn complete_class(
        &mut self,
        class_id: ClassId,
        graduates: &[ApplicationId],
        others: &[ApplicationId],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for (ids, status) in [(graduates, "completed"), (others, "not_completed")] {
            for id in ids {
                let sql = "UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3 AND class_id = $4";
                on_tx!(self, c => sqlx::query(sql).bind(status).bind(to_secs(now)).bind(*id).bind(class_id)
                    .execute(c).await.map(|_| ()))?;
            }
        }
        let sql = "UPDATE classes SET status = 'completed', graduates = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, c => sqlx::query(sql).bind(graduates.len() as i64).bind(to_secs(now)).bind(class_id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

/// An issued certificate.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateRecord {
    pub number: String,
    pub application_id: ApplicationId,
    pub full_name: String,
    pub program_name: String,
    pub class_name: String,
    pub completed_on: String,
    pub email: String,
    pub class_id: ClassId,
}

const CERTIFICATE_COLUMNS: &str = "c.number, c.application_id, c.full_name, c.program_name, c.class_name, \
     c.completed_on, a.email, a.class_id";

impl Store {
    /// A certificate by number.
    pub async fn certificate(&self, number: &str) -> Result<Option<CertificateRecord>, StoreError> {
        let sql = format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM certificates c JOIN applications a ON a.id = c.application_id \
             WHERE c.number = $1"
        );
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(p).await)?)
    }

    /// The certificates of a class, by application.
    pub async fn class_certificates(&self, class_id: ClassId) -> Result<HashMap<ApplicationId, String>, StoreError> {
        let sql = "SELECT c.application_id, c.number FROM certificates c JOIN applications a ON a.id = c.application_id \
                   WHERE a.class_id = $1";
        let rows: Vec<(ApplicationId, String)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }
}

impl Tx {
    /// How many certificates were issued in `year` (numbers start with the year).
    pub async fn certificates_in_year(&mut self, year: i16) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM certificates WHERE number LIKE $1";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(format!("{year}-%")).fetch_one(c).await)?)
    }

    /// Issues a certificate.
    #[expect(
        clippy::too_many_arguments,
        reason = "a certificate is these facts, stored as one row"
    )]
    pub async fn issue_certificate(
        &mut self,
        number: &str,
        application_id: ApplicationId,
        full_name: &str,
        program: &str,
        class: &str,
        completed_on: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO certificates (number, application_id, full_name, program_name, class_name, completed_on, issued_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_tx!(self, c => sqlx::query(sql).bind(number).bind(application_id).bind(full_name).bind(program).bind(class)
            .bind(completed_on).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    status: String,
    capacity: i64,
    graduates: Option<i64>,
    first_session_at: Option<i64>,
    applications: i64,
    marks: i64,
    present: i64,
}

impl Store {
    /// Per-class facts of a program for statistics; years are local to `tz`.
    pub async fn program_class_facts(
        &self,
        program_id: crate::domain::ProgramId,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<crate::domain::stats::ClassFacts>, StoreError> {
        let sql = "SELECT c.status, c.capacity, c.graduates, \
                   (SELECT MIN(s.starts_at) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) AS first_session_at, \
                   (SELECT COUNT(*) FROM applications a WHERE a.class_id = c.id) AS applications, \
                   (SELECT COUNT(*) FROM attendance t JOIN sessions s ON s.id = t.session_id WHERE s.class_id = c.id) AS marks, \
                   (SELECT COUNT(*) FROM attendance t JOIN sessions s ON s.id = t.session_id WHERE s.class_id = c.id \
                        AND t.mark IN ('present', 'late')) AS present \
                   FROM classes c WHERE c.program_id = $1 AND c.status <> 'draft' AND c.status <> 'cancelled'";
        let rows: Vec<StatsRow> = dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|r| crate::domain::stats::ClassFacts {
                year: r
                    .first_session_at
                    .and_then(|t| Timestamp::from_second(t).ok())
                    .map(|t| t.to_zoned(tz.clone()).year()),
                completed: r.status == "completed",
                capacity: r.capacity,
                graduates: r.graduates.unwrap_or(0),
                applications: r.applications,
                marks: r.marks,
                present: r.present,
            })
            .collect())
    }
}

impl Tx {
    /// Marks a session of a class cancelled; false if it was not there or already cancelled.
    pub async fn cancel_session(&mut self, class_id: ClassId, session_id: SessionId) -> Result<bool, StoreError> {
        let sql = "UPDATE sessions SET cancelled = TRUE, sequence = sequence + 1 WHERE id = $1 AND class_id = $2 AND NOT cancelled";
        let n = on_tx!(self, c => sqlx::query(sql).bind(session_id).bind(class_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Everyone still involved in a class (seat holders, waitlist, lottery entries).
    pub async fn active_applicants(&mut self, class_id: ClassId) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str = concat!(
            "SELECT email, first_name FROM applications WHERE class_id = $1 AND ",
            still_involved!(),
            " ORDER BY id"
        );
        Ok(on_tx!(self, c => sqlx::query_as(SQL).bind(class_id).fetch_all(c).await)?)
    }
}

impl Store {
    /// How many people are still involved in a class: whom a cancellation would email.
    pub async fn count_active_applicants(&self, class_id: ClassId) -> Result<i64, StoreError> {
        const SQL: &str = concat!(
            "SELECT COUNT(*) FROM applications WHERE class_id = $1 AND ",
            still_involved!()
        );
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(SQL).bind(class_id).fetch_one(p).await)?)
    }
}
