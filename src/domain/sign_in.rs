//! Staff sign-in throttling (ASVS V2.2): failed attempts are counted per client address,
//! and per typed email from that address, over a sliding window.
//!
//! Keyed on the client, never on the account alone: a per-account lock lets anyone lock
//! an officer out, and answering "locked" only for real accounts tells a stranger which
//! addresses are staff. The typed email is counted whether or not an account has it,
//! so unknown and known addresses are throttled alike.

use std::net::IpAddr;

/// The window failures are counted over.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures one client may make against one email within the window.
pub const PAIR_FAILURES: usize = 5;
/// Failures one client may make against any emails within the window (guessing many
/// accounts from one place). Larger, since a station's staff may share one address.
pub const CLIENT_FAILURES: usize = 20;

/// One failure of the client's within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// When it happened (seconds since the epoch).
    pub at: i64,
    /// Whether it was against the email being tried now.
    pub same_email: bool,
}

/// Whether a sign-in attempt may be checked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    Allowed,
    /// Refused unchecked; one attempt is allowed again in this many minutes (at least 1).
    Wait {
        minutes: i64,
    },
}

/// The verdict for an attempt at `now` by a client whose failures within the window are
/// `recent` (any order; the newest [`CLIENT_FAILURES`] are enough).
pub fn throttle(recent: &[Failure], now: i64) -> Throttle {
    let window = WINDOW_MINUTES * 60;
    let mut all: Vec<i64> = recent.iter().map(|f| f.at).filter(|&at| at > now - window).collect();
    let mut pair: Vec<i64> = recent
        .iter()
        .filter(|f| f.same_email)
        .map(|f| f.at)
        .filter(|&at| at > now - window)
        .collect();
    // Over a limit of n, an attempt is allowed again once the n-th newest failure has
    // left the window.
    let free_at = |times: &mut Vec<i64>, limit: usize| {
        times.sort_unstable_by(|a, b| b.cmp(a));
        times.get(limit - 1).map(|at| at + window)
    };
    let until = free_at(&mut pair, PAIR_FAILURES)
        .into_iter()
        .chain(free_at(&mut all, CLIENT_FAILURES))
        .max();
    match until {
        Some(until) => Throttle::Wait {
            minutes: ((until - now) + 59).div_euclid(60).max(1),
        },
        None => Throttle::Allowed,
    }
}

/// The key a client's failures are counted under: its IPv4 address, or its IPv6 /64
/// network, since one IPv6 subscriber usually holds a whole /64 and could otherwise
/// step through fresh addresses.
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn failures(n: usize, same_email: bool, seconds_ago: i64) -> Vec<Failure> {
        (0..n)
            .map(|i| Failure {
                at: NOW - seconds_ago - i as i64,
                same_email,
            })
            .collect()
    }

    #[test]
    fn a_few_failures_are_allowed() {
        assert_eq!(throttle(&[], NOW), Throttle::Allowed);
        assert_eq!(throttle(&failures(PAIR_FAILURES - 1, true, 0), NOW), Throttle::Allowed);
    }

    #[test]
    fn too_many_against_one_email_wait_out_the_window() {
        let recent = failures(PAIR_FAILURES, true, 0);
        assert_eq!(
            throttle(&recent, NOW),
            Throttle::Wait {
                minutes: WINDOW_MINUTES
            }
        );
        // Ten minutes on, the oldest of them leaves the window in five.
        assert_eq!(throttle(&recent, NOW + 600), Throttle::Wait { minutes: 5 });
        assert_eq!(throttle(&recent, NOW + WINDOW_MINUTES * 60), Throttle::Allowed);
    }

    #[test]
    fn failures_against_other_emails_count_only_toward_the_clients_budget() {
        let mut recent = failures(PAIR_FAILURES, false, 0);
        assert_eq!(throttle(&recent, NOW), Throttle::Allowed);
        recent.extend(failures(CLIENT_FAILURES - PAIR_FAILURES, false, 60));
        assert_eq!(throttle(&recent, NOW), Throttle::Wait { minutes: 14 });
    }

    #[test]
    fn the_later_of_two_limits_decides() {
        // The client's budget frees up in a minute, the email's only in fifteen.
        let mut recent = failures(CLIENT_FAILURES - PAIR_FAILURES, false, (WINDOW_MINUTES - 1) * 60);
        recent.extend(failures(PAIR_FAILURES, true, 0));
        assert_eq!(
            throttle(&recent, NOW),
            Throttle::Wait {
                minutes: WINDOW_MINUTES
            }
        );
    }

    #[test]
    fn old_failures_do_not_count() {
        let recent = failures(CLIENT_FAILURES * 2, true, WINDOW_MINUTES * 60);
        assert_eq!(throttle(&recent, NOW), Throttle::Allowed);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        assert_eq!(client_key("198.51.100.7".parse().unwrap()), "198.51.100.7");
    }
}
