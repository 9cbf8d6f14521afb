//! A per-client-address limit on public lookups (certificate verification), kept in memory.
//!
//! `governor`'s keyed GCRA limiter (a maintained crate: no hand-made window arithmetic, no
//! single mutex held over the check), keyed by the client address of
//! [`crate::http::client_addr`] — the peer's, or behind a configured trusted proxy the
//! forwarded one. The key table is bounded: past `max_clients` keys, the ones whose
//! limit has fully recovered are forgotten (`retain_recent`), and if that is not enough
//! the table starts afresh; an attacker cycling addresses at worst gives some clients a
//! fresh allowance. Per process: behind several instances the effective limit is
//! multiplied.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::RwLock;

pub struct RateLimiter {
    quota: Quota,
    /// Checks share the read lock (governor's state is atomic per key); only starting
    /// the table afresh takes the write lock.
    limiter: RwLock<DefaultKeyedRateLimiter<IpAddr>>,
    max_clients: usize,
}

impl RateLimiter {
    pub fn new(per_minute: u32, max_clients: usize) -> RateLimiter {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute);
        RateLimiter {
            quota,
            limiter: RwLock::new(governor::RateLimiter::keyed(quota)),
            max_clients: max_clients.max(1),
        }
    }

    /// Count one request from `ip`; `Err(seconds)` to wait when over the limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        if self.clients() >= self.max_clients {
            self.make_room();
        }
        let limiter = self.limiter.read().unwrap_or_else(|p| p.into_inner());
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs().max(1)
        })
    }

    fn make_room(&self) {
        let mut limiter = self.limiter.write().unwrap_or_else(|p| p.into_inner());
        limiter.retain_recent();
        if limiter.len() >= self.max_clients {
            *limiter = governor::RateLimiter::keyed(self.quota);
        }
    }

    fn clients(&self) -> usize {
        self.limiter.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::from(n.to_be_bytes())
    }

    #[test]
    fn each_address_has_its_own_allowance() {
        let l = RateLimiter::new(3, 100);
        for _ in 0..3 {
            assert!(l.check(ip(1)).is_ok());
        }
        let wait = l.check(ip(1)).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(l.check(ip(2)).is_ok(), "another address is not affected");
    }

    #[test]
    fn the_key_table_stays_bounded() {
        let l = RateLimiter::new(5, 10);
        for n in 0..1000 {
            let _ = l.check(ip(n));
        }
        assert!(l.clients() <= 10, "{} keys kept", l.clients());
        assert!(l.check(ip(5000)).is_ok());
    }
}
