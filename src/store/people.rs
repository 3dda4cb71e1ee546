//! Staff administration: accounts, units, API tokens made in the back office, and the
//! facts behind the first-run checklist.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::department::SetupFacts;
use crate::domain::{Role, StaffId, TokenId, UnitId};

/// One account as the staff list shows it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: StaffId,
    pub email: String,
    pub full_name: String,
    pub rank: Option<String>,
    pub badge_number: Option<String>,
    pub role: Role,
    pub active: bool,
    /// Whether a password has been chosen (an invitation was accepted).
    pub has_password: bool,
    pub totp_enabled: bool,
    pub unit_ids: Vec<UnitId>,
    pub units: String,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: StaffId,
    email: String,
    full_name: String,
    rank: Option<String>,
    badge_number: Option<String>,
    role: String,
    active: bool,
    has_password: bool,
    totp_enabled: bool,
}

/// An API token as the token list shows it (never its value).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: TokenId,
    pub name: String,
    pub role: String,
    pub owner: Option<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A unit with how many staff belong to it and how many sessions it presents.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: UnitId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub presentations: i64,
}

const PERSON_SQL: &str = "SELECT id, email, full_name, rank, badge_number, role, active, \
     (password_hash IS NOT NULL) AS has_password, totp_enabled FROM staff";

impl Store {
    /// Every staff account, active first, then by name, with its units.
    pub async fn people(&self) -> Result<Vec<Person>, StoreError> {
        let sql = format!("{PERSON_SQL} ORDER BY active DESC, full_name, id");
        let rows: Vec<PersonRow> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        let units: Vec<(StaffId, UnitId, String)> = dispatch!(&self.pool, p => sqlx::query_as(
            "SELECT su.staff_id, u.id, u.name FROM staff_units su JOIN units u ON u.id = su.unit_id ORDER BY u.name")
            .fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                let mine: Vec<&(StaffId, UnitId, String)> = units.iter().filter(|(s, _, _)| *s == r.id).collect();
                Ok(Person {
                    role: Role::parse(&r.role)
                        .ok_or_else(|| StoreError::Corrupt(format!("staff {}: role {:?}", r.id, r.role)))?,
                    unit_ids: mine.iter().map(|(_, u, _)| *u).collect(),
                    units: mine.iter().map(|(_, _, n)| n.as_str()).collect::<Vec<_>>().join(", "),
                    id: r.id,
                    email: r.email,
                    full_name: r.full_name,
                    rank: r.rank,
                    badge_number: r.badge_number,
                    active: r.active,
                    has_password: r.has_password,
                    totp_enabled: r.totp_enabled,
                })
            })
            .collect()
    }

    /// One account.
    pub async fn person(&self, id: StaffId) -> Result<Option<Person>, StoreError> {
        Ok(self.people().await?.into_iter().find(|p| p.id == id))
    }

    /// Units with their member and presentation counts, by name.
    pub async fn unit_rows(&self) -> Result<Vec<UnitRow>, StoreError> {
        let sql = "SELECT u.id, u.slug, u.name, u.description, \
                   (SELECT COUNT(*) FROM staff_units su WHERE su.unit_id = u.id) AS members, \
                   (SELECT COUNT(*) FROM session_presenters sp WHERE sp.unit_id = u.id) AS presentations \
                   FROM units u ORDER BY u.name";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }

    /// Tokens made for the JSON API, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let sql = "SELECT t.id, t.name, t.role, s.full_name, t.created_at, t.last_used_at, t.revoked_at \
                   FROM api_tokens t LEFT JOIN staff s ON s.id = t.staff_id ORDER BY t.id DESC";
        type Row = (TokenId, String, String, Option<String>, i64, Option<i64>, Option<i64>);
        let rows: Vec<Row> = dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(id, name, role, owner, created, used, revoked)| {
                Ok(TokenRow {
                    id,
                    name,
                    role,
                    owner,
                    created_at: from_secs(created)?,
                    last_used_at: used.map(from_secs).transpose()?,
                    revoked_at: revoked.map(from_secs).transpose()?,
                })
            })
            .collect()
    }

    /// Notes that a token was used, at most once a minute per token so busy clients do
    /// not turn every read into a write.
    pub async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
                   AND (last_used_at IS NULL OR last_used_at < $1 - 60)";
        dispatch!(&self.pool, p => sqlx::query(sql).bind(to_secs(now)).bind(token_hash).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// What the first-run checklist needs to know.
    pub async fn setup_facts(&self) -> Result<SetupFacts, StoreError> {
        let sql = "SELECT \
             (SELECT COUNT(*) FROM department) AS profile, \
             (SELECT COUNT(*) FROM department WHERE reply_to <> '') AS reply_to, \
             (SELECT COUNT(*) FROM staff WHERE active AND role = 'coordinator') AS coordinators, \
             (SELECT COUNT(*) FROM staff WHERE active AND role = 'officer') AS officers, \
             (SELECT COUNT(*) FROM units) AS units, \
             (SELECT COUNT(*) FROM programs) AS programs, \
             (SELECT COUNT(*) FROM classes) AS classes, \
             (SELECT COUNT(*) FROM holidays) AS holidays";
        type Counts = (i64, i64, i64, i64, i64, i64, i64, i64);
        let (profile, reply_to, coordinators, officers, units, programs, classes, holidays): Counts =
            dispatch!(&self.pool, p => sqlx::query_as(sql).fetch_one(p).await)?;
        Ok(SetupFacts {
            profile: profile > 0,
            reply_to: reply_to > 0,
            coordinators,
            officers,
            units,
            programs,
            classes,
            holidays,
        })
    }
}

impl Store {
    /// The department's logo (PNG), if one was uploaded.
    pub async fn logo(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let sql = "SELECT png FROM department_logo WHERE id = 1";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).fetch_optional(p).await)?)
    }
}

impl Tx {
    /// Stores (or replaces) the department's logo.
    pub async fn put_logo(
        &mut self,
        png: &[u8],
        (width, height): (u32, u32),
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO department_logo (id, png, width, height, updated_at) VALUES (1, $1, $2, $3, $4) \
                   ON CONFLICT (id) DO UPDATE SET png = excluded.png, width = excluded.width, \
                   height = excluded.height, updated_at = excluded.updated_at";
        on_tx!(self, c => sqlx::query(sql).bind(png).bind(i64::from(width)).bind(i64::from(height))
            .bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Removes the logo (the site shows the generic badge again); returns whether there was one.
    pub async fn delete_logo(&mut self) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query("DELETE FROM department_logo WHERE id = 1")
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Changes an account's name, role, rank and badge number and sets its units.
    /// Returns the account's previous values as JSON (for the audit log), or `None` if
    /// there is no such account.
    pub async fn update_person(
        &mut self,
        id: StaffId,
        full_name: &str,
        role: Role,
        rank: Option<&str>,
        badge_number: Option<&str>,
        units: &[UnitId],
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let sql = format!("{PERSON_SQL} WHERE id = $1");
        let before: Option<PersonRow> =
            on_tx!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
        let Some(before) = before else { return Ok(None) };
        let old_units: Vec<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT unit_id FROM staff_units WHERE staff_id = $1 ORDER BY unit_id").bind(id).fetch_all(c).await)?;
        on_tx!(self, c => sqlx::query(
            "UPDATE staff SET full_name = $1, role = $2, rank = $3, badge_number = $4 WHERE id = $5")
            .bind(full_name).bind(role.code()).bind(rank).bind(badge_number).bind(id).execute(c).await.map(|_| ()))?;
        self.set_units(id, units).await?;
        Ok(Some(serde_json::json!({
            "full_name": before.full_name, "role": before.role, "rank": before.rank,
            "badge_number": before.badge_number, "units": old_units,
        })))
    }

    /// Replaces an account's units.
    pub async fn set_units(&mut self, id: StaffId, units: &[UnitId]) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM staff_units WHERE staff_id = $1").bind(id).execute(c).await.map(|_| ()))?;
        for u in units {
            self.add_staff_unit(id, *u).await?;
        }
        Ok(())
    }

    /// Deactivates or reactivates an account. Deactivating ends its sessions, revokes the
    /// API tokens it made and cancels unused invitation or reset links at once; its
    /// history and authorship stay. Returns whether the account exists.
    pub async fn set_active(&mut self, id: StaffId, active: bool, now: Timestamp) -> Result<bool, StoreError> {
        let at = (!active).then(|| to_secs(now));
        let n = on_tx!(self, c => sqlx::query("UPDATE staff SET active = $1, deactivated_at = $2 WHERE id = $3")
            .bind(active).bind(at).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Ok(false);
        }
        if !active {
            self.end_sessions_of(id).await?;
            on_tx!(self, c => sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE staff_id = $2 AND revoked_at IS NULL")
                .bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
            self.expire_password_links(id, now).await?;
        }
        Ok(true)
    }

    /// Ends every session of an account.
    pub async fn end_sessions_of(&mut self, id: StaffId) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1").bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Makes unused invitation and password-reset links of an account stop working.
    pub async fn expire_password_links(&mut self, id: StaffId, now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query("UPDATE staff_password_resets SET used_at = $1 WHERE staff_id = $2 AND used_at IS NULL")
            .bind(to_secs(now)).bind(id).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Turns off an account's two-step sign-in (for a lost phone) and ends its sessions,
    /// so the next sign-in is by password and the owner sets up a new authenticator.
    pub async fn reset_two_factor(&mut self, id: StaffId) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE staff SET totp_enabled = FALSE, totp_secret = NULL, totp_last_step = NULL WHERE id = $1")
            .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        self.end_sessions_of(id).await?;
        Ok(n > 0)
    }

    /// How many active administrators there are (the last one may not be demoted or
    /// deactivated).
    pub async fn active_admins(&mut self) -> Result<i64, StoreError> {
        Ok(on_tx!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff WHERE active AND role = 'admin'").fetch_one(c).await)?)
    }

    /// Stores an invitation (a password link) for a new account.
    pub async fn insert_invitation(
        &mut self,
        id: StaffId,
        token_hash: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql =
            "INSERT INTO staff_password_resets (token_hash, staff_id, expires_at, created_at) VALUES ($1, $2, $3, $4)";
        on_tx!(self, c => sqlx::query(sql)
            .bind(token_hash).bind(id).bind(to_secs(expires_at)).bind(to_secs(now)).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Renames a unit; returns its previous name, or `None` if there is no such unit.
    pub async fn rename_unit(
        &mut self,
        id: UnitId,
        name: &str,
        description: &str,
    ) -> Result<Option<String>, StoreError> {
        let before: Option<String> = on_tx!(self, c => sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
            .bind(id).fetch_optional(c).await)?;
        if before.is_some() {
            on_tx!(self, c => sqlx::query("UPDATE units SET name = $1, description = $2 WHERE id = $3")
                .bind(name).bind(description).bind(id).execute(c).await.map(|_| ()))?;
        }
        Ok(before)
    }

    /// Removes a unit nobody belongs to and no session names. Returns `Some(false)` when
    /// the unit is still in use, `None` when it does not exist.
    pub async fn delete_unused_unit(&mut self, id: UnitId) -> Result<Option<bool>, StoreError> {
        let used: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM staff_units WHERE unit_id = u.id) + \
                    (SELECT COUNT(*) FROM session_presenters WHERE unit_id = u.id) FROM units u WHERE u.id = $1")
            .bind(id).fetch_optional(c).await)?;
        match used {
            None => Ok(None),
            Some(n) if n > 0 => Ok(Some(false)),
            Some(_) => {
                on_tx!(self, c => sqlx::query("DELETE FROM units WHERE id = $1").bind(id).execute(c).await.map(|_| ()))?;
                Ok(Some(true))
            }
        }
    }

    /// Creates an API token made by `owner`; returns its id.
    pub async fn insert_owned_api_token(
        &mut self,
        name: &str,
        role: Role,
        token_hash: &str,
        owner: StaffId,
        now: Timestamp,
    ) -> Result<TokenId, StoreError> {
        let sql = "INSERT INTO api_tokens (name, role, token_hash, created_at, staff_id) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        Ok(
            on_tx!(self, c => sqlx::query_scalar(sql).bind(name).bind(role.code()).bind(token_hash)
            .bind(to_secs(now)).bind(owner).fetch_one(c).await)?,
        )
    }

    /// Revokes a token by id; returns its name if it was live.
    pub async fn revoke_api_token_id(&mut self, id: TokenId, now: Timestamp) -> Result<Option<String>, StoreError> {
        let sql = "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING name";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(to_secs(now)).bind(id).fetch_optional(c).await)?)
    }
}
