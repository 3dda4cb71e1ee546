//! The client's address: the connecting peer, or, when that peer is a proxy the
//! department trusts (`PRECINCT_TRUSTED_PROXIES`), the address the proxy reports in
//! `X-Forwarded-For`. Request budgets key on it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::web::AppState;

/// The address a request came from, after trusted proxies are looked through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Requests built in-process (tests using `oneshot`) have no peer; treat them as local.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        Ok(ClientAddr(client_address(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

/// Walks `X-Forwarded-For` from the right (the hop nearest us) while the hop is trusted;
/// the first untrusted address is the client. Addresses further left were written by
/// the client itself and prove nothing. An unparsable entry stops the walk at the last
/// trusted hop, so a forged header can never pick an arbitrary key.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return canonical(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = canonical(peer);
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = canonical(ip);
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// IPv4 clients reaching a dual-stack socket appear as `::ffff:a.b.c.d`; key them as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_trusted;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let trusted = [parse_trusted("10.0.0.0/8").unwrap()];
        assert_eq!(
            client_address(ip("203.0.113.9"), &headers(&["1.2.3.4"]), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("203.0.113.9"), &headers(&[]), &[]), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_reports_the_client() {
        let trusted = [parse_trusted("127.0.0.1").unwrap()];
        let h = headers(&["198.51.100.7"]);
        assert_eq!(client_address(ip("127.0.0.1"), &h, &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn addresses_the_client_wrote_itself_are_ignored() {
        // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the real address.
        let trusted = [parse_trusted("10.0.0.0/8").unwrap()];
        let h = headers(&["1.1.1.1, 198.51.100.7, 10.0.0.3"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.7"));
        // Split over two header lines, the order is the same.
        let h = headers(&["1.1.1.1", "198.51.100.7, 10.0.0.3"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn garbage_stops_at_the_last_trusted_hop() {
        let trusted = [parse_trusted("10.0.0.0/8").unwrap()];
        let h = headers(&["198.51.100.7, not-an-address, 10.0.0.3"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.3"));
        assert_eq!(client_address(ip("10.0.0.2"), &headers(&[]), &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn mapped_ipv4_is_keyed_as_ipv4() {
        let trusted = [parse_trusted("127.0.0.1").unwrap()];
        let h = headers(&["::ffff:198.51.100.7"]);
        assert_eq!(client_address(ip("::ffff:127.0.0.1"), &h, &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn entries_parse_or_say_why_not() {
        assert!(parse_trusted("10.0.0.0/8").is_ok());
        assert!(parse_trusted(" ::1 ").is_ok());
        assert!(parse_trusted("proxy.internal").unwrap_err().contains("proxy.internal"));
    }
}
