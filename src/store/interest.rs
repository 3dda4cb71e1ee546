//! Interest lists: "tell me when the next class opens".

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::{ClassId, ClassStatus, ProgramId};

/// A subscriber to notify.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscriber {
    pub email: String,
    pub unsubscribe_token: String,
}

impl Store {
    /// Adds (or re-activates) an address on a program's list; returns its unsubscribe token.
    pub async fn subscribe_interest(
        &self,
        program_id: ProgramId,
        email: &str,
        token: &str,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        let sql = "INSERT INTO interest_subscriptions (program_id, email, email_key, unsubscribe_token, created_at) \
                   VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (program_id, email_key) DO UPDATE SET unsubscribed_at = NULL \
                   RETURNING unsubscribe_token";
        let key = crate::domain::application::email_key(email);
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(program_id).bind(email.trim()).bind(&key)
            .bind(token).bind(to_secs(now)).fetch_one(p).await)?,
        )
    }

    /// Takes an address off a list; returns the program's name if the token was valid.
    pub async fn unsubscribe_interest(&self, token: &str, now: Timestamp) -> Result<Option<String>, StoreError> {
        let sql = "UPDATE interest_subscriptions SET unsubscribed_at = $1 WHERE unsubscribe_token = $2 \
                   RETURNING (SELECT name FROM programs p WHERE p.id = program_id)";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(to_secs(now)).bind(token).fetch_optional(p).await)?)
    }

    /// The program a token belongs to, for the confirmation page.
    pub async fn interest_program_name(&self, token: &str) -> Result<Option<String>, StoreError> {
        let sql = "SELECT p.name FROM interest_subscriptions s JOIN programs p ON p.id = s.program_id \
                   WHERE s.unsubscribe_token = $1";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(token).fetch_optional(p).await)?)
    }

    /// Active subscribers of a program.
    pub async fn active_subscribers(&self, program_id: ProgramId) -> Result<Vec<Subscriber>, StoreError> {
        let sql = "SELECT email, unsubscribe_token FROM interest_subscriptions \
                   WHERE program_id = $1 AND unsubscribed_at IS NULL ORDER BY id";
        Ok(dispatch!(&self.pool, p => sqlx::query_as(sql).bind(program_id).fetch_all(p).await)?)
    }
}

impl Tx {
    /// Active subscribers of the program a class belongs to.
    pub async fn subscribers_of_class(&mut self, class_id: ClassId) -> Result<Vec<Subscriber>, StoreError> {
        let sql = "SELECT s.email, s.unsubscribe_token FROM interest_subscriptions s \
                   JOIN classes c ON c.program_id = s.program_id \
                   WHERE c.id = $1 AND s.unsubscribed_at IS NULL ORDER BY s.id";
        Ok(on_tx!(self, c => sqlx::query_as(sql).bind(class_id).fetch_all(c).await)?)
    }

    /// Moves a class to `to` if it is still in `from`.
    pub async fn move_class(
        &mut self,
        class_id: ClassId,
        from: ClassStatus,
        to: ClassStatus,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE classes SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4";
        let n = on_tx!(self, c => sqlx::query(sql).bind(to.code()).bind(to_secs(now)).bind(class_id).bind(from.code())
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
