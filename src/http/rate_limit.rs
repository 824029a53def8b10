//! Per-key request rate limits (GCRA, from the `governor` crate).

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimitSettings;

pub struct RateLimiter {
    inner: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimiter {
    /// `None` when the configured rate is 0 (limits off).
    pub fn new(settings: &RateLimitSettings) -> Option<RateLimiter> {
        let rate = NonZeroU32::new(settings.per_second)?;
        let burst = NonZeroU32::new(settings.burst).unwrap_or(rate);
        let inner = governor::RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst));
        Some(RateLimiter { inner, clock: DefaultClock::default() })
    }

    /// `Ok` if `key` may make one more request now, else how many whole
    /// seconds to wait (at least 1).
    ///
    /// # Errors
    ///
    /// The whole seconds to wait (at least 1) when `key` has used its quota.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        match self.inner.check_key(&key.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
            }
        }
    }

    /// Forgets keys that are back to a full bucket, so the state does not
    /// grow with every client address ever seen.
    pub fn prune(&self) {
        self.inner.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refused_per_key() {
        let rl = RateLimiter::new(&RateLimitSettings { per_second: 1, burst: 3 }).unwrap();
        for _ in 0..3 {
            assert!(rl.check("a").is_ok());
        }
        assert_eq!(rl.check("a"), Err(1));
        assert!(rl.check("b").is_ok(), "keys are limited separately");
    }

    #[test]
    fn zero_rate_means_off() {
        assert!(RateLimiter::new(&RateLimitSettings { per_second: 0, burst: 0 }).is_none());
    }
}
