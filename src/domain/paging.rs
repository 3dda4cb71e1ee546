//! Newest-first staff lists (the audit log, the outbox, the request board) read one screen
//! at a time by id: the next screen holds what comes before the last id shown, so a screen
//! costs the same however deep it falls and rows added meanwhile do not shift it.

/// Ids one screen of a text search reads at most, in a list where the text is not
/// indexed: a rare match in a long history is found screen by screen, at a bounded cost
/// each, instead of by one read of everything.
pub const SEARCH_SPAN: i64 = 20_000;

/// The id an older screen reads below, from a query's `before`: `Ok(None)` for the newest
/// screen, `Err` for anything that is not a positive id.
pub fn before(asked: &str) -> Result<Option<i64>, &'static str> {
    match asked.trim() {
        "" => Ok(None),
        n => n
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or("That page link is not valid; start from the newest entries."),
    }
}

/// Where the screen after one that showed `shown` rows of at most `limit`, ending at
/// `last_id`, starts: only a full screen may have more behind it.
pub fn older(shown: usize, limit: i64, last_id: Option<i64>) -> Option<i64> {
    (i64::try_from(shown).ok() == Some(limit)).then_some(last_id).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_cursor_and_refuses_junk() {
        assert_eq!(before(""), Ok(None));
        assert_eq!(before(" 42 "), Ok(Some(42)));
        for junk in ["0", "-3", "x", "4.2", "99999999999999999999"] {
            assert!(before(junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn only_a_full_screen_links_further() {
        assert_eq!(older(100, 100, Some(7)), Some(7));
        assert_eq!(older(99, 100, Some(7)), None);
        assert_eq!(older(0, 100, None), None);
    }
}
