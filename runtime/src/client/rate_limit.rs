//! One gate for every walk of a client: a server's "wait" applies to all of
//! them, and an optional spacing keeps them under a request rate together.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// A rate limiter shared by the walks of the clients holding (a clone of)
/// it. When one walk is told to wait (`429`/`503` with `Retry-After`, or a
/// `rateLimit` budget that is spent), every walk waits; with
/// [`min_interval`](Self::min_interval), requests of all walks together
/// are at least that far apart.
///
/// ```
/// use std::time::Duration;
/// use keypage_runtime::client::RateLimiter;
///
/// // At most 10 requests a second, across every walk sharing it.
/// let limiter = RateLimiter::new().min_interval(Duration::from_millis(100));
/// let shared = limiter.clone();
/// # drop(shared);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RateLimiter(Arc<Mutex<Gate>>);

#[derive(Debug, Default)]
struct Gate {
    /// No request starts before this (the latest wait a server asked for).
    paused_until: Option<Instant>,
    /// The earliest start of the next request under `min_interval`.
    next_slot: Option<Instant>,
    min_interval: Duration,
}

impl RateLimiter {
    /// A limiter that only relays the servers' waits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Spaces requests (of all walks sharing the limiter) at least `interval` apart.
    #[must_use]
    pub fn min_interval(self, interval: Duration) -> Self {
        if let Ok(mut gate) = self.0.lock() {
            gate.min_interval = interval;
        }
        self
    }

    /// Holds every request of every sharing walk until `until`.
    pub fn pause_until(&self, until: Instant) {
        if let Ok(mut gate) = self.0.lock() {
            gate.paused_until = Some(gate.paused_until.map_or(until, |p| p.max(until)));
        }
    }

    /// Waits until a request may start, and takes its slot.
    pub(crate) async fn acquire(&self) {
        loop {
            let now = Instant::now();
            let wait_until = {
                let Ok(mut gate) = self.0.lock() else { return };
                let ready = [gate.paused_until, gate.next_slot]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(now);
                if ready <= now {
                    gate.next_slot = Some(now + gate.min_interval);
                    return;
                }
                ready
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }
}
