//! A per-client-IP limit on public lookups (certificate verification), kept in memory.
//!
//! Fixed one-minute windows per IP. The table is bounded: when full, expired windows
//! are dropped first, then an arbitrary client's window, so an attacker cycling
//! addresses cannot grow it without limit (at worst some clients get a fresh window).
//! Per process: behind several instances the effective limit is multiplied.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

pub struct RateLimiter {
    per_window: u32,
    max_clients: usize,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32, max_clients: usize) -> RateLimiter {
        RateLimiter {
            per_window: per_minute.max(1),
            max_clients: max_clients.max(1),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Count one request from `ip`; `Err(seconds)` to wait when over the limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.check_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if !windows.contains_key(&ip) && windows.len() >= self.max_clients {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if windows.len() >= self.max_clients {
                if let Some(victim) = windows.keys().next().copied() {
                    windows.remove(&victim);
                }
            }
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_window {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    #[cfg(test)]
    fn clients(&self) -> usize {
        self.windows.lock().map(|w| w.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::from(n.to_be_bytes())
    }

    #[test]
    fn the_limit_applies_per_client_and_resets_after_a_minute() {
        let l = RateLimiter::new(3, 100);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at(ip(1), t).is_ok());
        }
        let wait = l.check_at(ip(1), t + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, 50);
        assert!(
            l.check_at(ip(2), t).is_ok(),
            "another client is not affected"
        );
        assert!(l.check_at(ip(1), t + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn the_table_stays_bounded() {
        let l = RateLimiter::new(5, 10);
        let t = Instant::now();
        for n in 0..1000 {
            let _ = l.check_at(ip(n), t);
        }
        assert!(l.clients() <= 10);
    }
}
