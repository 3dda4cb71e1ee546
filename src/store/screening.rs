//! Screening entries, program screening definitions and the department's sensitive roles.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::screening::{Entry, Outcome, Screening};
use crate::domain::{ApplicationId, ClassId, ProgramId, ScreeningEntryId};

/// A recorded entry with everything the review page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScreeningEntry {
    pub id: ScreeningEntryId,
    pub stage: String,
    pub outcome: String,
    pub reason_code: String,
    pub note: String,
    pub reviewer: String,
    pub reviewer_name: String,
    pub recorded_at: i64,
}

impl ScreeningEntry {
    /// The pure view the domain rules work on; `None` for a corrupt outcome.
    pub fn entry(&self) -> Option<Entry> {
        Some(Entry {
            stage: self.stage.clone(),
            outcome: Outcome::parse(&self.outcome)?,
            reviewer: self.reviewer.clone(),
            seq: self.id.get(),
        })
    }
}

/// A new entry as a reviewer submits it.
pub struct NewEntry<'a> {
    pub application_id: ApplicationId,
    pub stage: &'a str,
    pub outcome: Outcome,
    pub reason_code: &'a str,
    pub note: &'a str,
    pub reviewer: &'a str,
    pub reviewer_name: &'a str,
}

fn parse_screening(json: Option<String>) -> Result<Screening, StoreError> {
    match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("screening: {e}"))),
        None => Ok(Screening::default()),
    }
}

impl Store {
    /// The screening of a class's program.
    pub async fn screening(&self, class_id: ClassId) -> Result<Screening, StoreError> {
        let sql = "SELECT p.screening FROM classes c JOIN programs p ON p.id = c.program_id WHERE c.id = $1";
        parse_screening(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(class_id).fetch_optional(p).await)?)
    }

    /// A program's graduation rule and screening, by program id.
    pub async fn program_rules(
        &self,
        program_id: ProgramId,
    ) -> Result<Option<(crate::domain::graduation::GraduationRule, Screening)>, StoreError> {
        let sql = "SELECT graduation_rule, screening FROM programs WHERE id = $1";
        let row: Option<(String, String)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program_id).fetch_optional(p).await)?;
        row.map(|(rule, screening)| {
            let rule = serde_json::from_str(&rule).map_err(|e| StoreError::Corrupt(format!("graduation rule: {e}")))?;
            Ok((rule, parse_screening(Some(screening))?))
        })
        .transpose()
    }

    /// Every entry for an application, oldest first.
    pub async fn screening_entries(&self, id: ApplicationId) -> Result<Vec<ScreeningEntry>, StoreError> {
        let sql = "SELECT id, stage, outcome, reason_code, note, reviewer, reviewer_name, recorded_at \
                   FROM screening_entries WHERE application_id = $1 ORDER BY id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(id).fetch_all(p).await)?)
    }

    /// The roles the department lets see sensitive screening fields, as stored ("admin,coordinator").
    pub async fn sensitive_roles(&self) -> Result<String, StoreError> {
        let sql = "SELECT sensitive_roles FROM department WHERE id = 1";
        let roles: Option<String> = dispatch!(&self.pool, p => sqlx::query_scalar(sql).fetch_optional(p).await)?;
        Ok(roles.unwrap_or_else(|| "admin,coordinator".into()))
    }
}

impl Tx {
    /// The screening of a class's program, read inside a transaction.
    pub async fn screening(&mut self, class_id: ClassId) -> Result<Screening, StoreError> {
        let sql = "SELECT p.screening FROM classes c JOIN programs p ON p.id = c.program_id WHERE c.id = $1";
        parse_screening(on_tx!(self, c => sqlx::query_scalar(sql).bind(class_id).fetch_optional(c).await)?)
    }

    /// Every entry for an application, as the domain rules read them.
    pub async fn screening_state(&mut self, id: ApplicationId) -> Result<Vec<Entry>, StoreError> {
        let sql = "SELECT id, stage, outcome, reason_code, note, reviewer, reviewer_name, recorded_at \
                   FROM screening_entries WHERE application_id = $1 ORDER BY id";
        let rows: Vec<ScreeningEntry> = on_tx!(self, c => sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
        rows.iter()
            .map(|r| {
                r.entry()
                    .ok_or_else(|| StoreError::Corrupt(format!("screening outcome {:?}", r.outcome)))
            })
            .collect()
    }

    /// Appends one reviewer's entry; returns its id.
    pub async fn add_screening_entry(
        &mut self,
        e: &NewEntry<'_>,
        now: Timestamp,
    ) -> Result<ScreeningEntryId, StoreError> {
        let sql = "INSERT INTO screening_entries (application_id, stage, outcome, reason_code, note, reviewer, \
                   reviewer_name, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(e.application_id).bind(e.stage).bind(e.outcome.code())
            .bind(e.reason_code).bind(e.note).bind(e.reviewer).bind(e.reviewer_name).bind(to_secs(now))
            .fetch_one(c).await)?,
        )
    }

    /// Replaces a program's screening definition (validated by the caller).
    pub async fn set_screening(&mut self, program_id: ProgramId, screening: &Screening) -> Result<(), StoreError> {
        let sql = "UPDATE programs SET screening = $1 WHERE id = $2";
        let json = serde_json::to_string(screening).expect("a screening serializes");
        on_tx!(self, c => sqlx::query(sql).bind(&json).bind(program_id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Names the roles that may see sensitive fields; returns the previous list.
    pub async fn set_sensitive_roles(&mut self, roles: &str) -> Result<Option<String>, StoreError> {
        let before: Option<String> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT sensitive_roles FROM department WHERE id = 1").fetch_optional(c).await)?;
        on_tx!(self, c => sqlx::query("UPDATE department SET sensitive_roles = $1 WHERE id = 1")
            .bind(roles).execute(c).await.map(|_| ()))?;
        Ok(before)
    }
}
