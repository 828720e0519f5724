//! The HTTP side: one GraphQL POST, retried under the [`RetryPolicy`],
//! through the shared [`RateLimiter`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::time::Instant;

use super::config::RetryPolicy;
use super::error::ClientError;
use super::rate_limit::RateLimiter;
use super::walker::Walk;

/// A retry about to happen, as handed to [`ClientBuilder::on_retry`].
#[derive(Debug, Clone)]
pub struct RetryEvent {
    /// 1 for the first retry of a request.
    pub retry: u32,
    /// How long the request waits before it is sent again.
    pub wait: Duration,
    /// What failed (`HTTP 503`, `timeout`, ...).
    pub reason: String,
}

type RetryHook = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// A GraphQL endpoint with its headers, retry policy and rate limiter.
/// Cheap to clone; clones share the connection pool and the limiter.
///
/// ```no_run
/// # async fn run() -> Result<(), keypage_runtime::client::ClientError> {
/// use futures_util::TryStreamExt as _;
/// use keypage_runtime::client::Client;
///
/// #[derive(serde::Deserialize)]
/// struct Article { id: i64, title: String }
///
/// let client = Client::builder("http://127.0.0.1:8000/graphql")
///     .bearer_auth("my-token")
///     .build()?;
/// let query = "query($first: Int, $after: String) {
///     articles(first: $first, after: $after) {
///         nodes { id title } pageInfo { hasNextPage endCursor } } }";
/// let articles: Vec<Article> = client.walk(query).page_size(100).nodes().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
    retry: RetryPolicy,
    limiter: RateLimiter,
    on_retry: Option<RetryHook>,
    rate_limit_reserve: Option<u64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers may hold tokens: not shown.
        f.debug_struct("Client")
            .field("url", &self.inner.url)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    url: String,
    headers: Vec<(String, String)>,
    retry: RetryPolicy,
    limiter: RateLimiter,
    on_retry: Option<RetryHook>,
    rate_limit_reserve: Option<u64>,
}

impl Client {
    /// A client of `url` with the default [`RetryPolicy`] and its own limiter.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn new(url: impl Into<String>) -> Result<Client, ClientError> {
        Client::builder(url).build()
    }

    /// Starts configuring a client of the GraphQL endpoint `url`.
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            url: url.into(),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
            limiter: RateLimiter::new(),
            on_retry: None,
            rate_limit_reserve: None,
        }
    }

    /// A walk of the connection `query` selects; see [`Walk`].
    pub fn walk(&self, query: impl Into<String>) -> Walk {
        Walk::new(self.clone(), query.into())
    }

    /// The limiter this client's requests go through.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// POSTs `body` (a GraphQL request), retrying as the policy allows, and
    /// returns the response's JSON and the retries it took. `page` is for
    /// error messages.
    pub(crate) async fn post(&self, body: Vec<u8>, page: u64) -> Result<(Value, u32), ClientError> {
        let started = Instant::now();
        let policy = &self.inner.retry;
        let mut retries = 0;
        loop {
            self.inner.limiter.acquire().await;
            let failure = match self.attempt(body.clone(), page).await {
                Ok(json) => {
                    self.watch_budget(&json);
                    return Ok((json, retries));
                }
                Err(Attempt::Fatal(error)) => return Err(error),
                Err(Attempt::Retry(failure)) => failure,
            };
            retries += 1;
            let wait = failure.after.unwrap_or_else(|| policy.backoff(retries));
            let exhausted = |why: String| ClientError::RetriesExhausted {
                attempts: retries,
                elapsed: started.elapsed(),
                last: format!("{}; {why}", failure.reason),
            };
            if retries > policy.max_retries {
                return Err(exhausted(format!("max_retries is {}", policy.max_retries)));
            }
            if failure.after.is_some() && wait > policy.max_delay {
                return Err(exhausted(format!(
                    "the server asked to wait {wait:?}, more than max_delay {:?}",
                    policy.max_delay
                )));
            }
            if started.elapsed() + wait > policy.max_elapsed {
                return Err(exhausted(format!(
                    "waiting {wait:?} more would pass max_elapsed {:?}",
                    policy.max_elapsed
                )));
            }
            if let Some(hook) = &self.inner.on_retry {
                hook(&RetryEvent {
                    retry: retries,
                    wait,
                    reason: failure.reason.clone(),
                });
            }
            if failure.after.is_some() {
                // The server's wait holds every walk sharing the limiter.
                self.inner.limiter.pause_until(Instant::now() + wait);
            } else {
                tokio::time::sleep(wait).await;
            }
        }
    }

    /// One request.
    async fn attempt(&self, body: Vec<u8>, page: u64) -> Result<Value, Attempt> {
        let inner = &self.inner;
        let response = inner
            .http
            .post(&inner.url)
            .headers(inner.headers.clone())
            .timeout(inner.retry.request_timeout)
            .body(body)
            .send()
            .await
            .map_err(|e| Attempt::retry(transport_reason(&e), None))?;
        let status = response.status();
        let headers = response.headers().clone();
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            return Err(Attempt::retry(
                format!("HTTP {status}"),
                retry_after(&headers),
            ));
        }
        if status.is_server_error() {
            return Err(Attempt::retry(format!("HTTP {status}"), None));
        }
        if status == StatusCode::FORBIDDEN
            && let Some(wait) = github_reset(&headers)
        {
            return Err(Attempt::retry(
                "HTTP 403 with x-ratelimit-remaining: 0".to_owned(),
                Some(wait),
            ));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Attempt::retry(transport_reason(&e), None))?;
        let json = serde_json::from_slice::<Value>(&bytes);
        if status.is_success() {
            return json.map_err(|e| {
                Attempt::Fatal(ClientError::InvalidResponse {
                    page,
                    reason: format!("not JSON ({e})"),
                })
            });
        }
        match json {
            // GraphQL over HTTP answers some errors with a 4xx and a GraphQL body.
            Ok(json) if json.get("errors").is_some() => Ok(json),
            _ => Err(Attempt::Fatal(ClientError::Http {
                status: status.as_u16(),
                url: inner.url.clone(),
                body: String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned(),
            })),
        }
    }

    /// With [`ClientBuilder::rate_limit_reserve`]: when the response's
    /// `data.rateLimit.remaining` is at most the reserve, every walk waits
    /// until `resetAt`.
    fn watch_budget(&self, json: &Value) {
        let Some(reserve) = self.inner.rate_limit_reserve else {
            return;
        };
        let budget = &json["data"]["rateLimit"];
        let (Some(remaining), Some(reset)) =
            (budget["remaining"].as_u64(), budget["resetAt"].as_str())
        else {
            return;
        };
        if remaining > reserve {
            return;
        }
        if let Ok(reset) = chrono::DateTime::parse_from_rfc3339(reset) {
            let reset = SystemTime::UNIX_EPOCH
                + Duration::from_millis(u64::try_from(reset.timestamp_millis()).unwrap_or(0));
            let wait = reset
                .duration_since(SystemTime::now())
                .unwrap_or_default()
                .min(self.inner.retry.max_delay);
            self.inner.limiter.pause_until(Instant::now() + wait);
        }
    }
}

/// How one request failed.
enum Attempt {
    Retry(Retry),
    Fatal(ClientError),
}

struct Retry {
    reason: String,
    /// The wait the server asked for, if it did.
    after: Option<Duration>,
}

impl Attempt {
    fn retry(reason: String, after: Option<Duration>) -> Attempt {
        Attempt::Retry(Retry { reason, after })
    }
}

/// A reqwest error with its causes (reqwest's own text says only "error
/// sending request").
fn transport_reason(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "connection error"
    };
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or_default())
}

/// GitHub's REST-style limit on a 403: `x-ratelimit-remaining: 0` and
/// `x-ratelimit-reset: <unix seconds>`.
fn github_reset(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if header("x-ratelimit-remaining")? != 0 {
        return None;
    }
    let reset = SystemTime::UNIX_EPOCH + Duration::from_secs(header("x-ratelimit-reset")?);
    Some(reset.duration_since(SystemTime::now()).unwrap_or_default())
}

impl ClientBuilder {
    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer_auth(self, token: impl fmt::Display) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// Sends the header `name: value` with every request (an API key:
    /// `.header("X-Shopify-Access-Token", key)`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The retry bounds and backoff.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Shares `limiter` (pass a clone of another client's) so several
    /// clients' walks wait together.
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = limiter;
        self
    }

    /// Calls `hook` before each retry (for logging or a progress display).
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Reads GitHub's `rateLimit { remaining resetAt }` when the query
    /// selects it at the top of `data`: once `remaining` is at most
    /// `reserve`, every walk of the limiter waits until `resetAt` (at most
    /// [`RetryPolicy::max_delay`]) instead of running into the limit.
    pub fn rate_limit_reserve(mut self, reserve: u64) -> Self {
        self.rate_limit_reserve = Some(reserve);
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`ClientError::Config`] for a URL that is not `http(s)://`, an
    /// invalid header, or a TLS setup failure.
    pub fn build(self) -> Result<Client, ClientError> {
        let url = reqwest::Url::parse(&self.url).map_err(|e| ClientError::Config {
            setting: "url",
            reason: format!("{:?} is not a URL: {e}", self.url),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ClientError::Config {
                setting: "url",
                reason: format!("{:?} is not http:// or https://", self.url),
            });
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/graphql-response+json, application/json"),
        );
        for (name, value) in &self.headers {
            let bad = |reason: String| ClientError::Config {
                setting: "header",
                reason,
            };
            let name = HeaderName::try_from(name.as_str())
                .map_err(|e| bad(format!("{name:?} is not a header name: {e}")))?;
            let mut value = HeaderValue::try_from(value.as_str())
                .map_err(|e| bad(format!("the value of {name} is not a header value: {e}")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("keypage/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Config {
                setting: "http client",
                reason: e.to_string(),
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                url: url.to_string(),
                headers,
                retry: self.retry,
                limiter: self.limiter,
                on_retry: self.on_retry,
                rate_limit_reserve: self.rate_limit_reserve,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7".into())])),
            Some(Duration::from_secs(7))
        );
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = retry_after(&headers(&[("retry-after", date)])).unwrap();
        assert!(
            wait > Duration::from_secs(28) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        assert_eq!(
            retry_after(&headers(&[("retry-after", past)])),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "soon".into())])),
            None
        );
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn github_reset_only_when_the_budget_is_spent() {
        let reset = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 60;
        let spent = headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", reset.to_string()),
        ]);
        let wait = github_reset(&spent).unwrap();
        assert!(
            wait > Duration::from_secs(58) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        let left = headers(&[
            ("x-ratelimit-remaining", "3".into()),
            ("x-ratelimit-reset", reset.to_string()),
        ]);
        assert_eq!(github_reset(&left), None);
    }

    #[test]
    fn bad_settings_are_refused_by_name() {
        let error = Client::new("ftp://example.com").unwrap_err().to_string();
        assert!(
            error.contains("`url`") && error.contains("ftp://"),
            "{error}"
        );
        let error = Client::builder("http://127.0.0.1:1/")
            .header("bad name", "x")
            .build()
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("\"bad name\" is not a header name"),
            "{error}"
        );
    }
}
