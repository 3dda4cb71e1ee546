//! Lottery classes: committing each to a seed before registration closes, claiming the
//! draw once, placing every entry where the draw put it, and the public record of the draw.

use super::{Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::{ApplicationStatus, ClassId};
use jiff::Timestamp;

impl Tx {
    /// Commits a lottery class to a seed, unless it already has one.
    pub async fn set_lottery_seed(
        &mut self,
        class_id: ClassId,
        seed_hex: &str,
        hash_hex: &str,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE classes SET lottery_seed = $1, lottery_seed_hash = $2 WHERE id = $3 AND lottery_seed IS NULL";
        let n = on_tx!(self, c => sqlx::query(sql).bind(seed_hex).bind(hash_hex).bind(class_id).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Claims the draw of a class: true for exactly one caller, ever.
    pub async fn claim_draw(&mut self, class_id: ClassId, now: Timestamp) -> Result<Option<String>, StoreError> {
        let sql = "UPDATE classes SET lottery_drawn_at = $1 WHERE id = $2 AND lottery_drawn_at IS NULL \
                   AND lottery_seed IS NOT NULL RETURNING lottery_seed";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(to_secs(now)).bind(class_id).fetch_optional(c).await)?)
    }

    /// Ids of the applications entered in a class's lottery.
    pub async fn entered_ids(&mut self, class_id: ClassId) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT id FROM applications WHERE class_id = $1 AND status = 'entered' ORDER BY id";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(class_id).fetch_all(c).await)?)
    }

    /// Places one drawn application: its status and its place in the queue.
    pub async fn place_drawn(
        &mut self,
        id: i64,
        status: ApplicationStatus,
        rank: i64,
        now: Timestamp,
    ) -> Result<(String, String), StoreError> {
        let sql = "UPDATE applications SET status = $1, queue_rank = $2, updated_at = $3 WHERE id = $4 \
                   RETURNING email, first_name";
        Ok(
            on_tx!(self, c => sqlx::query_as(sql).bind(status.code()).bind(rank).bind(to_secs(now)).bind(id).fetch_one(c).await)?,
        )
    }
}

impl Store {
    /// Lottery classes that are announced or open but not yet committed to a seed.
    pub async fn lottery_classes_without_seed(&self) -> Result<Vec<ClassId>, StoreError> {
        let sql = "SELECT id FROM classes WHERE allocation = 'lottery' AND lottery_seed IS NULL \
                   AND status IN ('announced', 'open')";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).fetch_all(p).await)?)
    }

    /// Lottery classes whose registration closed by `now` and which are not drawn yet.
    pub async fn lotteries_due(&self, now: Timestamp) -> Result<Vec<ClassId>, StoreError> {
        let sql = "SELECT id FROM classes WHERE allocation = 'lottery' AND lottery_drawn_at IS NULL \
                   AND lottery_seed IS NOT NULL AND registration_closes_at <= $1 AND status IN ('open', 'closed')";
        Ok(dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(to_secs(now)).fetch_all(p).await)?)
    }

    /// The published lottery facts of a class: seed hash, and once drawn the seed and
    /// the drawn order of application ids.
    pub async fn lottery_record(&self, class_id: ClassId) -> Result<Option<LotteryRecord>, StoreError> {
        let sql = "SELECT lottery_seed_hash, lottery_seed, lottery_drawn_at FROM classes WHERE id = $1 AND allocation = 'lottery'";
        let row: Option<(Option<String>, Option<String>, Option<i64>)> =
            dispatch!(&self.pool, p => sqlx::query_as(sql).bind(class_id).fetch_optional(p).await)?;
        let Some((seed_hash, seed, drawn_at)) = row else {
            return Ok(None);
        };
        let drawn_at = drawn_at.map(from_secs).transpose()?;
        let entrants: Vec<i64> = if drawn_at.is_some() {
            let sql = "SELECT id FROM applications WHERE class_id = $1 AND channel = 'online' \
                       AND status NOT IN ('entered') ORDER BY id";
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(class_id).fetch_all(p).await)?
        } else {
            Vec::new()
        };
        Ok(Some(LotteryRecord {
            seed_hash,
            seed: drawn_at.and(seed),
            drawn_at,
            entrants,
        }))
    }
}

/// What the public may know about a class's lottery.
#[derive(Debug, Clone)]
pub struct LotteryRecord {
    /// SHA-256 of the seed, published from the start.
    pub seed_hash: Option<String>,
    /// The seed, revealed once the draw has happened.
    pub seed: Option<String>,
    pub drawn_at: Option<Timestamp>,
    /// Ids of the applications that took part, to re-run the draw.
    pub entrants: Vec<i64>,
}
