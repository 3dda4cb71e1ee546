//! Schools, counselors' schools, per-school quotas, nominations and guardian consent links.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::nomination::{Nomination, NominationStatus};
use crate::domain::{ClassId, NominationId, SchoolId, StaffId};

/// A school the department works with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct School {
    pub id: SchoolId,
    pub name: String,
    pub district: String,
    pub address: String,
    /// A [`crate::domain::PlaceKind`] code.
    pub kind: String,
}

impl School {
    /// What kind of place this is, in words.
    pub fn kind_label(&self) -> &'static str {
        crate::domain::PlaceKind::parse(&self.kind).map_or("School", |k| k.label())
    }
}

/// A nomination as the pages show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NominationRow {
    pub id: NominationId,
    pub class_id: ClassId,
    pub school_id: SchoolId,
    pub school_name: String,
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    pub grade: i64,
    pub student_number: String,
    pub guardian_name: String,
    pub guardian_email: String,
    pub decision_reason: Option<String>,
    pub consent_name: Option<String>,
    pub consent_at: Option<i64>,
    pub consent_version: Option<String>,
    pub media_consent: bool,
    pub application_id: Option<crate::domain::ApplicationId>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    /// Sensitive: shown only to the roles the department names.
    pub medical_notes: Option<String>,
    pub consent_declined_at: Option<i64>,
}

impl NominationRow {
    pub fn status(&self) -> Option<NominationStatus> {
        NominationStatus::parse(&self.status)
    }
}

const NOMINATION_COLUMNS: &str = "n.id, n.class_id, n.school_id, s.name AS school_name, n.status, n.first_name, \
     n.last_name, n.grade, n.student_number, n.guardian_name, n.guardian_email, n.decision_reason, n.consent_name, \
     n.consent_at, n.consent_version, n.media_consent, n.application_id, n.emergency_name, n.emergency_phone, \
     n.medical_notes, n.consent_declined_at";

impl Store {
    /// Every school and college, by name (what school programs may name).
    pub async fn schools(&self) -> Result<Vec<School>, StoreError> {
        let sql =
            "SELECT id, name, district, address, kind FROM schools WHERE kind IN ('school', 'college') ORDER BY name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }

    /// Every school, college and organization, by name (where officers' activity happens).
    pub async fn places(&self) -> Result<Vec<School>, StoreError> {
        let sql = "SELECT id, name, district, address, kind FROM schools ORDER BY name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }

    /// The schools a counselor works for.
    pub async fn counselor_schools(&self, staff_id: StaffId) -> Result<Vec<SchoolId>, StoreError> {
        let sql = "SELECT school_id FROM counselor_schools WHERE staff_id = $1 ORDER BY school_id";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(staff_id).fetch_all(p).await)?)
    }

    /// Counselor accounts with their schools' names: `(id, name, email, schools)`.
    pub async fn counselors(&self) -> Result<Vec<(StaffId, String, String, String)>, StoreError> {
        let sql = "SELECT st.id, st.full_name, st.email, \
                   COALESCE((SELECT string_agg(s.name, ', ') FROM counselor_schools cs JOIN schools s ON s.id = cs.school_id \
                             WHERE cs.staff_id = st.id), '') AS schools \
                   FROM staff st WHERE st.role = 'counselor' AND st.active ORDER BY st.full_name";
        let sqlite_sql = "SELECT st.id, st.full_name, st.email, \
                   COALESCE((SELECT group_concat(s.name, ', ') FROM counselor_schools cs JOIN schools s ON s.id = cs.school_id \
                             WHERE cs.staff_id = st.id), '') AS schools \
                   FROM staff st WHERE st.role = 'counselor' AND st.active ORDER BY st.full_name";
        Ok(match &self.pool {
            super::Pool::Sqlite(p) => sqlx::query_as(sqlite_sql).fetch_all(p).await?,
            super::Pool::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await?,
        })
    }

    /// The counselors of one school: `(id, name, email)`.
    pub async fn school_counselors(&self, school_id: SchoolId) -> Result<Vec<(StaffId, String, String)>, StoreError> {
        let sql = "SELECT st.id, st.full_name, st.email FROM counselor_schools cs JOIN staff st ON st.id = cs.staff_id \
                   WHERE cs.school_id = $1 AND st.active ORDER BY st.full_name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(school_id).fetch_all(p).await)?)
    }

    /// Nominations of a class, optionally only those of some schools, by school then name.
    pub async fn nominations(
        &self,
        class_id: ClassId,
        schools: Option<&[SchoolId]>,
    ) -> Result<Vec<NominationRow>, StoreError> {
        let sql = format!(
            "SELECT {NOMINATION_COLUMNS} FROM nominations n JOIN schools s ON s.id = n.school_id \
             WHERE n.class_id = $1 ORDER BY s.name, lower(n.last_name), lower(n.first_name), n.id"
        );
        let rows: Vec<NominationRow> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(class_id).fetch_all(p).await)?;
        Ok(match schools {
            Some(ids) => rows.into_iter().filter(|r| ids.contains(&r.school_id)).collect(),
            None => rows,
        })
    }

    /// One nomination.
    pub async fn nomination(&self, id: NominationId) -> Result<Option<NominationRow>, StoreError> {
        let sql = format!(
            "SELECT {NOMINATION_COLUMNS} FROM nominations n JOIN schools s ON s.id = n.school_id WHERE n.id = $1"
        );
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?)
    }

    /// A school's quota in a class, if the coordinator set one.
    pub async fn quotas(&self, class_id: ClassId) -> Result<Vec<(SchoolId, i64)>, StoreError> {
        let sql = "SELECT school_id, seats FROM school_quotas WHERE class_id = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// Classes of nominating programs still holding minors' details: `(class, name, last
    /// session start, records)`.
    pub async fn minor_cohorts(&self) -> Result<Vec<(ClassId, String, Option<i64>, i64)>, StoreError> {
        let sql = "SELECT c.id, c.name, (SELECT MAX(s.starts_at) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled), \
                   (SELECT COUNT(*) FROM nominations n WHERE n.class_id = c.id AND n.erased_at IS NULL) \
                   + (SELECT COUNT(*) FROM applications a WHERE a.class_id = c.id AND a.first_name <> '') \
                   FROM classes c JOIN programs p ON p.id = c.program_id \
                   WHERE p.kind = 'teen_academy' ORDER BY c.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }

    /// The nomination a consent link belongs to, while the link is unused and unexpired.
    pub async fn consent_link(&self, token_hash: &str, now: Timestamp) -> Result<Option<NominationId>, StoreError> {
        let sql =
            "SELECT nomination_id FROM consent_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(token_hash).bind(to_secs(now)).fetch_optional(p).await)?,
        )
    }
}

impl Tx {
    /// Blanks the personal details of a cohort's students and guardians (nominations,
    /// participants, names on certificates), keeping school, grade, status and attendance
    /// for anonymous counts. Consent emails and links, survey links and alumni opt-ins go too. Returns how many records were erased.
    pub async fn erase_minors(&mut self, class_id: ClassId, now: Timestamp) -> Result<u64, StoreError> {
        on_tx!(self, c => sqlx::query(
            "DELETE FROM outbox WHERE kind IN ('guardian_consent', 'guardian_consent_copy') AND recipient IN \
             (SELECT guardian_email FROM nominations WHERE class_id = $1 AND erased_at IS NULL)")
            .bind(class_id).execute(c).await.map(|_| ()))?;
        on_tx!(self, c => sqlx::query(
            "DELETE FROM consent_links WHERE nomination_id IN (SELECT id FROM nominations WHERE class_id = $1)")
            .bind(class_id).execute(c).await.map(|_| ()))?;
        let nominations = on_tx!(self, c => sqlx::query(
            "UPDATE nominations SET first_name = '', last_name = '', student_number = 'erased-' || id, guardian_name = '', \
             guardian_email = '', decision_reason = NULL, consent_name = NULL, emergency_name = NULL, \
             emergency_phone = NULL, medical_notes = NULL, erased_at = $2, updated_at = $2 \
             WHERE class_id = $1 AND erased_at IS NULL")
            .bind(class_id).bind(to_secs(now)).execute(c).await.map(|r| r.rows_affected()))?;
        // A certificate stays verifiable by number, without the student's name.
        on_tx!(self, c => sqlx::query(
            "UPDATE certificates SET full_name = '' WHERE application_id IN \
             (SELECT id FROM applications WHERE class_id = $1 AND first_name <> '')")
            .bind(class_id).execute(c).await.map(|_| ()))?;
        on_tx!(self, c => sqlx::query(
            "DELETE FROM calendar_links WHERE owner_kind = 'participant' AND owner_key IN \
             (SELECT email_key FROM applications WHERE class_id = $1 AND first_name <> '')")
            .bind(class_id).execute(c).await.map(|_| ()))?;
        // Survey links and alumni mail name the person; their anonymous answers stay.
        on_tx!(self, c => sqlx::query(
            "DELETE FROM outbox WHERE kind IN ('survey_invitation', 'alumni') AND recipient IN \
             (SELECT email FROM applications WHERE class_id = $1 AND first_name <> '')")
            .bind(class_id).execute(c).await.map(|_| ()))?;
        on_tx!(self, c => sqlx::query(
            "DELETE FROM alumni WHERE application_id IN (SELECT id FROM applications WHERE class_id = $1)")
            .bind(class_id).execute(c).await.map(|_| ()))?;
        // Answers to the program's own questions go with the person they describe.
        self.erase_class_answers(class_id, now).await?;
        let participants = on_tx!(self, c => sqlx::query(
            "UPDATE applications SET first_name = '', last_name = '', email = '', email_key = 'erased-' || id, \
             person_key = 'erased-' || id, phone = '', date_of_birth = '', city = '', organization = '', \
             emergency_name = '', emergency_phone = '', updated_at = $2 WHERE class_id = $1 AND first_name <> ''")
            .bind(class_id).bind(to_secs(now)).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(nominations + participants)
    }

    /// Makes a confirmed nominee a participant of the cohort: an application row with the
    /// guardian as contact (the unique keys are the nomination's, so siblings sharing a
    /// guardian stay apart), linked back to the nomination.
    pub async fn add_nominee(
        &mut self,
        n: &NominationRow,
        now: Timestamp,
    ) -> Result<crate::domain::ApplicationId, StoreError> {
        let key = format!("nomination-{}", n.id);
        let sql = "INSERT INTO applications (class_id, status, channel, first_name, last_name, email, email_key, \
                       person_key, phone, date_of_birth, city, affiliation, organization, emergency_name, \
                       emergency_phone, waiver_accepted, queue_rank, created_at, updated_at) \
                   VALUES ($1, 'confirmed', 'staff', $2, $3, $4, $5, $5, '', '', '', 'studies', $6, $7, '', TRUE, \
                       (SELECT COALESCE(MAX(queue_rank), 0) + 1 FROM applications WHERE class_id = $1), $8, $8) \
                   RETURNING id";
        let id: crate::domain::ApplicationId = on_tx!(self, c => sqlx::query_scalar(sql).bind(n.class_id)
            .bind(&n.first_name).bind(&n.last_name).bind(&n.guardian_email).bind(&key).bind(&n.school_name)
            .bind(&n.guardian_name).bind(to_secs(now)).fetch_one(c).await)?;
        on_tx!(self, c => sqlx::query("UPDATE nominations SET application_id = $1 WHERE id = $2")
            .bind(id).bind(n.id).execute(c).await.map(|_| ()))?;
        Ok(id)
    }

    pub async fn insert_school(
        &mut self,
        name: &str,
        district: &str,
        address: &str,
        now: Timestamp,
    ) -> Result<SchoolId, StoreError> {
        self.insert_place(name, crate::domain::PlaceKind::School, district, address, now)
            .await
    }

    /// Adds a school, college or organization officers work with.
    pub async fn insert_place(
        &mut self,
        name: &str,
        kind: crate::domain::PlaceKind,
        district: &str,
        address: &str,
        now: Timestamp,
    ) -> Result<SchoolId, StoreError> {
        let sql =
            "INSERT INTO schools (name, district, address, created_at, kind) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(name).bind(district).bind(address).bind(to_secs(now))
            .bind(kind.code()).fetch_one(c).await)?,
        )
    }

    pub async fn link_counselor(&mut self, staff_id: StaffId, school_id: SchoolId) -> Result<(), StoreError> {
        let sql = "INSERT INTO counselor_schools (staff_id, school_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        on_tx!(self, c => sqlx::query(sql).bind(staff_id).bind(school_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Sets (or with `None` removes) a school's quota in a class.
    pub async fn set_quota(
        &mut self,
        class_id: ClassId,
        school_id: SchoolId,
        seats: Option<i64>,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM school_quotas WHERE class_id = $1 AND school_id = $2")
            .bind(class_id).bind(school_id).execute(c).await.map(|_| ()))?;
        if let Some(seats) = seats {
            on_tx!(self, c => sqlx::query("INSERT INTO school_quotas (class_id, school_id, seats) VALUES ($1, $2, $3)")
                .bind(class_id).bind(school_id).bind(seats).execute(c).await.map(|_| ()))?;
        }
        Ok(())
    }

    /// A school's quota and how many of its nominations are still active, read while
    /// the class row is locked (the caller locks it) so two counselors cannot overshoot.
    pub async fn quota_use(
        &mut self,
        class_id: ClassId,
        school_id: SchoolId,
    ) -> Result<(Option<i64>, i64), StoreError> {
        let quota: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT seats FROM school_quotas WHERE class_id = $1 AND school_id = $2")
            .bind(class_id).bind(school_id).fetch_optional(c).await)?;
        let active: i64 = on_tx!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM nominations WHERE class_id = $1 AND school_id = $2 AND status NOT IN ('declined', 'withdrawn')")
            .bind(class_id).bind(school_id).fetch_one(c).await)?;
        Ok((quota, active))
    }

    pub async fn insert_nomination(
        &mut self,
        class_id: ClassId,
        school_id: SchoolId,
        n: &Nomination,
        nominated_by: &str,
        now: Timestamp,
    ) -> Result<NominationId, StoreError> {
        let sql = "INSERT INTO nominations (class_id, school_id, status, first_name, last_name, grade, student_number, \
                   guardian_name, guardian_email, nominated_by, created_at, updated_at) \
                   VALUES ($1, $2, 'nominated', $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(class_id).bind(school_id).bind(&n.first_name)
            .bind(&n.last_name).bind(i64::from(n.grade)).bind(&n.student_number).bind(&n.guardian_name)
            .bind(&n.guardian_email).bind(nominated_by).bind(to_secs(now)).fetch_one(c).await)?,
        )
    }

    /// Corrects a nomination still waiting for a decision; false when it moved on.
    pub async fn update_nomination(
        &mut self,
        id: NominationId,
        n: &Nomination,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE nominations SET first_name = $1, last_name = $2, grade = $3, student_number = $4, \
                   guardian_name = $5, guardian_email = $6, updated_at = $7 WHERE id = $8 AND status = 'nominated'";
        let rows = on_tx!(self, c => sqlx::query(sql).bind(&n.first_name).bind(&n.last_name).bind(i64::from(n.grade))
            .bind(&n.student_number).bind(&n.guardian_name).bind(&n.guardian_email).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(rows == 1)
    }

    /// Moves a nomination from `from` to `to`; false when someone changed it first.
    pub async fn set_nomination_status(
        &mut self,
        id: NominationId,
        from: NominationStatus,
        to: NominationStatus,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE nominations SET status = $1, decision_reason = COALESCE($2, decision_reason), updated_at = $3 \
                   WHERE id = $4 AND status = $5";
        let n = on_tx!(self, c => sqlx::query(sql).bind(to.code()).bind(reason).bind(to_secs(now)).bind(id)
            .bind(from.code()).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn insert_consent_link(
        &mut self,
        token_hash: &str,
        nomination_id: NominationId,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO consent_links (token_hash, nomination_id, expires_at) VALUES ($1, $2, $3)";
        on_tx!(self, c => sqlx::query(sql).bind(token_hash).bind(nomination_id).bind(to_secs(expires_at))
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Uses a consent link once: returns its nomination, or `None` when it was used,
    /// expired or never existed. The update is the check, so a double submit signs once.
    pub async fn use_consent_link(
        &mut self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<NominationId>, StoreError> {
        let sql = "UPDATE consent_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
                   RETURNING nomination_id";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(to_secs(now)).bind(token_hash).fetch_optional(c).await)?)
    }

    pub async fn record_consent(
        &mut self,
        id: NominationId,
        name: &str,
        media: bool,
        version: &str,
        answers: &crate::domain::nomination::GuardianAnswers,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE nominations SET consent_name = $1, consent_at = $2, consent_version = $3, media_consent = $4, \
                   emergency_name = $5, emergency_phone = $6, medical_notes = $7, updated_at = $2 WHERE id = $8";
        on_tx!(self, c => sqlx::query(sql).bind(name).bind(to_secs(now)).bind(version).bind(media)
            .bind(&answers.emergency_name).bind(&answers.emergency_phone).bind(&answers.medical_notes).bind(id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// One nomination, read inside a transaction.
    pub async fn nomination_in(&mut self, id: NominationId) -> Result<Option<NominationRow>, StoreError> {
        let sql = format!(
            "SELECT {NOMINATION_COLUMNS} FROM nominations n JOIN schools s ON s.id = n.school_id WHERE n.id = $1"
        );
        Ok(on_tx!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?)
    }

    /// Records that the guardian declined through their link.
    pub async fn record_consent_declined(&mut self, id: NominationId, now: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE nominations SET consent_declined_at = $1, updated_at = $1 WHERE id = $2";
        on_tx!(self, c => sqlx::query(sql).bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
