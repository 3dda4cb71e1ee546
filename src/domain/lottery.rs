//! The verifiable lottery.
//!
//! When registration opens, the department draws a random 32-byte seed and publishes
//! `SHA-256(seed)` on the class page. When registration closes it publishes the seed
//! itself. The draw is then a pure function anyone can re-run:
//!
//! 1. Take the ids of all entered applications.
//! 2. For each id compute `SHA-256(seed || id as 8 bytes big-endian)`.
//! 3. Sort ascending by that digest (ties, which practically never occur, by id).
//!
//! The first `capacity` in that order get seats; the rest form the waitlist in order.
//! Because the seed is committed to before anyone applies, neither the department nor
//! an applicant can steer the result. `precinct lottery verify` re-runs it.

use sha2::{Digest, Sha256};

/// A lottery seed.
pub type Seed = [u8; 32];

/// The published commitment to a seed: lowercase hex SHA-256.
pub fn seed_hash(seed: &Seed) -> String {
    hex::encode(Sha256::digest(seed))
}

/// Reads a seed from its 64-character hex form.
pub fn parse_seed(hex_seed: &str) -> Option<Seed> {
    let bytes = hex::decode(hex_seed.trim()).ok()?;
    bytes.try_into().ok()
}

/// Orders application ids by the draw. Input order does not matter.
pub fn draw(seed: &Seed, ids: &[i64]) -> Vec<i64> {
    let mut keyed: Vec<([u8; 32], i64)> = ids
        .iter()
        .map(|&id| {
            let mut h = Sha256::new();
            h.update(seed);
            h.update(id.to_be_bytes());
            (h.finalize().into(), id)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: Seed = [7; 32];

    #[test]
    fn the_same_seed_gives_the_same_draw_whatever_the_input_order() {
        let ids: Vec<i64> = (1..=200).collect();
        let mut reversed = ids.clone();
        reversed.reverse();
        assert_eq!(draw(&SEED, &ids), draw(&SEED, &reversed));
        assert_eq!(draw(&SEED, &ids).len(), 200);
    }

    #[test]
    fn the_draw_is_the_documented_function() {
        // Expected order computed outside Rust (Python's hashlib) from the module docs.
        assert_eq!(draw(&SEED, &[1, 2, 3, 4, 5, 6, 7, 8]), [4, 6, 2, 8, 5, 3, 1, 7]);
    }

    #[test]
    fn a_different_seed_gives_a_different_order() {
        let ids: Vec<i64> = (1..=50).collect();
        assert_ne!(draw(&SEED, &ids), draw(&[8; 32], &ids));
        assert_ne!(draw(&SEED, &ids), ids, "the draw is not arrival order");
    }

    #[test]
    fn the_published_hash_matches_the_seed() {
        // SHA-256 of 32 bytes of 0x07, computed independently with `sha256sum`.
        assert_eq!(
            seed_hash(&SEED),
            "4bb06f8e4e3a7715d201d573d0aa423762e55dabd61a2c02278fa56cc6d294e0"
        );
        assert_eq!(parse_seed(&hex::encode(SEED)), Some(SEED));
        assert_eq!(parse_seed("abc"), None);
    }
}
