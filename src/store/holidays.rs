//! The department's holidays, by local date.

use jiff::Timestamp;
use jiff::civil::Date;

use super::{Store, StoreError, Tx, dispatch, on_tx, to_secs};
use crate::domain::holidays::Holiday;

fn rows(rows: Vec<(String, String)>) -> Result<Vec<Holiday>, StoreError> {
    rows.into_iter()
        .map(|(date, name)| {
            Ok(Holiday {
                date: date
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("holiday date {date:?}: {e}")))?,
                name,
            })
        })
        .collect()
}

impl Store {
    /// Holidays from `from` to `to`, both included, by date. Dates are stored as
    /// `YYYY-MM-DD`, so text order is date order on both backends.
    pub async fn holidays_between(&self, from: Date, to: Date) -> Result<Vec<Holiday>, StoreError> {
        let sql = "SELECT date, name FROM holidays WHERE date >= $1 AND date <= $2 ORDER BY date";
        let found: Vec<(String, String)> = dispatch!(&self.pool, p => sqlx::query_as(sql)
            .bind(from.to_string()).bind(to.to_string()).fetch_all(p).await)?;
        rows(found)
    }

    /// The years that have holidays, for the year switcher.
    pub async fn holiday_years(&self) -> Result<Vec<i16>, StoreError> {
        let sql = "SELECT DISTINCT substr(date, 1, 4) FROM holidays ORDER BY 1";
        let years: Vec<String> = dispatch!(&self.pool, p => sqlx::query_scalar(sql).fetch_all(p).await)?;
        Ok(years.iter().filter_map(|y| y.parse().ok()).collect())
    }
}

impl Tx {
    /// Adds a holiday; false when that date already has one (it is kept as it was).
    pub async fn add_holiday(&mut self, holiday: &Holiday, now: Timestamp) -> Result<bool, StoreError> {
        let sql = "INSERT INTO holidays (date, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (date) DO NOTHING";
        let n = on_tx!(self, c => sqlx::query(sql).bind(holiday.date.to_string()).bind(&holiday.name)
            .bind(to_secs(now)).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Removes the holiday on `date`; returns its name, `None` when there was none.
    pub async fn remove_holiday(&mut self, date: Date) -> Result<Option<String>, StoreError> {
        let sql = "DELETE FROM holidays WHERE date = $1 RETURNING name";
        Ok(on_tx!(self, c => sqlx::query_scalar(sql).bind(date.to_string()).fetch_optional(c).await)?)
    }
}
