//! DARE classes at schools and their lessons: the SQL.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::AssertSqlSafe;

use super::{Backend, Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::dare::{DareStatus, LessonChange, LessonStatus, Plan};
use crate::domain::{DareClassId, LessonId, RequestId, SchoolId, StaffId};

/// A lesson as stored.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub id: LessonId,
    pub position: u16,
    pub topic: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub status: LessonStatus,
    /// Students there, for a lesson taught.
    pub present: Option<u32>,
    /// How many times it changed (a calendar's SEQUENCE).
    pub sequence: u32,
}

/// A class with its school, instructor and lessons (in order).
#[derive(Debug, Clone)]
pub struct DareClass {
    pub id: DareClassId,
    pub school_id: SchoolId,
    pub school: String,
    pub school_address: String,
    pub teacher: String,
    pub grade: u8,
    pub students: u32,
    pub instructor_id: StaffId,
    /// The instructor's name, as reports group officers.
    pub instructor: String,
    pub instructor_rank: Option<String>,
    pub request_id: Option<RequestId>,
    pub status: DareStatus,
    pub graduated_on: Option<Date>,
    pub graduates: Option<u32>,
    pub certificates: u32,
    pub lessons: Vec<Lesson>,
}

impl DareClass {
    /// Lessons still to teach after `now` (none once the class graduated or was cancelled).
    pub fn lessons_ahead(&self, now: Timestamp) -> usize {
        if self.status != DareStatus::Scheduled {
            return 0;
        }
        self.lessons
            .iter()
            .filter(|l| l.status == LessonStatus::Planned && l.starts_at > now)
            .count()
    }

    /// "Officer Luis Castellanos": how pages and certificates name the instructor.
    pub fn instructor_with_rank(&self) -> String {
        crate::domain::duties::ranked_name(self.instructor_rank.as_deref(), &self.instructor)
    }
}

#[derive(sqlx::FromRow)]
struct ClassRow {
    id: DareClassId,
    school_id: SchoolId,
    school: String,
    school_address: String,
    teacher: String,
    grade: i64,
    students: i64,
    instructor_id: StaffId,
    instructor: String,
    instructor_rank: Option<String>,
    request_id: Option<RequestId>,
    status: String,
    graduated_on: Option<String>,
    graduates: Option<i64>,
    certificates: i64,
}

#[derive(sqlx::FromRow)]
struct LessonRow {
    id: LessonId,
    class_id: DareClassId,
    position: i64,
    topic: String,
    starts_at: i64,
    ends_at: i64,
    status: String,
    present: Option<i64>,
    sequence: i64,
}

const CLASSES: &str = "SELECT c.id, c.school_id, sc.name AS school, sc.address AS school_address, c.teacher, c.grade, c.students, c.instructor_id, \
     s.full_name AS instructor, s.rank AS instructor_rank, c.request_id, c.status, c.graduated_on, c.graduates, \
     c.certificates FROM dare_classes c JOIN schools sc ON sc.id = c.school_id JOIN staff s ON s.id = c.instructor_id";

const LESSONS: &str = "SELECT l.id, l.class_id, l.position, l.topic, l.starts_at, l.ends_at, l.status, l.present, l.sequence \
     FROM dare_lessons l JOIN dare_classes c ON c.id = l.class_id";

fn assemble(classes: Vec<ClassRow>, lessons: Vec<LessonRow>) -> Result<Vec<DareClass>, StoreError> {
    let mut out = Vec::with_capacity(classes.len());
    for r in classes {
        let corrupt = |what: &str| StoreError::Corrupt(format!("DARE class {}: {what}", r.id));
        let count = |n: i64, what: &str| u32::try_from(n).map_err(|_| corrupt(what));
        let mut own = Vec::new();
        for l in lessons.iter().filter(|l| l.class_id == r.id) {
            own.push(Lesson {
                id: l.id,
                position: u16::try_from(l.position).map_err(|_| corrupt("lesson number"))?,
                topic: l.topic.clone(),
                starts_at: from_secs(l.starts_at)?,
                ends_at: from_secs(l.ends_at)?,
                status: LessonStatus::parse(&l.status).ok_or_else(|| corrupt("lesson status"))?,
                present: l.present.map(|n| count(n, "present")).transpose()?,
                sequence: count(l.sequence, "sequence")?,
            });
        }
        own.sort_by_key(|l| l.position);
        out.push(DareClass {
            grade: u8::try_from(r.grade).map_err(|_| corrupt("grade"))?,
            students: count(r.students, "students")?,
            status: DareStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            graduated_on: r
                .graduated_on
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| corrupt("graduation day"))?,
            graduates: r.graduates.map(|n| count(n, "graduates")).transpose()?,
            certificates: count(r.certificates, "certificates")?,
            id: r.id,
            school_id: r.school_id,
            school: r.school,
            school_address: r.school_address,
            teacher: r.teacher,
            instructor_id: r.instructor_id,
            instructor: r.instructor,
            instructor_rank: r.instructor_rank,
            request_id: r.request_id,
            lessons: own,
        });
    }
    Ok(out)
}

impl Store {
    /// Classes matching `filter` (a condition on `c.` with `$1`), newest first.
    async fn dare_classes_where(&self, filter: &str, value: Option<i64>) -> Result<Vec<DareClass>, StoreError> {
        let classes = format!("{CLASSES} WHERE {filter} ORDER BY c.created_at DESC, c.id DESC");
        let lessons = format!("{LESSONS} WHERE {filter}");
        let classes: Vec<ClassRow> =
            dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(classes)).bind(value).fetch_all(p).await)?;
        let lessons: Vec<LessonRow> =
            dispatch!(&self.pool, p => sqlx::query_as(AssertSqlSafe(lessons)).bind(value).fetch_all(p).await)?;
        assemble(classes, lessons)
    }

    /// Every class, or those `instructor` teaches; newest first.
    pub async fn dare_classes(&self, instructor: Option<StaffId>) -> Result<Vec<DareClass>, StoreError> {
        match instructor {
            Some(s) => self.dare_classes_where("c.instructor_id = $1", Some(s.get())).await,
            None => self.dare_classes_where("$1 IS NULL", None).await,
        }
    }

    /// One class.
    pub async fn dare_class(&self, id: DareClassId) -> Result<Option<DareClass>, StoreError> {
        Ok(self
            .dare_classes_where("c.id = $1", Some(id.get()))
            .await?
            .into_iter()
            .next())
    }

    /// The classes planned in answer to a community request.
    pub async fn dare_classes_for_request(&self, request_id: RequestId) -> Result<Vec<DareClass>, StoreError> {
        self.dare_classes_where("c.request_id = $1", Some(request_id.get()))
            .await
    }
}

impl Tx {
    /// Reads a class and holds it against concurrent changes until commit.
    pub async fn lock_dare_class(&mut self, id: DareClassId) -> Result<Option<DareClass>, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE OF c",
            Backend::Sqlite => "",
        };
        let classes = format!("{CLASSES} WHERE c.id = $1{lock}");
        let lessons = format!("{LESSONS} WHERE c.id = $1");
        let classes: Vec<ClassRow> =
            on_tx!(self, c => sqlx::query_as(AssertSqlSafe(classes)).bind(id).fetch_all(c).await)?;
        let lessons: Vec<LessonRow> =
            on_tx!(self, c => sqlx::query_as(AssertSqlSafe(lessons)).bind(id).fetch_all(c).await)?;
        Ok(assemble(classes, lessons)?.into_iter().next())
    }

    /// Plans a class and its lessons; returns its id.
    pub async fn insert_dare_class(&mut self, plan: &Plan, now: Timestamp) -> Result<DareClassId, StoreError> {
        let sql = "INSERT INTO dare_classes (school_id, teacher, grade, students, instructor_id, request_id, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
        let id: DareClassId = on_tx!(self, c => sqlx::query_scalar(sql).bind(plan.school_id).bind(&plan.teacher)
            .bind(i64::from(plan.grade)).bind(i64::from(plan.students)).bind(plan.instructor_id).bind(plan.request_id)
            .bind(to_secs(now)).fetch_one(c).await)?;
        for l in &plan.lessons {
            let sql = "INSERT INTO dare_lessons (class_id, position, topic, starts_at, ends_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6)";
            on_tx!(self, c => sqlx::query(sql).bind(id).bind(i64::from(l.position)).bind(&l.topic)
                .bind(to_secs(l.starts_at)).bind(to_secs(l.ends_at)).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        }
        Ok(id)
    }

    /// Applies a change to one lesson of a scheduled class.
    pub async fn change_lesson(
        &mut self,
        lesson_id: LessonId,
        change: &LessonChange,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (status, present, times) = match change {
            LessonChange::Taught { present } => (LessonStatus::Taught, Some(i64::from(*present)), None),
            LessonChange::Cancelled => (LessonStatus::Cancelled, None, None),
            LessonChange::Planned { starts_at, ends_at } => (
                LessonStatus::Planned,
                None,
                Some((to_secs(*starts_at), to_secs(*ends_at))),
            ),
        };
        let sql = "UPDATE dare_lessons SET status = $1, present = $2, starts_at = COALESCE($3, starts_at), \
                   ends_at = COALESCE($4, ends_at), sequence = sequence + 1, updated_at = $5 WHERE id = $6";
        on_tx!(self, c => sqlx::query(sql).bind(status.code()).bind(present).bind(times.map(|t| t.0))
            .bind(times.map(|t| t.1)).bind(to_secs(now)).bind(lesson_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Graduates a scheduled class; false when it is no longer scheduled.
    pub async fn graduate_dare_class(
        &mut self,
        id: DareClassId,
        day: Date,
        graduates: u32,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE dare_classes SET status = 'graduated', graduated_on = $1, graduates = $2, updated_at = $3 \
                   WHERE id = $4 AND status = 'scheduled'";
        let n = on_tx!(self, c => sqlx::query(sql).bind(day.to_string()).bind(i64::from(graduates)).bind(to_secs(now))
            .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Cancels a scheduled class; false when it is no longer scheduled.
    pub async fn cancel_dare_class(&mut self, id: DareClassId, now: Timestamp) -> Result<bool, StoreError> {
        let sql =
            "UPDATE dare_classes SET status = 'cancelled', updated_at = $1 WHERE id = $2 AND status = 'scheduled'";
        let n = on_tx!(self, c => sqlx::query(sql).bind(to_secs(now)).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Counts certificates typeset for a graduated class (the names are not kept). A
    /// reprint cannot raise the count past the number of graduates.
    pub async fn count_dare_certificates(
        &mut self,
        id: DareClassId,
        printed: u32,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE dare_classes SET certificates = CASE WHEN certificates + $1 > graduates THEN graduates \
                   ELSE certificates + $1 END, updated_at = $2 WHERE id = $3";
        on_tx!(self, c => sqlx::query(sql).bind(i64::from(printed)).bind(to_secs(now)).bind(id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
