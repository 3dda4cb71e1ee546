//! A program's own application questions and the answers to them: the SQL. What an
//! answer must look like, who may read it and when it is erased are decided in
//! `domain::questions`.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::questions::{Answer, Question, QuestionKind, QuestionSpec};
use crate::domain::{ApplicationId, ClassId, ProgramId, QuestionId};

#[derive(sqlx::FromRow)]
struct Row {
    id: QuestionId,
    kind: String,
    label: String,
    help: String,
    options: String,
    required: bool,
    sensitive: bool,
    retention_months: i64,
    position: i64,
}

impl TryFrom<Row> for Question {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("question {}: {what}", r.id));
        Ok(Question {
            spec: QuestionSpec {
                kind: QuestionKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
                retention_months: u16::try_from(r.retention_months).map_err(|_| corrupt("retention"))?,
                options: r.options.lines().map(str::to_string).collect(),
                label: r.label,
                help: r.help,
                required: r.required,
                sensitive: r.sensitive,
            },
            id: r.id,
            position: r.position,
        })
    }
}

const COLUMNS: &str = "id, kind, label, help, options, required, sensitive, retention_months, position";

/// A stored answer with its question, as the review page and exports read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub application_id: ApplicationId,
    pub question_id: QuestionId,
    pub label: String,
    pub kind: String,
    pub sensitive: bool,
    /// The answer, or a document's file name; empty once erased.
    pub value: String,
    pub has_file: bool,
    pub erased: bool,
}

/// A stored document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerFile {
    pub file_name: String,
    pub content_type: String,
    pub file: Vec<u8>,
    pub sensitive: bool,
}

/// Answers of one class to one question still held, with the class's last session, for
/// the retention job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldAnswers {
    pub class_id: ClassId,
    pub question_id: QuestionId,
    pub retention_months: i64,
    pub last_session_at: Option<i64>,
    pub answers: i64,
}

/// A question as the privacy notice lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub program_name: String,
    pub label: String,
    pub kind: String,
    pub retention_months: i64,
    pub archived: bool,
}

/// What removing a question did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Nobody had answered it: gone.
    Deleted,
    /// It has answers: no longer asked, answers kept until their retention ends.
    Archived,
    NotFound,
}

const ANSWER_SELECT: &str = "SELECT a.application_id, a.question_id, q.label, q.kind, q.sensitive, a.value, \
     (a.file IS NOT NULL) AS has_file, (a.erased_at IS NOT NULL) AS erased \
     FROM application_answers a JOIN program_questions q ON q.id = a.question_id";

impl Store {
    /// The questions a program asks now, in order (archived ones left out).
    pub async fn program_questions(&self, program_id: ProgramId) -> Result<Vec<Question>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM program_questions WHERE program_id = $1 AND archived_at IS NULL ORDER BY position, id"
        );
        let rows: Vec<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program_id).fetch_all(p).await)?;
        rows.into_iter().map(Question::try_from).collect()
    }

    /// One question the program asks now.
    pub async fn program_question(
        &self,
        program_id: ProgramId,
        id: QuestionId,
    ) -> Result<Option<Question>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM program_questions WHERE program_id = $1 AND id = $2 AND archived_at IS NULL"
        );
        let row: Option<Row> = dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(program_id).bind(id).fetch_optional(p).await)?;
        row.map(Question::try_from).transpose()
    }

    /// An application's answers, in the form's order (archived questions included).
    pub async fn answers_of(&self, application_id: ApplicationId) -> Result<Vec<AnswerRow>, StoreError> {
        let sql = format!("{ANSWER_SELECT} WHERE a.application_id = $1 ORDER BY q.position, q.id");
        Ok(
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(application_id).fetch_all(p).await)?,
        )
    }

    /// Answers of the applications of a class whose queue places lie in `ranks` (a
    /// roster page's answers, read through the roster's index).
    pub async fn answers_in_ranks(
        &self,
        class_id: ClassId,
        ranks: std::ops::RangeInclusive<i64>,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let sql = format!(
            "{ANSWER_SELECT} JOIN applications ap ON ap.id = a.application_id WHERE ap.class_id = $1 \
             AND ap.queue_rank BETWEEN $2 AND $3 ORDER BY a.application_id, q.position, q.id"
        );
        Ok(
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(class_id).bind(*ranks.start())
            .bind(*ranks.end()).fetch_all(p).await)?,
        )
    }

    /// The questions answered in a class plus those its program asks now, in order:
    /// the roster's answer columns `(id, label, sensitive)`.
    pub async fn class_question_columns(
        &self,
        class_id: ClassId,
    ) -> Result<Vec<(QuestionId, String, bool)>, StoreError> {
        let sql = "SELECT q.id, q.label, q.sensitive FROM program_questions q JOIN classes c ON c.program_id = q.program_id \
                   WHERE c.id = $1 AND (q.archived_at IS NULL OR EXISTS (SELECT 1 FROM application_answers a \
                   JOIN applications ap ON ap.id = a.application_id WHERE a.question_id = q.id AND ap.class_id = $1)) \
                   ORDER BY q.position, q.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_all(p).await)?)
    }

    /// A document answer of an application, while it is held.
    pub async fn answer_file(
        &self,
        application_id: ApplicationId,
        question_id: QuestionId,
    ) -> Result<Option<AnswerFile>, StoreError> {
        let sql = "SELECT a.value AS file_name, a.content_type, a.file, q.sensitive FROM application_answers a \
                   JOIN program_questions q ON q.id = a.question_id \
                   WHERE a.application_id = $1 AND a.question_id = $2 AND a.file IS NOT NULL AND a.content_type IS NOT NULL \
                   AND a.erased_at IS NULL";
        Ok(
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(application_id).bind(question_id).fetch_optional(p).await)?,
        )
    }

    /// Answers still held, per class and question, with what decides when they go.
    pub async fn held_answers(&self) -> Result<Vec<HeldAnswers>, StoreError> {
        let sql = "SELECT ap.class_id, a.question_id, q.retention_months, \
                   (SELECT MAX(s.starts_at) FROM sessions s WHERE s.class_id = ap.class_id AND NOT s.cancelled) \
                   AS last_session_at, COUNT(*) AS answers \
                   FROM application_answers a JOIN applications ap ON ap.id = a.application_id \
                   JOIN program_questions q ON q.id = a.question_id \
                   WHERE a.erased_at IS NULL GROUP BY ap.class_id, a.question_id, q.retention_months \
                   ORDER BY ap.class_id, a.question_id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }

    /// The questions of published programs, for the privacy notice: those asked now,
    /// and archived ones whose answers are still held.
    pub async fn privacy_questions(&self) -> Result<Vec<NoticeRow>, StoreError> {
        let sql = "SELECT p.name AS program_name, q.label, q.kind, q.retention_months, \
                   (q.archived_at IS NOT NULL) AS archived \
                   FROM program_questions q JOIN programs p ON p.id = q.program_id \
                   WHERE p.published AND (q.archived_at IS NULL OR EXISTS (SELECT 1 FROM application_answers a \
                   WHERE a.question_id = q.id AND a.erased_at IS NULL)) \
                   ORDER BY p.position, p.name, q.archived_at IS NOT NULL, q.position, q.id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Adds a question at the end of the program's form.
    pub async fn insert_question(
        &mut self,
        program_id: ProgramId,
        q: &QuestionSpec,
        now: Timestamp,
    ) -> Result<QuestionId, StoreError> {
        let sql = "INSERT INTO program_questions (program_id, kind, label, help, options, required, sensitive, \
                   retention_months, position, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                   (SELECT COALESCE(MAX(position), 0) + 1 FROM program_questions WHERE program_id = $1), $9, $9) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(program_id).bind(q.kind.code()).bind(&q.label)
            .bind(&q.help).bind(q.options.join("\n")).bind(q.required).bind(q.sensitive)
            .bind(i64::from(q.retention_months)).bind(to_secs(now)).fetch_one(c).await)?,
        )
    }

    /// Changes a question the program asks; false when there is none.
    pub async fn update_question(
        &mut self,
        program_id: ProgramId,
        id: QuestionId,
        q: &QuestionSpec,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE program_questions SET kind = $1, label = $2, help = $3, options = $4, required = $5, \
                   sensitive = $6, retention_months = $7, updated_at = $8 \
                   WHERE id = $9 AND program_id = $10 AND archived_at IS NULL";
        let done = on_tx!(self, c => sqlx::query(sql).bind(q.kind.code()).bind(&q.label).bind(&q.help)
            .bind(q.options.join("\n")).bind(q.required).bind(q.sensitive).bind(i64::from(q.retention_months))
            .bind(to_secs(now)).bind(id).bind(program_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Removes a question from the form: deleted when unanswered, else archived.
    pub async fn remove_question(
        &mut self,
        program_id: ProgramId,
        id: QuestionId,
        now: Timestamp,
    ) -> Result<Removal, StoreError> {
        let answered: Option<QuestionId> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT question_id FROM application_answers WHERE question_id = $1 LIMIT 1").bind(id).fetch_optional(c).await)?;
        let (done, removal) = if answered.is_some() {
            let sql = "UPDATE program_questions SET archived_at = $3, updated_at = $3 \
                       WHERE id = $1 AND program_id = $2 AND archived_at IS NULL";
            let done = on_tx!(self, c => sqlx::query(sql).bind(id).bind(program_id).bind(to_secs(now)).execute(c).await.map(|r| r.rows_affected()))?;
            (done, Removal::Archived)
        } else {
            let sql = "DELETE FROM program_questions WHERE id = $1 AND program_id = $2 AND archived_at IS NULL";
            let done = on_tx!(self, c => sqlx::query(sql).bind(id).bind(program_id).execute(c).await.map(|r| r.rows_affected()))?;
            (done, Removal::Deleted)
        };
        Ok(if done == 1 { removal } else { Removal::NotFound })
    }

    /// Sets the form's order: `order[i]` goes to position `i + 1`.
    pub async fn order_questions(&mut self, program_id: ProgramId, order: &[QuestionId]) -> Result<(), StoreError> {
        for (i, id) in order.iter().enumerate() {
            let position = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
            on_tx!(self, c => sqlx::query("UPDATE program_questions SET position = $1 WHERE id = $2 AND program_id = $3")
                .bind(position).bind(id).bind(program_id).execute(c).await.map(|_| ()))?;
        }
        Ok(())
    }

    /// Stores an application's checked answers (with the application, in its transaction).
    pub async fn insert_answers(
        &mut self,
        application_id: ApplicationId,
        answers: &[Answer],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO application_answers (application_id, question_id, value, content_type, file, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        for a in answers {
            let (content_type, file) = match &a.file {
                Some(d) => (Some(d.content_type), Some(d.bytes.as_slice())),
                None => (None, None),
            };
            on_tx!(self, c => sqlx::query(sql).bind(application_id).bind(a.question_id).bind(&a.value)
                .bind(content_type).bind(file).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        }
        Ok(())
    }

    /// Erases the answers of one class to one question (values and files); returns how many.
    pub async fn erase_answers(
        &mut self,
        class_id: ClassId,
        question_id: QuestionId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let sql = "UPDATE application_answers SET value = '', content_type = NULL, file = NULL, erased_at = $1 \
                   WHERE question_id = $2 AND erased_at IS NULL \
                   AND application_id IN (SELECT id FROM applications WHERE class_id = $3)";
        let done = on_tx!(self, c => sqlx::query(sql).bind(to_secs(now)).bind(question_id).bind(class_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Erases every answer of a class's applications (with minors' details).
    pub async fn erase_class_answers(&mut self, class_id: ClassId, now: Timestamp) -> Result<u64, StoreError> {
        let sql = "UPDATE application_answers SET value = '', content_type = NULL, file = NULL, erased_at = $1 \
                   WHERE erased_at IS NULL AND application_id IN (SELECT id FROM applications WHERE class_id = $2)";
        let done = on_tx!(self, c => sqlx::query(sql).bind(to_secs(now)).bind(class_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
