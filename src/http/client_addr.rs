//! The client's address (客户端地址) for throttles and rate limits.
//!
//! The peer's address, unless the peer is one of the configured trusted proxies: then the
//! nearest address in `X-Forwarded-For` that is not itself a trusted proxy (read from the
//! right, because only the entries our own proxies appended can be believed; anything to
//! the left of them was written by the client). Without trusted proxies the header is
//! ignored entirely, so a client cannot pick its own address.

use actix_web::HttpRequest;
use std::net::IpAddr;

/// Used when the connection has no peer address (never on TCP): one shared bucket.
const UNKNOWN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

pub fn client_ip(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = req.peer_addr().map(|a| a.ip()).unwrap_or(UNKNOWN);
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    resolve(peer, &forwarded, trusted_proxies)
}

/// The pure rule behind [`client_ip`].
pub fn resolve(peer: IpAddr, forwarded_for: &str, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let mut nearest = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted_proxies.contains(&ip) => nearest = ip,
            Ok(ip) => return ip,
            // A hop we cannot read: stop at the last address we could trust.
            Err(_) => return nearest,
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        assert_eq!(
            resolve(ip("203.0.113.9"), "198.51.100.1", &[]),
            ip("203.0.113.9")
        );
        assert_eq!(
            resolve(ip("203.0.113.9"), "198.51.100.1", &[ip("10.0.0.1")]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_counts() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client wrote "1.1.1.1" itself; our proxies appended the real hops.
        assert_eq!(
            resolve(ip("10.0.0.1"), "1.1.1.1, 198.51.100.7, 10.0.0.2", &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(resolve(ip("10.0.0.1"), "", &proxies), ip("10.0.0.1"));
        assert_eq!(
            resolve(ip("10.0.0.1"), "garbage, 10.0.0.2", &proxies),
            ip("10.0.0.2")
        );
    }
}
