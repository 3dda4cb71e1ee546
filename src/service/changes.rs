//! The signal that what the public sees may have changed: a counter every write that can
//! change a public page bumps once it has committed. The web layer's page cache
//! (`crate::web::page_cache`) keeps a page only while the counter stands where it stood
//! before the page was read, so a cached page never outlives the write that changed it
//! on this instance.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shared by the web layer, the registrar and the background jobs; cheap to clone.
#[derive(Clone, Default)]
pub struct PublicChanges(Arc<AtomicU64>);

impl PublicChanges {
    /// Something public may have changed (call after the commit, not before).
    pub fn changed(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// How many changes were signalled so far; read it before reading what a page shows.
    pub fn generation(&self) -> u64 {
        self.0.load(Ordering::Acquire)
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
    }
}
