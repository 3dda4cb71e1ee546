//! Writing catalog records inside a transaction: used by the demo seeder now and by
//! the back office later. Values arrive already validated by `domain`.

use jiff::Timestamp;

use super::{StoreError, Tx, on_tx, to_secs};
use crate::domain::{
    ClassId, ClassStatus, Duty, Eligibility, Occurrence, ProgramId, ProgramKind, Role, SessionId, StaffId, UnitId,
};

/// A department's settings, as written by setup or the demo.
pub struct NewDepartment<'a> {
    pub name: &'a str,
    pub short_name: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub time_zone: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub tagline: &'a str,
    pub service_area: &'a str,
    pub non_emergency_phone: &'a str,
    pub website: &'a str,
    pub reply_to: &'a str,
    pub accessibility_contact: &'a str,
}

/// A staff member to create.
pub struct NewStaff<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub rank: Option<&'a str>,
    pub badge_number: Option<&'a str>,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub public_profile: bool,
}

/// A program to create; `body_html` is the sanitized rendering of `body_markdown`.
pub struct NewProgram<'a> {
    pub slug: &'a str,
    pub kind: ProgramKind,
    pub name: &'a str,
    pub summary: &'a str,
    pub what_to_bring: &'a str,
    pub body_markdown: &'a str,
    pub body_html: String,
    pub eligibility: &'a Eligibility,
    pub lottery: bool,
    pub position: i64,
    pub legacy_classes: i64,
    pub legacy_graduates: i64,
}

/// The editable details of a class.
#[derive(Clone, Copy)]
pub struct ClassDetails<'a> {
    pub name: &'a str,
    pub location_name: &'a str,
    pub location_address: &'a str,
    pub opens: Option<Timestamp>,
    pub closes: Option<Timestamp>,
}

/// A class to create.
pub struct NewClass<'a> {
    pub program_id: ProgramId,
    pub name: &'a str,
    pub capacity: i64,
    pub status: ClassStatus,
    pub registration_opens_at: Option<Timestamp>,
    pub registration_closes_at: Option<Timestamp>,
    pub location_name: &'a str,
    pub location_address: &'a str,
    pub graduates: Option<i64>,
}

impl Tx {
    /// Whether the department row exists (the site has been set up).
    pub async fn department_exists(&mut self) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM department";
        let n: i64 = on_tx!(self, c => sqlx::query_scalar(sql).fetch_one(c).await)?;
        Ok(n > 0)
    }

    /// Writes the department (the only row of its table), creating or replacing it.
    pub async fn insert_department(&mut self, d: &NewDepartment<'_>) -> Result<(), StoreError> {
        let sql = "INSERT INTO department (id, name, short_name, city, state, time_zone, address, phone, email, tagline, \
                   service_area, non_emergency_phone, website, reply_to, accessibility_contact) \
                   VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                   ON CONFLICT (id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name, \
                   city = excluded.city, state = excluded.state, time_zone = excluded.time_zone, \
                   address = excluded.address, phone = excluded.phone, email = excluded.email, \
                   tagline = excluded.tagline, service_area = excluded.service_area, \
                   non_emergency_phone = excluded.non_emergency_phone, website = excluded.website, \
                   reply_to = excluded.reply_to, accessibility_contact = excluded.accessibility_contact";
        on_tx!(self, c => sqlx::query(sql)
            .bind(d.name).bind(d.short_name).bind(d.city).bind(d.state).bind(d.time_zone)
            .bind(d.address).bind(d.phone).bind(d.email).bind(d.tagline).bind(d.service_area)
            .bind(d.non_emergency_phone).bind(d.website).bind(d.reply_to).bind(d.accessibility_contact)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// The department's current row as JSON, for the audit log's "before".
    pub async fn department_json(&mut self) -> Result<Option<serde_json::Value>, StoreError> {
        let sql = "SELECT name, short_name, city, state, time_zone, address, phone, email, tagline, service_area, \
                   non_emergency_phone, website, reply_to, accessibility_contact, \
                   (SELECT updated_at FROM department_logo WHERE id = 1) AS logo_updated_at FROM department WHERE id = 1";
        let row: Option<crate::store::catalog::Department> =
            on_tx!(self, c => sqlx::query_as(sql).fetch_optional(c).await)?;
        Ok(row.map(|d| {
            serde_json::json!({
                "name": d.name, "short_name": d.short_name, "city": d.city, "state": d.state,
                "time_zone": d.time_zone, "address": d.address, "phone": d.phone, "email": d.email,
                "tagline": d.tagline, "service_area": d.service_area, "non_emergency_phone": d.non_emergency_phone,
                "website": d.website, "reply_to": d.reply_to, "accessibility_contact": d.accessibility_contact,
            })
        }))
    }

    /// Creates a unit and returns its id.
    pub async fn insert_unit(&mut self, slug: &str, name: &str, description: &str) -> Result<UnitId, StoreError> {
        let sql = "INSERT INTO units (slug, name, description) VALUES ($1, $2, $3) RETURNING id";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(slug).bind(name).bind(description).fetch_one(c).await)?)
    }

    /// Creates a staff member and returns the id. The email is stored lowercased so
    /// sign-in and uniqueness ignore case.
    pub async fn insert_staff(&mut self, s: &NewStaff<'_>, now: Timestamp) -> Result<StaffId, StoreError> {
        let sql = "INSERT INTO staff (email, full_name, rank, badge_number, role, password_hash, public_profile, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let email = s.email.trim().to_lowercase();
        Ok(on_tx!(self, c => sqlx::query_scalar(sql)
            .bind(&email).bind(s.full_name).bind(s.rank).bind(s.badge_number).bind(s.role.code())
            .bind(s.password_hash).bind(s.public_profile).bind(to_secs(now))
            .fetch_one(c).await)?)
    }

    /// Puts a staff member in a unit.
    pub async fn add_staff_unit(&mut self, staff_id: StaffId, unit_id: UnitId) -> Result<(), StoreError> {
        let sql = "INSERT INTO staff_units (staff_id, unit_id) VALUES ($1, $2)";
        on_tx!(self, c => sqlx::query(sql).bind(staff_id).bind(unit_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Records that a staff member holds a duty from `starts_on` (ISO date).
    pub async fn add_duty(
        &mut self,
        staff_id: StaffId,
        duty: Duty,
        assignment: Option<&str>,
        starts_on: jiff::civil::Date,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO staff_duties (staff_id, duty, assignment, starts_on) VALUES ($1, $2, $3, $4)";
        on_tx!(self, c => sqlx::query(sql)
            .bind(staff_id).bind(duty.code()).bind(assignment).bind(starts_on.to_string())
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Creates a program and returns its id.
    pub async fn insert_program(&mut self, p: &NewProgram<'_>, now: Timestamp) -> Result<ProgramId, StoreError> {
        let sql = "INSERT INTO programs (slug, kind, name, summary, body_markdown, body_html, eligibility, \
                       allocation, position, legacy_classes, legacy_graduates, created_at, updated_at, what_to_bring) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id";
        let allocation = if p.lottery { "lottery" } else { "first_come" };
        Ok(on_tx!(self, c => sqlx::query_scalar(sql)
            .bind(p.slug).bind(p.kind.code()).bind(p.name).bind(p.summary).bind(p.body_markdown)
            .bind(&p.body_html).bind(p.eligibility.to_json()).bind(allocation).bind(p.position)
            .bind(p.legacy_classes).bind(p.legacy_graduates).bind(to_secs(now)).bind(p.what_to_bring)
            .fetch_one(c).await)?)
    }

    /// Creates a class and returns its id.
    pub async fn insert_class(&mut self, k: &NewClass<'_>, now: Timestamp) -> Result<ClassId, StoreError> {
        let sql = "INSERT INTO classes (program_id, name, capacity, status, registration_opens_at, \
                       registration_closes_at, location_name, location_address, graduates, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql)
            .bind(k.program_id).bind(k.name).bind(k.capacity).bind(k.status.code())
            .bind(k.registration_opens_at.map(to_secs)).bind(k.registration_closes_at.map(to_secs))
            .bind(k.location_name).bind(k.location_address).bind(k.graduates).bind(to_secs(now))
            .fetch_one(c).await)?)
    }

    /// Adds a session at a generated occurrence and returns its id.
    pub async fn insert_session(
        &mut self,
        class_id: ClassId,
        position: i64,
        topic: &str,
        description: &str,
        at: &Occurrence,
        place: &str,
    ) -> Result<SessionId, StoreError> {
        let sql = "INSERT INTO sessions (class_id, position, topic, description, local_date, local_start, \
                       local_end, starts_at, ends_at, place) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql)
            .bind(class_id).bind(position).bind(topic).bind(description)
            .bind(at.date.to_string()).bind(at.start.time().to_string()).bind(at.end.time().to_string())
            .bind(to_secs(at.starts_at())).bind(to_secs(at.ends_at())).bind(place)
            .fetch_one(c).await)?)
    }

    /// Names a unit (and optionally an officer) as presenter of a session.
    pub async fn add_presenter(
        &mut self,
        session_id: SessionId,
        unit_id: UnitId,
        staff_id: Option<StaffId>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO session_presenters (session_id, unit_id, staff_id) VALUES ($1, $2, $3)";
        on_tx!(self, c => sqlx::query(sql).bind(session_id).bind(unit_id).bind(staff_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    /// Sets how a class gives out seats.
    pub async fn set_class_allocation(
        &mut self,
        class_id: ClassId,
        allocation: crate::domain::Allocation,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE classes SET allocation = $1 WHERE id = $2";
        on_tx!(self, c => sqlx::query(sql).bind(allocation.code()).bind(class_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    /// Sets a class's registration rules (validated by `RegistrationRules::validate`).
    pub async fn set_registration_rules(
        &mut self,
        class_id: ClassId,
        rules: &crate::domain::class::RegistrationRules,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE classes SET held_back_seats = $1, priority_until = $2, priority_affiliations = $3, \
                   offer_hours = $4, corrections_until = $5 WHERE id = $6";
        let priority = serde_json::to_string(&rules.priority).expect("affiliations serialize");
        on_tx!(self, c => sqlx::query(sql).bind(rules.held_back_seats).bind(rules.priority_until.map(to_secs))
            .bind(&priority).bind(rules.offer_hours).bind(rules.corrections_until.map(to_secs))
            .bind(class_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    /// The last session position of a class (0 when it has none).
    pub async fn last_session_position(&mut self, class_id: ClassId) -> Result<i64, StoreError> {
        let sql = "SELECT COALESCE(MAX(position), 0) FROM sessions WHERE class_id = $1";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(class_id).fetch_one(c).await)?)
    }

    /// Updates a class's descriptive fields and registration window.
    pub async fn update_class_details(
        &mut self,
        class_id: ClassId,
        d: &ClassDetails<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let ClassDetails {
            name,
            location_name,
            location_address,
            opens,
            closes,
        } = *d;
        let sql = "UPDATE classes SET name = $1, location_name = $2, location_address = $3, registration_opens_at = $4, \
                   registration_closes_at = $5, updated_at = $6 WHERE id = $7";
        on_tx!(self, c => sqlx::query(sql).bind(name).bind(location_name).bind(location_address)
            .bind(opens.map(to_secs)).bind(closes.map(to_secs)).bind(to_secs(now)).bind(class_id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    /// Sets a program's graduation rule.
    pub async fn set_graduation_rule(
        &mut self,
        program_id: ProgramId,
        rule: &crate::domain::graduation::GraduationRule,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE programs SET graduation_rule = $1 WHERE id = $2";
        let json = serde_json::to_string(rule).expect("a rule serializes");
        on_tx!(self, c => sqlx::query(sql).bind(&json).bind(program_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    /// Changes a session's topic, description, time and place.
    pub async fn update_session(
        &mut self,
        session_id: SessionId,
        topic: &str,
        description: &str,
        at: &Occurrence,
        place: &str,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE sessions SET topic = $1, description = $2, local_date = $3, local_start = $4, local_end = $5, \
                   starts_at = $6, ends_at = $7, place = $8, sequence = sequence + 1 WHERE id = $9";
        on_tx!(self, c => sqlx::query(sql)
            .bind(topic).bind(description)
            .bind(at.date.to_string()).bind(at.start.time().to_string()).bind(at.end.time().to_string())
            .bind(to_secs(at.starts_at())).bind(to_secs(at.ends_at())).bind(place).bind(session_id)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    /// Changes a program's details (the slug, its web address, stays).
    pub async fn update_program(
        &mut self,
        id: ProgramId,
        p: &NewProgram<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE programs SET kind = $1, name = $2, summary = $3, body_markdown = $4, body_html = $5, \
                   eligibility = $6, allocation = $7, position = $8, legacy_classes = $9, legacy_graduates = $10, \
                   updated_at = $11, what_to_bring = $13 WHERE id = $12";
        let allocation = if p.lottery { "lottery" } else { "first_come" };
        on_tx!(self, c => sqlx::query(sql)
            .bind(p.kind.code()).bind(p.name).bind(p.summary).bind(p.body_markdown).bind(&p.body_html)
            .bind(p.eligibility.to_json()).bind(allocation).bind(p.position).bind(p.legacy_classes)
            .bind(p.legacy_graduates).bind(to_secs(now)).bind(id).bind(p.what_to_bring)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
