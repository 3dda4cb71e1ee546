//! Reading the catalog: department, programs, classes, sessions and presenters.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use sqlx::AssertSqlSafe;

use super::{Store, StoreError, dispatch, from_secs};
use crate::domain::application::Allocation;
use crate::domain::{ClassId, ClassStatus, Eligibility, ProgramId, ProgramKind, SessionId, UnitId};

/// The department running the site (one row).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Department {
    pub name: String,
    pub short_name: String,
    pub city: String,
    pub state: String,
    pub time_zone: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub tagline: String,
    /// Places and ZIP codes, one per line, that count as living in the city (the city
    /// itself always counts).
    pub service_area: String,
    pub non_emergency_phone: String,
    pub website: String,
    /// Where replies to the department's mail go (empty: the sender address).
    pub reply_to: String,
    /// Who to contact about the site's accessibility (email or phone).
    pub accessibility_contact: String,
    /// When the logo was last uploaded (seconds), if there is one.
    pub logo_updated_at: Option<i64>,
}

impl Department {
    /// The department's time zone. Stored names are validated when written; an
    /// unreadable one falls back to UTC rather than failing every page.
    pub fn tz(&self) -> TimeZone {
        TimeZone::get(&self.time_zone).unwrap_or(TimeZone::UTC)
    }

    /// The places that count as living in the city: the city, then the service area.
    pub fn service_places(&self) -> Vec<String> {
        crate::domain::eligibility::service_places(&self.city, &self.service_area)
    }
}

/// A unit of the department (Detectives, K-9, ...).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unit {
    pub id: UnitId,
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A program as residents see it.
#[derive(Debug, Clone)]
pub struct Program {
    pub id: ProgramId,
    pub slug: String,
    pub kind: ProgramKind,
    pub name: String,
    pub summary: String,
    pub what_to_bring: String,
    pub body_html: String,
    pub eligibility: Eligibility,
    pub lottery: bool,
    /// Classes and graduates from before the department used Precinct.
    pub legacy_classes: i64,
    pub legacy_graduates: i64,
}

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: ProgramId,
    slug: String,
    kind: String,
    name: String,
    summary: String,
    what_to_bring: String,
    body_html: String,
    eligibility: String,
    allocation: String,
    legacy_classes: i64,
    legacy_graduates: i64,
}

impl TryFrom<ProgramRow> for Program {
    type Error = StoreError;
    fn try_from(r: ProgramRow) -> Result<Self, StoreError> {
        Ok(Program {
            kind: ProgramKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("program {}: kind {:?}", r.id, r.kind)))?,
            eligibility: Eligibility::from_json(&r.eligibility)
                .map_err(|e| StoreError::Corrupt(format!("program {}: eligibility: {e}", r.id)))?,
            lottery: r.allocation == "lottery",
            id: r.id,
            slug: r.slug,
            name: r.name,
            summary: r.summary,
            what_to_bring: r.what_to_bring,
            body_html: r.body_html,
            legacy_classes: r.legacy_classes,
            legacy_graduates: r.legacy_graduates,
        })
    }
}

const PROGRAM_COLUMNS: &str = "id, slug, kind, name, summary, what_to_bring, body_html, eligibility, allocation, \
     legacy_classes, legacy_graduates";

/// A class with what a listing needs: seats, window and the span of its sessions.
#[derive(Debug, Clone)]
pub struct Class {
    pub id: ClassId,
    pub program_id: ProgramId,
    pub program_slug: String,
    pub program_name: String,
    pub name: String,
    pub capacity: i64,
    pub status: ClassStatus,
    pub registration_opens_at: Option<Timestamp>,
    pub registration_closes_at: Option<Timestamp>,
    pub location_name: String,
    pub location_address: String,
    /// Recorded number of graduates once the class completed.
    pub graduates: Option<i64>,
    /// How seats are given out.
    pub allocation: Allocation,
    /// Until when applicants may correct their details (default: the first session).
    pub corrections_until: Option<Timestamp>,
    /// Seats held or taken (confirmed, pending review, offered, finished).
    pub seats_taken: i64,
    pub first_session_at: Option<Timestamp>,
    pub last_session_at: Option<Timestamp>,
    pub session_count: i64,
    /// Last change of the class's own details or status.
    pub updated_at: Timestamp,
}

impl Class {
    /// Seats still free; never negative even if capacity was lowered below enrolment.
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.seats_taken).max(0)
    }
}

#[derive(sqlx::FromRow)]
struct ClassRow {
    id: ClassId,
    program_id: ProgramId,
    program_slug: String,
    program_name: String,
    name: String,
    capacity: i64,
    status: String,
    registration_opens_at: Option<i64>,
    registration_closes_at: Option<i64>,
    location_name: String,
    location_address: String,
    graduates: Option<i64>,
    allocation: String,
    corrections_until: Option<i64>,
    seats_taken: i64,
    first_session_at: Option<i64>,
    last_session_at: Option<i64>,
    session_count: i64,
    updated_at: i64,
}

impl TryFrom<ClassRow> for Class {
    type Error = StoreError;
    fn try_from(r: ClassRow) -> Result<Self, StoreError> {
        let opt = |v: Option<i64>| v.map(from_secs).transpose();
        Ok(Class {
            status: ClassStatus::parse(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("class {}: status {:?}", r.id, r.status)))?,
            allocation: Allocation::parse(&r.allocation)
                .ok_or_else(|| StoreError::Corrupt(format!("class {}: allocation {:?}", r.id, r.allocation)))?,
            corrections_until: opt(r.corrections_until)?,
            registration_opens_at: opt(r.registration_opens_at)?,
            registration_closes_at: opt(r.registration_closes_at)?,
            first_session_at: opt(r.first_session_at)?,
            last_session_at: opt(r.last_session_at)?,
            updated_at: from_secs(r.updated_at)?,
            id: r.id,
            program_id: r.program_id,
            program_slug: r.program_slug,
            program_name: r.program_name,
            name: r.name,
            capacity: r.capacity,
            location_name: r.location_name,
            location_address: r.location_address,
            graduates: r.graduates,
            seats_taken: r.seats_taken,
            session_count: r.session_count,
        })
    }
}

fn class_query(filter: &str) -> String {
    class_query_ordered(filter, "c.id")
}

/// The class columns, seats taken from the kept counts (one row, however many applied).
fn class_query_ordered(filter: &str, order: &str) -> String {
    format!(
        "SELECT c.id, c.program_id, p.slug AS program_slug, p.name AS program_name, c.name, c.capacity, \
                c.status, c.registration_opens_at, c.registration_closes_at, c.location_name, \
                c.location_address, c.graduates, c.allocation, c.corrections_until, \
                COALESCE((SELECT k.held FROM class_counts k WHERE k.class_id = c.id), 0) AS seats_taken, \
                (SELECT MIN(s.starts_at) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) \
                    AS first_session_at, \
                (SELECT MAX(s.ends_at) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) \
                    AS last_session_at, \
                (SELECT COUNT(*) FROM sessions s WHERE s.class_id = c.id AND NOT s.cancelled) \
                    AS session_count, c.updated_at \
         FROM classes c JOIN programs p ON p.id = c.program_id \
         WHERE {filter} \
         ORDER BY {order}"
    )
}

/// Which classes a public list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// Announced, open, closed or running: what lies ahead.
    Current,
    /// Completed or cancelled.
    Past,
    #[default]
    All,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "current" => Some(Period::Current),
            "past" => Some(Period::Past),
            "all" => Some(Period::All),
            _ => None,
        }
    }

    /// The SQL condition on `c.status`, from the statuses' own codes.
    fn condition(self) -> String {
        let list = |keep: fn(ClassStatus) -> bool| {
            let codes: Vec<String> = ClassStatus::ALL
                .iter()
                .filter(|s| **s != ClassStatus::Draft && keep(**s))
                .map(|s| format!("'{}'", s.code()))
                .collect();
            format!("c.status IN ({})", codes.join(", "))
        };
        match self {
            Period::Current => list(ClassStatus::is_current),
            Period::Past => list(|s| !s.is_current()),
            Period::All => list(|_| true),
        }
    }
}

/// One session of a class, with its presenters.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub position: i64,
    pub topic: String,
    pub description: String,
    pub local_date: Date,
    pub local_start: Time,
    pub local_end: Time,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub place: String,
    pub cancelled: bool,
    /// Bumped on every change, for calendar clients (iCalendar SEQUENCE).
    pub sequence: i64,
    pub presenters: Vec<Presenter>,
}

/// Who presents a session: a unit, and the officer where one is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presenter {
    pub unit_slug: String,
    pub unit_name: String,
    pub officer: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: SessionId,
    position: i64,
    topic: String,
    description: String,
    local_date: String,
    local_start: String,
    local_end: String,
    starts_at: i64,
    ends_at: i64,
    place: String,
    cancelled: bool,
    sequence: i64,
}

#[derive(sqlx::FromRow)]
struct PresenterRow {
    session_id: SessionId,
    unit_slug: String,
    unit_name: String,
    officer: Option<String>,
}

fn corrupt<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// Program-wide totals for "N classes, M graduates" lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProgramTotals {
    pub classes_graduated: i64,
    pub graduates: i64,
}

impl Store {
    /// The department, once configured (the demo or setup writes it).
    pub async fn department(&self) -> Result<Option<Department>, StoreError> {
        let sql = "SELECT name, short_name, city, state, time_zone, address, phone, email, tagline, service_area, \
                   non_emergency_phone, website, reply_to, accessibility_contact, \
                   (SELECT updated_at FROM department_logo WHERE id = 1) AS logo_updated_at FROM department WHERE id = 1";
        Ok(dispatch!(&self.pool, p => sqlx::query_as::<_, Department>(sql).fetch_optional(p).await)?)
    }

    /// The department's name and time zone as messages and dates need them; before the
    /// department is set up, a generic name and UTC.
    pub async fn department_name_zone(&self) -> Result<(String, TimeZone), StoreError> {
        Ok(self.department().await?.map_or_else(
            || ("Police Department".to_string(), TimeZone::UTC),
            |d| {
                let tz = d.tz();
                (d.name, tz)
            },
        ))
    }

    /// All units, by name.
    pub async fn units(&self) -> Result<Vec<Unit>, StoreError> {
        let sql = "SELECT id, slug, name, description FROM units ORDER BY name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as::<_, Unit>(sql).fetch_all(p).await)?)
    }

    /// Published programs in the department's chosen order.
    pub async fn published_programs(&self) -> Result<Vec<Program>, StoreError> {
        let sql = format!("SELECT {PROGRAM_COLUMNS} FROM programs WHERE published ORDER BY position, name");
        let rows = dispatch!(&self.pool, p => sqlx::query_as::<_, ProgramRow>(AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(Program::try_from).collect()
    }

    /// A published program by its URL slug.
    pub async fn published_program(&self, slug: &str) -> Result<Option<Program>, StoreError> {
        let sql = format!("SELECT {PROGRAM_COLUMNS} FROM programs WHERE published AND slug = $1");
        let row = dispatch!(&self.pool, p => sqlx::query_as::<_, ProgramRow>(AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await)?;
        row.map(Program::try_from).transpose()
    }

    /// The Markdown source and list position of a program, for editing.
    pub async fn program_source(&self, id: ProgramId) -> Result<Option<(String, i64)>, StoreError> {
        let sql = "SELECT body_markdown, position FROM programs WHERE id = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)?)
    }

    /// Current classes residents may see (of published programs), optionally of one program:
    /// what the home page, the feed and a program's "upcoming" list show. Their number is
    /// what the department runs at once, not what it has stored over the years.
    pub async fn public_classes(&self, program_id: Option<ProgramId>) -> Result<Vec<Class>, StoreError> {
        self.public_classes_page(program_id, Period::Current, None, None).await
    }

    /// Public classes of `period` in id order after `after`, at most `limit` (all when
    /// `None`): keyset paging on the primary key.
    pub async fn public_classes_page(
        &self,
        program_id: Option<ProgramId>,
        period: Period,
        after: Option<ClassId>,
        limit: Option<i64>,
    ) -> Result<Vec<Class>, StoreError> {
        let mut sql = class_query(&format!(
            "p.published AND {} AND ($1 IS NULL OR c.program_id = $1) AND c.id > $2",
            period.condition()
        ));
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {}", n.max(0)));
        }
        let after = after.map_or(i64::MIN, ClassId::get);
        let rows = dispatch!(&self.pool, p => sqlx::query_as::<_, ClassRow>(AssertSqlSafe(sql)).bind(program_id).bind(after).fetch_all(p).await)?;
        rows.into_iter().map(Class::try_from).collect()
    }

    /// The `limit` most recent past classes of a program, newest first: its page's history.
    pub async fn recent_past_classes(&self, program_id: ProgramId, limit: i64) -> Result<Vec<Class>, StoreError> {
        let mut sql = class_query_ordered(
            &format!("p.published AND {} AND c.program_id = $1", Period::Past.condition()),
            "c.id DESC",
        );
        sql.push_str(&format!(" LIMIT {}", limit.max(0)));
        let rows = dispatch!(&self.pool, p => sqlx::query_as::<_, ClassRow>(AssertSqlSafe(sql)).bind(program_id).fetch_all(p).await)?;
        rows.into_iter().map(Class::try_from).collect()
    }

    /// One class residents may see.
    pub async fn public_class(&self, id: ClassId) -> Result<Option<Class>, StoreError> {
        let sql = class_query("p.published AND c.status <> 'draft' AND c.id = $1");
        let row = dispatch!(&self.pool, p => sqlx::query_as::<_, ClassRow>(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(Class::try_from).transpose()
    }

    /// Every class, drafts included, for the back office.
    pub async fn all_classes(&self) -> Result<Vec<Class>, StoreError> {
        let sql = class_query("1 = 1");
        let rows = dispatch!(&self.pool, p => sqlx::query_as::<_, ClassRow>(AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(Class::try_from).collect()
    }

    /// One class whatever its status, for the back office.
    pub async fn class(&self, id: ClassId) -> Result<Option<Class>, StoreError> {
        let sql = class_query("c.id = $1");
        let row = dispatch!(&self.pool, p => sqlx::query_as::<_, ClassRow>(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(Class::try_from).transpose()
    }

    /// A class's sessions in order, each with its presenters.
    pub async fn sessions(&self, class_id: ClassId) -> Result<Vec<Session>, StoreError> {
        let sessions_sql = "SELECT id, position, topic, description, local_date, local_start, local_end, \
                                   starts_at, ends_at, place, cancelled, sequence \
                            FROM sessions WHERE class_id = $1 ORDER BY starts_at, position";
        let presenters_sql = "SELECT sp.session_id, u.slug AS unit_slug, u.name AS unit_name, \
                                     CASE WHEN st.id IS NULL THEN NULL \
                                          ELSE COALESCE(st.rank || ' ', '') || st.full_name END AS officer \
                              FROM session_presenters sp \
                              JOIN sessions s ON s.id = sp.session_id \
                              JOIN units u ON u.id = sp.unit_id \
                              LEFT JOIN staff st ON st.id = sp.staff_id AND st.public_profile \
                              WHERE s.class_id = $1 ORDER BY sp.id";
        let (rows, presenter_rows) = dispatch!(&self.pool, p => {
            let rows = sqlx::query_as::<_, SessionRow>(sessions_sql).bind(class_id).fetch_all(p).await?;
            let presenters = sqlx::query_as::<_, PresenterRow>(presenters_sql).bind(class_id).fetch_all(p).await?;
            (rows, presenters)
        });
        let mut by_session: BTreeMap<SessionId, Vec<Presenter>> = BTreeMap::new();
        for r in presenter_rows {
            by_session.entry(r.session_id).or_default().push(Presenter {
                unit_slug: r.unit_slug,
                unit_name: r.unit_name,
                officer: r.officer,
            });
        }
        rows.into_iter()
            .map(|r| {
                Ok(Session {
                    local_date: r.local_date.parse().map_err(corrupt("session date"))?,
                    local_start: r.local_start.parse().map_err(corrupt("session start"))?,
                    local_end: r.local_end.parse().map_err(corrupt("session end"))?,
                    starts_at: from_secs(r.starts_at)?,
                    ends_at: from_secs(r.ends_at)?,
                    presenters: by_session.remove(&r.id).unwrap_or_default(),
                    id: r.id,
                    position: r.position,
                    topic: r.topic,
                    description: r.description,
                    place: r.place,
                    cancelled: r.cancelled,
                    sequence: r.sequence,
                })
            })
            .collect()
    }

    /// Classes graduated and people graduated for a program, counting the history the
    /// department brought with it.
    pub async fn program_totals(&self, program: &Program) -> Result<ProgramTotals, StoreError> {
        let sql = "SELECT COUNT(*), CAST(COALESCE(SUM(graduates), 0) AS BIGINT) FROM classes \
                   WHERE program_id = $1 AND status = 'completed'";
        let (mut classes, mut graduates): (i64, i64) =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program.id).fetch_one(p).await)?;
        // DARE is taught in school classrooms, which graduate as DARE classes.
        if program.kind == ProgramKind::Dare {
            let sql = "SELECT COUNT(*), CAST(COALESCE(SUM(graduates), 0) AS BIGINT) FROM dare_classes \
                       WHERE status = 'graduated'";
            let (c, g): (i64, i64) = dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_one(p).await)?;
            classes += c;
            graduates += g;
        }
        Ok(ProgramTotals {
            classes_graduated: program.legacy_classes + classes,
            graduates: program.legacy_graduates + graduates,
        })
    }
}
