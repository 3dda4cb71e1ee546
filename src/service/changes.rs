//! The signal that what the public sees may have changed: a counter every write that can
//! change a public page bumps once it has committed. The web layer's page cache
//! (`crate::web::page_cache`) keeps a page only while the counter stands where it stood
//! before the page was read, so a cached page never outlives the write that changed it
//! on this instance.
//!
//! A second counter moves only for edits (every unsafe request but filing an application):
//! what intake reads about a class (its program's questions) is kept in a [`Memo`] until
//! an edit, so a registration rush does not read it once per application.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared by the web layer, the registrar and the background jobs; cheap to clone.
#[derive(Clone, Default)]
pub struct PublicChanges(Arc<Counters>);

#[derive(Default)]
struct Counters {
    public: AtomicU64,
    edits: AtomicU64,
}

impl PublicChanges {
    /// Something public may have changed (call after the commit, not before).
    pub fn changed(&self) {
        self.0.public.fetch_add(1, Ordering::AcqRel);
    }

    /// Staff or a resident changed something other than by filing an application: what
    /// the public sees, and what [`Memo`]s keep, may be out of date.
    pub fn edited(&self) {
        self.0.edits.fetch_add(1, Ordering::AcqRel);
        self.changed();
    }

    /// How many changes were signalled so far; read it before reading what a page shows.
    pub fn generation(&self) -> u64 {
        self.0.public.load(Ordering::Acquire)
    }

    /// How many edits were signalled so far.
    pub fn edits(&self) -> u64 {
        self.0.edits.load(Ordering::Acquire)
    }
}

/// Values read from the database, kept while no edit has happened on this instance since
/// they were read, and for at most [`Memo::LIFETIME`] (edits on other instances sharing
/// PostgreSQL show within that).
pub struct Memo<K, V> {
    changes: PublicChanges,
    entries: Mutex<HashMap<K, (u64, Instant, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    pub const LIFETIME: Duration = Duration::from_secs(1);
    /// Keys kept at most; past this the memo starts over (it holds hot keys only).
    const MAX_KEYS: usize = 1024;

    pub fn new(changes: PublicChanges) -> Self {
        Memo {
            changes,
            entries: Mutex::default(),
        }
    }

    /// The kept value of `key`, or what `read` returns (kept unless an edit happened
    /// while it was read).
    pub async fn get_or_read<E, F>(&self, key: K, read: F) -> Result<V, E>
    where
        F: std::future::Future<Output = Result<V, E>>,
    {
        let edits = self.changes.edits();
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, stored, value)) = entries.get(&key)
                && *at == edits
                && stored.elapsed() < Self::LIFETIME
            {
                return Ok(value.clone());
            }
        }
        let value = read.await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::MAX_KEYS && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (edits, Instant::now(), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_counter() {
        let a = PublicChanges::default();
        let b = a.clone();
        let before = a.generation();
        b.changed();
        assert_eq!(a.generation(), before + 1);
        b.edited();
        assert_eq!((a.generation(), a.edits()), (before + 2, 1));
    }

    #[tokio::test]
    async fn a_memo_keeps_a_value_until_an_edit() {
        let changes = PublicChanges::default();
        let memo: Memo<i64, i64> = Memo::new(changes.clone());
        let reads = AtomicU64::new(0);
        let read = || async { Ok::<_, ()>(reads.fetch_add(1, Ordering::SeqCst) as i64) };
        assert_eq!(memo.get_or_read(1, read()).await, Ok(0));
        changes.changed();
        assert_eq!(
            memo.get_or_read(1, read()).await,
            Ok(0),
            "a filed application changes nothing kept"
        );
        changes.edited();
        assert_eq!(memo.get_or_read(1, read()).await, Ok(1), "an edit makes it read again");
        assert_eq!(memo.get_or_read(2, read()).await, Ok(2), "keys are apart");
    }
}
