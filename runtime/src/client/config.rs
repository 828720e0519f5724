//! How a client retries, and what a walk does with partial data.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::error::GraphqlError;

/// Retry bounds and backoff.
///
/// HTTP 429 and 503 wait what `Retry-After` says (seconds or an HTTP date),
/// shared with every walk of the same [`RateLimiter`](super::RateLimiter);
/// without the header, and for other 5xx, timeouts and dropped connections,
/// the wait is exponential with full jitter: a uniform random time in
/// `0..=min(max_delay, base_delay * 2^(retry - 1))`. Other 4xx are not retried.
///
/// ```
/// use std::time::Duration;
/// use keypage_runtime::client::RetryPolicy;
///
/// let policy = RetryPolicy {
///     max_retries: 3,
///     base_delay: Duration::from_millis(100),
///     ..RetryPolicy::default()
/// };
/// assert_eq!(policy.max_elapsed, Duration::from_secs(600));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries of one request (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// The first backoff's cap.
    pub base_delay: Duration,
    /// The largest backoff, and the largest `Retry-After` honoured: a server
    /// asking for more ends the walk with [`ClientError::RetriesExhausted`](super::ClientError::RetriesExhausted).
    pub max_delay: Duration,
    /// The time one request may take, retries and waits included.
    pub max_elapsed: Duration,
    /// The time one attempt may take before it counts as a timeout.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(120),
            max_elapsed: Duration::from_secs(600),
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based) without a `Retry-After`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let cap = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::random_range(0..=nanos))
    }
}

/// The errors of a partial page, with its number.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialErrors {
    /// The page (1 is the first of the walk).
    pub page: u64,
    /// The errors, with their paths.
    pub errors: Vec<GraphqlError>,
}

/// A shared list the walk appends each partial page's errors to, for
/// [`PartialPolicy::Collect`]; clone it to read it while or after walking.
#[derive(Debug, Clone, Default)]
pub struct ErrorLog(Arc<Mutex<Vec<PartialErrors>>>);

impl ErrorLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything logged so far.
    pub fn snapshot(&self) -> Vec<PartialErrors> {
        self.0.lock().map(|log| log.clone()).unwrap_or_default()
    }

    pub(crate) fn push(&self, entry: PartialErrors) {
        if let Ok(mut log) = self.0.lock() {
            log.push(entry);
        }
    }
}

/// What a walk does with a page that has both `data` and `errors`.
#[derive(Debug, Clone, Default)]
pub enum PartialPolicy {
    /// End the walk with [`ClientError::Partial`](super::ClientError::Partial).
    #[default]
    Fail,
    /// Hand the page on (its nodes that are null are left out; the errors
    /// are in [`Page::errors`](super::Page::errors)), append the errors to
    /// the log, and go on.
    Collect(ErrorLog),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_cap() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(10));
            assert!(policy.backoff(2) <= Duration::from_millis(20));
            assert!(policy.backoff(3) <= Duration::from_millis(40));
            assert!(policy.backoff(9) <= Duration::from_millis(50));
            assert!(policy.backoff(u32::MAX) <= Duration::from_millis(50));
        }
        // Jitter: not always the cap.
        let waits: std::collections::HashSet<Duration> =
            (0..50).map(|_| policy.backoff(3)).collect();
        assert!(waits.len() > 10);
    }
}
