//! Counters behind the request budgets (see `crate::auth::limits`).

use super::{Store, StoreError, dispatch};

impl Store {
    /// Counts one hit for `client` in `bucket` during the window starting at
    /// `window_start` (seconds) and returns the window's hits so far, this one included.
    /// One upsert, so concurrent hits from several instances are all counted.
    pub async fn count_hit(&self, bucket: &str, client: &str, window_start: i64) -> Result<i64, StoreError> {
        let sql = "INSERT INTO rate_limit_hits (bucket, client, window_start, hits) VALUES ($1, $2, $3, 1) \
                   ON CONFLICT (bucket, client, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1 \
                   RETURNING hits";
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(bucket).bind(client).bind(window_start)
            .fetch_one(p).await)?,
        )
    }

    /// Hits of `client` in `bucket` during the window starting at `window_start`.
    pub async fn hits(&self, bucket: &str, client: &str, window_start: i64) -> Result<i64, StoreError> {
        let sql = "SELECT COALESCE(MAX(hits), 0) FROM rate_limit_hits WHERE bucket = $1 AND client = $2 AND window_start = $3";
        Ok(
            dispatch!(&self.pool, p => sqlx::query_scalar(sql).bind(bucket).bind(client).bind(window_start)
            .fetch_one(p).await)?,
        )
    }

    /// Forgets windows that started before `before` (seconds); returns how many went.
    pub async fn prune_hits(&self, before: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM rate_limit_hits WHERE window_start < $1";
        Ok(dispatch!(&self.pool, p => sqlx::query(sql).bind(before).execute(p).await.map(|r| r.rows_affected()))?)
    }
}
