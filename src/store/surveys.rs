//! Outcome surveys and alumni: the SQL. What may be stored with an answer sheet is
//! fixed by the schema (`0019_outcomes.sql`): never a person, an application, an
//! invitation or a time finer than the month, so no query can join an answer to a person.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
pub use crate::domain::survey::Phase;
use crate::domain::survey::{Answer, Instrument, Revision, revise};
use crate::domain::{ApplicationId, ClassId, ProgramId, SurveyVersionId};

/// One stored wording of a program's survey.
#[derive(Debug, Clone)]
pub struct SurveyVersion {
    pub id: SurveyVersionId,
    pub version: i64,
    pub instrument: Instrument,
}

/// A program's survey: whether invitations go out, and its current wording.
#[derive(Debug, Clone)]
pub struct Survey {
    pub program_id: ProgramId,
    pub active: bool,
    pub current: SurveyVersion,
    /// Whether anyone has answered the current wording (editing it then makes a new one).
    pub answered: bool,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: SurveyVersionId,
    version: i64,
    instrument: String,
}

impl TryFrom<VersionRow> for SurveyVersion {
    type Error = StoreError;

    fn try_from(r: VersionRow) -> Result<Self, StoreError> {
        Ok(SurveyVersion {
            instrument: serde_json::from_str(&r.instrument)
                .map_err(|e| StoreError::Corrupt(format!("survey version {}: {e}", r.id)))?,
            id: r.id,
            version: r.version,
        })
    }
}

/// Someone due a survey link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitee {
    pub application_id: ApplicationId,
    pub email: String,
    pub first_name: String,
    pub program_name: String,
    pub class_name: String,
}

/// What a survey link opens.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub application_id: ApplicationId,
    pub class_id: ClassId,
    pub program_id: ProgramId,
    pub program_name: String,
    pub class_name: String,
    pub phase: Phase,
    pub used: bool,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    application_id: ApplicationId,
    class_id: ClassId,
    program_id: ProgramId,
    program_name: String,
    class_name: String,
    phase: String,
    used: bool,
}

/// An answer sheet as staff results read it: no person, no time finer than the month.
#[derive(Debug, Clone)]
pub struct Response {
    pub version_id: SurveyVersionId,
    pub class_id: ClassId,
    pub phase: Phase,
    pub pair_code: String,
    pub answers: Vec<(String, Answer)>,
}

#[derive(sqlx::FromRow)]
struct ResponseRow {
    version_id: SurveyVersionId,
    class_id: ClassId,
    phase: String,
    pair_code: String,
    answers: String,
}

fn phase_of(s: &str) -> Result<Phase, StoreError> {
    Phase::parse(s).ok_or_else(|| StoreError::Corrupt(format!("survey phase {s:?}")))
}

/// Invitations sent and used, per phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uptake {
    pub invited: i64,
    pub answered: i64,
}

/// An opted-in graduate, for alumni mail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Alumnus {
    pub email: String,
    pub first_name: String,
    pub unsubscribe_token: String,
}

/// How many alumni keep in touch, per program.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlumniCount {
    pub program_id: ProgramId,
    pub program_name: String,
    pub graduates: i64,
    pub opted_in: i64,
}

/// Who is due a before-the-class link (`$2` is now): confirmed in a class that has not
/// begun.
const PRE_DUE: &str = "a.status = 'confirmed' AND c.status NOT IN ('completed', 'cancelled') \
     AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled AND s.starts_at <= $2)";

/// A class as the results and the report pick it: its name and the local year of its
/// first session.
#[derive(Debug, Clone)]
pub struct ClassYear {
    pub class_id: ClassId,
    pub name: String,
    pub year: Option<i16>,
}

/// Community requests of one type in a period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestTally {
    pub service_code: String,
    pub received: i64,
    pub closed: i64,
}

impl Store {
    /// A program's survey with its current wording, if it has one.
    pub async fn survey(&self, program_id: ProgramId) -> Result<Option<Survey>, StoreError> {
        let active: Option<bool> = dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT active FROM surveys WHERE program_id = $1").bind(program_id).fetch_optional(p).await)?;
        let Some(active) = active else { return Ok(None) };
        let row: Option<VersionRow> = dispatch!(&self.pool, p => sqlx::query_as(
            "SELECT id, version, instrument FROM survey_versions WHERE program_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(program_id).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(None) };
        let current = SurveyVersion::try_from(row)?;
        let answered: bool = dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM survey_responses WHERE version_id = $1)")
            .bind(current.id).fetch_one(p).await)?;
        Ok(Some(Survey {
            program_id,
            active,
            current,
            answered,
        }))
    }

    /// A program's scheduled classes (not drafts, not cancelled), newest first.
    pub async fn class_years(
        &self,
        program_id: ProgramId,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<ClassYear>, StoreError> {
        let sql = "SELECT c.id, c.name, (SELECT MIN(s.starts_at) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) \
                   FROM classes c WHERE c.program_id = $1 AND c.status NOT IN ('draft', 'cancelled') ORDER BY c.id DESC";
        let rows: Vec<(ClassId, String, Option<i64>)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(class_id, name, first)| ClassYear {
                class_id,
                name,
                year: first
                    .and_then(|t| Timestamp::from_second(t).ok())
                    .map(|t| t.to_zoned(tz.clone()).year()),
            })
            .collect())
    }

    /// Requests received in `[from, to)` by type, and how many of those were closed.
    pub async fn request_tallies(&self, from: Timestamp, to: Timestamp) -> Result<Vec<RequestTally>, StoreError> {
        let sql = "SELECT service_code, COUNT(*) AS received, \
                   SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS closed \
                   FROM service_requests WHERE created_at >= $1 AND created_at < $2 \
                   GROUP BY service_code ORDER BY COUNT(*) DESC, service_code";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(to_secs(from)).bind(to_secs(to)).fetch_all(p).await)?)
    }

    /// Every wording of a program's survey, oldest first.
    pub async fn survey_versions(&self, program_id: ProgramId) -> Result<Vec<SurveyVersion>, StoreError> {
        let rows: Vec<VersionRow> = dispatch!(&self.pool, p => sqlx::query_as(
            "SELECT id, version, instrument FROM survey_versions WHERE program_id = $1 ORDER BY version")
            .bind(program_id).fetch_all(p).await)?;
        rows.into_iter().map(SurveyVersion::try_from).collect()
    }

    /// Saves a program's survey: the current wording is changed in place while nobody
    /// has answered it, otherwise kept and followed by a new version. Returns the
    /// version number now current. The audit record is written with the change.
    pub async fn save_survey(
        &self,
        program_id: ProgramId,
        instrument: &Instrument,
        active: bool,
        audit: &super::staff::AuditRecord<'_>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(instrument).expect("an instrument serializes");
        let mut tx = self.begin().await?;
        let created = on_tx!(tx, c => sqlx::query(
            "INSERT INTO surveys (program_id, active, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (program_id) DO UPDATE SET active = excluded.active, updated_at = excluded.updated_at")
            .bind(program_id).bind(active).bind(to_secs(now)).execute(c).await.map(|r| r.rows_affected()))?;
        debug_assert_eq!(created, 1);
        let current: Option<(SurveyVersionId, i64, String)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, version, instrument FROM survey_versions WHERE program_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(program_id).fetch_optional(c).await)?;
        let number = match current {
            None => {
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO survey_versions (program_id, version, instrument, created_at) VALUES ($1, 1, $2, $3)")
                    .bind(program_id).bind(&json).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
                1
            }
            Some((_, version, stored)) if stored == json => version,
            Some((id, version, _)) => {
                let answered: bool = on_tx!(tx, c => sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM survey_responses WHERE version_id = $1)")
                    .bind(id).fetch_one(c).await)?;
                let version =
                    u32::try_from(version).map_err(|_| StoreError::Corrupt(format!("survey version {id}")))?;
                match revise(version, answered) {
                    Revision::InPlace => {
                        on_tx!(tx, c => sqlx::query("UPDATE survey_versions SET instrument = $1 WHERE id = $2")
                            .bind(&json).bind(id).execute(c).await.map(|_| ()))?;
                        i64::from(version)
                    }
                    Revision::NewVersion(next) => {
                        on_tx!(tx, c => sqlx::query(
                            "INSERT INTO survey_versions (program_id, version, instrument, created_at) VALUES ($1, $2, $3, $4)")
                            .bind(program_id).bind(i64::from(next)).bind(&json).bind(to_secs(now))
                            .execute(c).await.map(|_| ()))?;
                        i64::from(next)
                    }
                }
            }
        };
        tx.audit(audit, now).await?;
        tx.commit().await?;
        Ok(number)
    }

    /// Participants due a survey link for `phase`: for "pre", confirmed seat holders of a
    /// class that has not started; for "post", graduates whose class finished after the
    /// survey was set up (a new survey does not write to every past graduate).
    pub async fn survey_invitees(&self, phase: Phase, now: Timestamp) -> Result<Vec<Invitee>, StoreError> {
        let condition = match phase {
            Phase::Pre => PRE_DUE,
            Phase::Post => "a.status = 'completed' AND a.updated_at >= v.created_at",
        };
        let sql = format!(
            "SELECT a.id AS application_id, a.email, a.first_name, p.name AS program_name, c.name AS class_name \
             FROM applications a JOIN classes c ON c.id = a.class_id JOIN programs p ON p.id = c.program_id \
             JOIN surveys v ON v.program_id = p.id \
             WHERE v.active AND a.email <> '' AND {condition} \
             AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.application_id = a.id AND i.phase = $1) \
             ORDER BY a.id LIMIT 500"
        );
        Ok(
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(phase.code()).bind(to_secs(now))
            .fetch_all(p).await)?,
        )
    }

    /// The invitation behind a link.
    pub async fn survey_invitation(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
        let sql = "SELECT i.application_id, a.class_id, c.program_id, p.name AS program_name, c.name AS class_name, \
                   i.phase, i.used FROM survey_invitations i JOIN applications a ON a.id = i.application_id \
                   JOIN classes c ON c.id = a.class_id JOIN programs p ON p.id = c.program_id WHERE i.token_hash = $1";
        let row: Option<InvitationRow> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(token_hash).fetch_optional(p).await)?;
        row.map(|r| {
            Ok(Invitation {
                phase: phase_of(&r.phase)?,
                application_id: r.application_id,
                class_id: r.class_id,
                program_id: r.program_id,
                program_name: r.program_name,
                class_name: r.class_name,
                used: r.used,
            })
        })
        .transpose()
    }

    /// Answer sheets of a program, or of one class of it.
    pub async fn survey_responses(
        &self,
        program_id: ProgramId,
        class: Option<ClassId>,
    ) -> Result<Vec<Response>, StoreError> {
        let sql = "SELECT r.version_id, r.class_id, r.phase, r.pair_code, r.answers FROM survey_responses r \
                   JOIN survey_versions v ON v.id = r.version_id WHERE v.program_id = $1 \
                   AND ($2 IS NULL OR r.class_id = $2) ORDER BY r.class_id, r.phase, r.pair_code";
        let rows: Vec<ResponseRow> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program_id).bind(class).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                let answers: Vec<(String, Answer)> = serde_json::from_str(&r.answers)
                    .map_err(|e| StoreError::Corrupt(format!("survey answers: {e}")))?;
                Ok(Response {
                    phase: phase_of(&r.phase)?,
                    version_id: r.version_id,
                    class_id: r.class_id,
                    pair_code: r.pair_code,
                    answers,
                })
            })
            .collect()
    }

    /// Invitations sent and answered per phase, for a program or one class of it.
    pub async fn survey_uptake(
        &self,
        program_id: ProgramId,
        class: Option<ClassId>,
    ) -> Result<Vec<(Phase, Uptake)>, StoreError> {
        let sql = "SELECT i.phase, COUNT(*), SUM(CASE WHEN i.used THEN 1 ELSE 0 END) FROM survey_invitations i \
                   JOIN applications r ON r.id = i.application_id JOIN classes c ON c.id = r.class_id \
                   WHERE c.program_id = $1 AND ($2 IS NULL OR r.class_id = $2) GROUP BY i.phase";
        let rows: Vec<(String, i64, i64)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program_id).bind(class).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(phase, invited, answered)| Ok((phase_of(&phase)?, Uptake { invited, answered })))
            .collect()
    }

    /// A secret named `name`, made from `fresh` and kept on first use. Several instances
    /// racing agree on the first one stored.
    pub async fn instance_secret(&self, name: &str, fresh: &str, now: Timestamp) -> Result<String, StoreError> {
        dispatch!(&self.pool, p => sqlx::query(
            "INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name).bind(fresh).bind(to_secs(now)).execute(p).await.map(|_| ()))?;
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
            .bind(name).fetch_one(p).await)?,
        )
    }

    /// Whether a graduate keeps in touch.
    pub async fn is_alumnus(&self, application_id: ApplicationId) -> Result<bool, StoreError> {
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM alumni WHERE application_id = $1)").bind(application_id).fetch_one(p).await)?)
    }

    /// Records a graduate's choice to keep in touch (or not). Only a completed
    /// application can opt in; returns false otherwise.
    pub async fn set_alumnus(
        &self,
        application_id: ApplicationId,
        keep_in_touch: bool,
        token: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if !keep_in_touch {
            dispatch!(&self.pool, p => sqlx::query("DELETE FROM alumni WHERE application_id = $1")
                .bind(application_id).execute(p).await.map(|_| ()))?;
            return Ok(true);
        }
        let sql = "INSERT INTO alumni (application_id, unsubscribe_token, opted_in_at) \
                   SELECT id, $2, $3 FROM applications WHERE id = $1 AND status = 'completed' AND email <> '' \
                   ON CONFLICT (application_id) DO NOTHING";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(application_id).bind(token).bind(to_secs(now))
            .execute(p).await.map(|_| ()))?;
        self.is_alumnus(application_id).await
    }

    /// Whether an alumni unsubscribe link still names someone.
    pub async fn alumni_token_exists(&self, token: &str) -> Result<bool, StoreError> {
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM alumni WHERE unsubscribe_token = $1)").bind(token).fetch_one(p).await)?)
    }

    /// Stops alumni mail from its unsubscribe link; the program's name, if it matched.
    pub async fn leave_alumni(&self, token: &str) -> Result<Option<String>, StoreError> {
        let name: Option<String> = dispatch!(&self.pool, p => sqlx::query_scalar(
            "SELECT p.name FROM alumni l JOIN applications a ON a.id = l.application_id JOIN classes c ON c.id = a.class_id \
             JOIN programs p ON p.id = c.program_id WHERE l.unsubscribe_token = $1").bind(token).fetch_optional(p).await)?;
        if name.is_some() {
            dispatch!(&self.pool, p => sqlx::query("DELETE FROM alumni WHERE unsubscribe_token = $1")
                .bind(token).execute(p).await.map(|_| ()))?;
        }
        Ok(name)
    }

    /// Opted-in graduates, of one program or all; one row per address (a person who
    /// graduated twice hears once).
    pub async fn alumni(&self, program: Option<ProgramId>) -> Result<Vec<Alumnus>, StoreError> {
        let sql = "SELECT a.email, MIN(a.first_name) AS first_name, MIN(l.unsubscribe_token) AS unsubscribe_token \
                   FROM alumni l JOIN applications a ON a.id = l.application_id JOIN classes c ON c.id = a.class_id \
                   WHERE ($1 IS NULL OR c.program_id = $1) AND a.email <> '' GROUP BY a.email ORDER BY a.email";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program).fetch_all(p).await)?)
    }

    /// Graduates and opted-in alumni per program.
    pub async fn alumni_counts(&self) -> Result<Vec<AlumniCount>, StoreError> {
        let sql = "SELECT p.id AS program_id, p.name AS program_name, \
                   COUNT(a.id) AS graduates, COUNT(l.application_id) AS opted_in \
                   FROM programs p JOIN classes c ON c.program_id = p.id \
                   JOIN applications a ON a.class_id = c.id AND a.status = 'completed' \
                   LEFT JOIN alumni l ON l.application_id = a.id \
                   GROUP BY p.id, p.name, p.position ORDER BY p.position, p.name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Gives a program its first survey (seeding); returns the version's id.
    pub async fn insert_survey(
        &mut self,
        program_id: ProgramId,
        instrument: &Instrument,
        now: Timestamp,
    ) -> Result<SurveyVersionId, StoreError> {
        let json = serde_json::to_string(instrument).expect("an instrument serializes");
        on_tx!(self, c => sqlx::query("INSERT INTO surveys (program_id, active, created_at, updated_at) VALUES ($1, TRUE, $2, $2)")
            .bind(program_id).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(on_tx!(self, c => sqlx::query_scalar(
            "INSERT INTO survey_versions (program_id, version, instrument, created_at) VALUES ($1, 1, $2, $3) RETURNING id")
            .bind(program_id).bind(&json).bind(to_secs(now)).fetch_one(c).await)?)
    }

    /// Records a graduate's opt-in to alumni news (seeding).
    pub async fn insert_alumnus(
        &mut self,
        application_id: ApplicationId,
        token: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("INSERT INTO alumni (application_id, unsubscribe_token, opted_in_at) VALUES ($1, $2, $3)")
            .bind(application_id).bind(token).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Marks everyone now due a before-the-class link as already sent one, without a
    /// message (seeding data whose links went out before it was loaded).
    pub async fn record_pre_invitations_sent(&mut self, now: Timestamp) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO survey_invitations (application_id, phase, token_hash, sent_at) \
             SELECT a.id, $1, 'seeded-' || a.id, $2 FROM applications a JOIN classes c ON c.id = a.class_id \
             JOIN surveys v ON v.program_id = c.program_id WHERE v.active AND {PRE_DUE} \
             ON CONFLICT (application_id, phase) DO NOTHING"
        );
        on_tx!(self, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(Phase::Pre.code()).bind(to_secs(now))
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Records that a link was sent; false when this person already has one for `phase`.
    pub async fn create_survey_invitation(
        &mut self,
        application_id: ApplicationId,
        phase: Phase,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "INSERT INTO survey_invitations (application_id, phase, token_hash, sent_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (application_id, phase) DO NOTHING";
        let n = on_tx!(self, c => sqlx::query(sql).bind(application_id).bind(phase.code()).bind(token_hash)
            .bind(to_secs(now)).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Spends a link: true for the one request that got to it first.
    pub async fn use_survey_invitation(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE survey_invitations SET used = TRUE WHERE token_hash = $1 AND NOT used")
            .bind(token_hash).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Stores an answer sheet under `id` (random, chosen by the caller), for the survey
    /// version and class in `of`, with its month and nothing finer.
    pub async fn insert_survey_response(
        &mut self,
        id: &str,
        (version_id, class_id): (SurveyVersionId, ClassId),
        phase: Phase,
        answered_in: jiff::civil::Date,
        pair_code: &str,
        answers: &[(String, Answer)],
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(answers).expect("answers serialize");
        let sql = "INSERT INTO survey_responses (id, version_id, class_id, phase, answered_in, pair_code, answers) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_tx!(self, c => sqlx::query(sql).bind(id).bind(version_id).bind(class_id)
            .bind(phase.code()).bind(answered_in.strftime("%Y-%m").to_string()).bind(pair_code).bind(&json).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
