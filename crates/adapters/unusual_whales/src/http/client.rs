//! The UW REST client: bearer auth, the shared rate limiter, retries, and typed decoding.
//!
//! Policy (docs/uw-api.md#when-a-limit-is-exceeded, docs/uw-api.md#error-responses): 5xx,
//! timeouts and transport errors are retried with exponential backoff up to `max_retries`, then
//! reported; a per-minute 429 waits for UW's
//! `x-uw-req-per-minute-reset` (milliseconds), else for a standard `Retry-After` (seconds, at most
//! a minute), else a minute, and tries again without using a retry; a daily-quota
//! 429 (its body mentions "daily") stops every request until the 20:00 New York reset; 401/403
//! (bad token, `historic_data_access_missing`, `advanced_tier_required`, ...) are never retried.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Url;

use crate::common::backoff::ExponentialBackoff;
use crate::common::consts::UW_HTTP_BASE_URL;
use crate::common::credential::UwCredential;
use crate::common::error::UwParseError;
use crate::common::settings::defaults as d;
use crate::common::symbol::InstrumentIdFormat;
use crate::common::time::now_nanos;
use crate::data::ApiResponse;
use crate::data::UwPayload;
use crate::http::operations::{OperationRequest, ResponseKind, answer_of, base64, parse_answer};
use crate::http::parse::{RestPage, error_text, parse_rest_page, parse_rest_response};
use crate::http::ratelimit::{
    BudgetSnapshot, DailyQuotaExhausted, RateHeaders, RateLimitConfig, RateLimiter,
};
use crate::http::request::UwRequest;

/// A request the client can send: a typed endpoint's ([`UwRequest`]) or any documented
/// operation's ([`OperationRequest`]). `Display` is the path and query as sent, for messages.
pub trait RestRequest: fmt::Display + Sync {
    /// The URL under `base_url`.
    ///
    /// # Errors
    /// A base URL that cannot take the path, or a path value left unset.
    fn url(&self, base_url: &str) -> Result<Url, String>;
}

impl RestRequest for UwRequest {
    fn url(&self, base_url: &str) -> Result<Url, String> {
        Self::url(self, base_url)
    }
}

impl RestRequest for OperationRequest {
    fn url(&self, base_url: &str) -> Result<Url, String> {
        Self::url(self, base_url)
    }
}

/// UW's usage-attribution header value for third-party clients
/// (docs/uw-api.md#client-attribution-header).
const CLIENT_API_ID: &str = "100001";

/// Settings of the REST client.
#[derive(Debug, Clone)]
pub struct UwHttpConfig {
    /// Base URL (`https://api.unusualwhales.com`); paths start with `/api/`.
    pub base_url: String,
    /// The token, sent as `Authorization: Bearer`.
    pub credential: UwCredential,
    /// How instrument ids are written (venue, OCC root form).
    pub ids: InstrumentIdFormat,
    /// Limit of one request (UW's own clients: 30 s).
    pub timeout: Duration,
    /// Retries of 5xx, timeouts and transport errors.
    pub max_retries: u32,
    /// First retry delay; doubled per retry.
    pub retry_initial: Duration,
    /// Largest retry delay.
    pub retry_max: Duration,
    /// Per-minute 429s waited out for one request before giving up.
    pub max_rate_limit_waits: u32,
    /// The plan's budget.
    pub limits: RateLimitConfig,
}

impl UwHttpConfig {
    /// UW's production URL and documented limits for `credential`.
    #[must_use]
    pub fn new(credential: UwCredential) -> Self {
        Self {
            base_url: UW_HTTP_BASE_URL.to_owned(),
            credential,
            ids: InstrumentIdFormat::default(),
            timeout: Duration::from_secs_f64(d::TIMEOUT_SECS),
            max_retries: d::MAX_RETRIES,
            retry_initial: Duration::from_secs_f64(d::RETRY_INITIAL_SECS),
            retry_max: Duration::from_secs_f64(d::RETRY_MAX_SECS),
            max_rate_limit_waits: d::MAX_RATE_LIMIT_WAITS,
            limits: RateLimitConfig::default(),
        }
    }
}

/// Why a request failed, after the retries the policy allows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UwHttpError {
    /// 401/403: the token is invalid, or the plan does not include this data or depth.
    #[error("UW refused {path} with HTTP {status}: {message} (not retried)")]
    Unauthorized {
        /// Request path (no token in it: REST auth is a header).
        path: String,
        /// 401 or 403.
        status: u16,
        /// UW's error code and message.
        message: String,
    },
    /// The daily quota is spent.
    #[error(transparent)]
    DailyQuota(#[from] DailyQuotaExhausted),
    /// Too many per-minute 429s in a row.
    #[error("UW kept answering 429 for {path} after {waits} waits for the per-minute reset")]
    RateLimited {
        /// Request path.
        path: String,
        /// Waits done.
        waits: u32,
    },
    /// 5xx after every retry.
    #[error("UW answered {path} with HTTP {status} after {attempts} attempts: {message}")]
    Server {
        /// Request path.
        path: String,
        /// Last status.
        status: u16,
        /// Last body (shortened).
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Timeouts or connection failures after every retry.
    #[error("{path}: {message} after {attempts} attempts")]
    Transport {
        /// Request path.
        path: String,
        /// What went wrong.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Another 4xx (404 unknown route, 422 invalid input, 400 ...): the request is wrong.
    #[error("UW rejected {path} with HTTP {status}: {message}")]
    Rejected {
        /// Request path.
        path: String,
        /// Status.
        status: u16,
        /// UW's message.
        message: String,
    },
    /// The request cannot be sent as given (a path value missing, an unusable base URL).
    #[error("cannot request {path}: {message}")]
    Invalid {
        /// Request path.
        path: String,
        /// What is missing or wrong.
        message: String,
    },
    /// The client was closed (its node stopped) before the request was answered.
    #[error("{path}: not answered, the client was closed")]
    Closed {
        /// Request path, or the history request's type.
        path: String,
    },
    /// The body could not be decoded.
    #[error("{path}: {source}")]
    Parse {
        /// Request path.
        path: String,
        /// The parse error.
        source: UwParseError,
    },
}

impl UwHttpError {
    /// A short machine-readable kind.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "unauthorized",
            Self::DailyQuota(_) => "daily_quota",
            Self::RateLimited { .. } => "rate_limited",
            Self::Server { .. } => "server",
            Self::Transport { .. } => "transport",
            Self::Rejected { .. } => "rejected",
            Self::Invalid { .. } => "invalid",
            Self::Closed { .. } => "closed",
            Self::Parse { .. } => "parse",
        }
    }
}

/// Counters of one client.
#[derive(Debug, Default)]
pub struct HttpStats {
    /// Requests sent (attempts included).
    pub requests: AtomicU64,
    /// 2xx responses.
    pub ok: AtomicU64,
    /// Retries after 5xx/timeouts/transport errors.
    pub retries: AtomicU64,
    /// Per-minute 429s waited out.
    pub rate_limited: AtomicU64,
    /// Requests that failed in the end.
    pub failures: AtomicU64,
}

/// The REST client. Cheap to clone; clones share the connection pool, limiter and stats.
#[derive(Clone)]
pub struct UwHttpClient {
    http: reqwest::Client,
    config: Arc<UwHttpConfig>,
    limiter: Arc<RateLimiter>,
    stats: Arc<HttpStats>,
}

impl std::fmt::Debug for UwHttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UwHttpClient")
            .field("base_url", &self.config.base_url)
            .field("credential", &self.config.credential)
            .finish_non_exhaustive()
    }
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.len() <= 300 {
        return text.to_owned();
    }
    let mut end = 300;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// UW's message from an error body of any of its shapes, else the body itself.
///
/// The body may echo the request's `Authorization` header (proxies do); it is scrubbed before
/// anything is cut from it, so that no cut leaves part of the token behind.
/// How much of a 2xx response a request wants.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// The body, read whole.
    Whole,
    /// The response unread, to stream its body.
    Stream,
}

impl Want {
    /// UW answers a narrow `Accept` on the full tape (`application/zip`) with 406
    /// (docs/uw-api.md#rest-full-tape).
    const fn accept(self) -> &'static str {
        match self {
            Self::Whole => "application/json, text/plain",
            Self::Stream => "*/*",
        }
    }
}

enum Answer {
    Bytes(Vec<u8>),
    Stream(reqwest::Response),
}

fn error_message(credential: &UwCredential, body: &str) -> String {
    let body = credential.scrub(body);
    error_text(&body).map_or_else(|| shorten(&body), |message| shorten(&message))
}

impl UwHttpClient {
    /// A client for `config`; its budget is shared with every client using the same token.
    ///
    /// # Errors
    /// When the TLS backend cannot be initialised.
    pub fn new(config: UwHttpConfig) -> Result<Self, String> {
        // The timeout bounds a whole answer, set per request; a streamed full tape (minutes for
        // gigabytes) is bounded by its silences instead: no read may wait longer.
        let http = reqwest::Client::builder()
            .read_timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("unusual-whales-nt/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| config.credential.scrub(&e.to_string()))?;
        let limiter = RateLimiter::shared_for_token(config.credential.expose(), config.limits);
        Ok(Self {
            http,
            config: Arc::new(config),
            limiter,
            stats: Arc::new(HttpStats::default()),
        })
    }

    /// The same client (connection pool, settings, counters) sending `credential` from now on,
    /// on that token's shared budget: what a key rotation needs.
    #[must_use]
    pub fn with_credential(&self, credential: UwCredential) -> Self {
        let limiter = RateLimiter::shared_for_token(credential.expose(), self.config.limits);
        let mut config = (*self.config).clone();
        config.credential = credential;
        Self {
            http: self.http.clone(),
            config: Arc::new(config),
            limiter,
            stats: Arc::clone(&self.stats),
        }
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &UwHttpConfig {
        &self.config
    }

    /// The shared budget now.
    #[must_use]
    pub fn budget(&self) -> BudgetSnapshot {
        self.limiter.snapshot()
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> &HttpStats {
        &self.stats
    }

    fn backoff(&self, retry: u32) -> Duration {
        ExponentialBackoff::new(self.config.retry_initial, self.config.retry_max).delay(retry)
    }

    /// GETs `request` and returns the body of the 2xx response.
    ///
    /// # Errors
    /// See [`UwHttpError`]; the policy is in the module docs.
    pub async fn get_body<R: RestRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<String, UwHttpError> {
        let bytes = self.get_bytes(request).await?;
        Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// GETs `request` and returns the bytes of the 2xx response (the full tape is a ZIP file).
    ///
    /// # Errors
    /// See [`UwHttpError`]; the policy is in the module docs.
    pub async fn get_bytes<R: RestRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<Vec<u8>, UwHttpError> {
        let result = self.get_body_inner(request).await;
        if result.is_err() {
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    /// GETs `request` and returns the 2xx response with its body unread, for a body too large to
    /// hold (the full tape). Rate limiting, retries and errors are those of
    /// [`UwHttpClient::get_body`] up to the response head.
    ///
    /// # Errors
    /// See [`UwHttpError`].
    pub async fn get_stream(&self, request: &UwRequest) -> Result<reqwest::Response, UwHttpError> {
        match self.fetch(request, Want::Stream).await {
            Ok(Answer::Stream(response)) => Ok(response),
            Ok(Answer::Bytes(_)) => Err(UwHttpError::Invalid {
                path: self.config.credential.scrub(&request.to_string()),
                message: "the response was read whole".to_owned(),
            }),
            Err(e) => {
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    async fn get_body_inner<R: RestRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<Vec<u8>, UwHttpError> {
        match self.fetch(request, Want::Whole).await? {
            Answer::Bytes(body) => Ok(body),
            Answer::Stream(_) => Err(UwHttpError::Invalid {
                path: self.config.credential.scrub(&request.to_string()),
                message: "the response was not read".to_owned(),
            }),
        }
    }

    async fn fetch<R: RestRequest + ?Sized>(
        &self,
        request: &R,
        want: Want,
    ) -> Result<Answer, UwHttpError> {
        let credential = &self.config.credential;
        let scrub = |s: &str| credential.scrub(s);
        // Every text of an error reaches a user (Python exceptions, the node's log, `doctor`).
        let shown = scrub(&request.to_string());
        let path = shown.as_str();
        let url = RestRequest::url(request, &self.config.base_url).map_err(|message| {
            UwHttpError::Invalid {
                path: path.to_owned(),
                message: scrub(&message),
            }
        })?;
        let mut retries = 0;
        let mut waits = 0;
        loop {
            let permit = self.limiter.acquire().await?;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let mut builder = self
                .http
                .get(url.clone())
                .bearer_auth(self.config.credential.expose())
                .header("UW-CLIENT-API-ID", CLIENT_API_ID)
                .header("Accept", want.accept());
            if want == Want::Whole {
                builder = builder.timeout(self.config.timeout);
            }
            let sent = builder.send().await;
            let failure = match sent {
                Err(e) => {
                    drop(permit);
                    // UW counts only the answers it gave (2xx) against the daily quota.
                    self.limiter.refund_daily();
                    let what = if e.is_timeout() {
                        format!("timed out after {:.1}s", self.config.timeout.as_secs_f64())
                    } else {
                        // reqwest's message quotes the URL; REST URLs carry no token, but scrub anyway.
                        scrub(&format!("request failed: {e}"))
                    };
                    Err(what)
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = RateHeaders::from_lookup(|name| {
                        response.headers().get(name).and_then(|v| v.to_str().ok())
                    });
                    if !(200..=299).contains(&status) {
                        self.limiter.refund_daily();
                    }
                    self.limiter.observe(&headers);
                    if want == Want::Stream && (200..=299).contains(&status) {
                        drop(permit);
                        self.stats.ok.fetch_add(1, Ordering::Relaxed);
                        return Ok(Answer::Stream(response));
                    }
                    // Bounded here too: a streamed request's error body has no total timeout.
                    let read = tokio::time::timeout(self.config.timeout, response.bytes()).await;
                    let bytes = match read.map_err(|_| None).and_then(|r| r.map_err(Some)) {
                        Ok(b) => b,
                        Err(e) => {
                            drop(permit);
                            let message = match e {
                                Some(e) => scrub(&format!("reading the body failed: {e}")),
                                None => format!(
                                    "reading the body timed out after {:.1}s",
                                    self.config.timeout.as_secs_f64()
                                ),
                            };
                            retries += 1;
                            if retries > self.config.max_retries {
                                return Err(UwHttpError::Transport {
                                    path: path.to_owned(),
                                    message,
                                    attempts: retries,
                                });
                            }
                            self.stats.retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(self.backoff(retries)).await;
                            continue;
                        }
                    };
                    drop(permit);
                    if (200..=299).contains(&status) {
                        self.stats.ok.fetch_add(1, Ordering::Relaxed);
                        return Ok(Answer::Bytes(bytes.to_vec()));
                    }
                    let body = String::from_utf8_lossy(&bytes);
                    match status {
                        429 => {
                            if body.to_ascii_lowercase().contains("daily") {
                                return Err(self.limiter.exhaust_daily().into());
                            }
                            waits += 1;
                            if waits > self.config.max_rate_limit_waits {
                                return Err(UwHttpError::RateLimited {
                                    path: path.to_owned(),
                                    waits: waits - 1,
                                });
                            }
                            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                            self.limiter.block_for(headers.rate_limit_wait());
                            continue;
                        }
                        401 | 403 => {
                            return Err(UwHttpError::Unauthorized {
                                path: path.to_owned(),
                                status,
                                message: error_message(credential, &body),
                            });
                        }
                        500..=599 => Ok((status, error_message(credential, &body))),
                        _ => {
                            return Err(UwHttpError::Rejected {
                                path: path.to_owned(),
                                status,
                                message: error_message(credential, &body),
                            });
                        }
                    }
                }
            };
            retries += 1;
            if retries > self.config.max_retries {
                return Err(match failure {
                    Err(message) => UwHttpError::Transport {
                        path: path.to_owned(),
                        message,
                        attempts: retries,
                    },
                    Ok((status, message)) => UwHttpError::Server {
                        path: path.to_owned(),
                        status,
                        message,
                        attempts: retries,
                    },
                });
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(self.backoff(retries)).await;
        }
    }

    /// GETs `request` and decodes the answer into records stamped with the arrival time.
    ///
    /// # Errors
    /// As [`UwHttpClient::get_body`], plus [`UwHttpError::Parse`] naming the bad field.
    pub async fn get(&self, request: &UwRequest) -> Result<Vec<UwPayload>, UwHttpError> {
        self.get_parsed(request, false)
            .await
            .map(|page| page.payloads)
    }

    /// As [`UwHttpClient::get`], except that a row that cannot be read is skipped and reported
    /// in [`RestPage::skipped`] (its text scrubbed), so that it does not cost the page its other
    /// rows.
    ///
    /// # Errors
    /// As [`UwHttpClient::get`], and [`UwHttpError::Parse`] for a list none of whose rows can be
    /// read.
    pub async fn get_page(&self, request: &UwRequest) -> Result<RestPage, UwHttpError> {
        self.get_parsed(request, true).await
    }

    async fn get_parsed(
        &self,
        request: &UwRequest,
        skip_bad_rows: bool,
    ) -> Result<RestPage, UwHttpError> {
        // Bytes, not text: the full tape is a ZIP file.
        let body = self.get_bytes(request).await?;
        let ts_init = now_nanos();
        let ids = &self.config.ids;
        let parse = |body: &[u8], ts_init| {
            if skip_bad_rows {
                parse_rest_page(request, body, ts_init, ids)
            } else {
                parse_rest_response(request, body, ts_init, ids).map(|payloads| RestPage {
                    payloads,
                    skipped: Vec::new(),
                })
            }
        };
        let scrub = |s: &str| self.config.credential.scrub(s);
        // A 200 can carry an error body that echoes the request. Error texts are taken from the
        // scrubbed body, so that the parser's cuts come after the scrubbing.
        let scrubbed = || {
            let text = String::from_utf8_lossy(&body);
            parse(scrub(&text).as_bytes(), 0)
        };
        match parse(&body, ts_init) {
            Ok(mut page) => {
                if !page.skipped.is_empty() {
                    let again = scrubbed().map(|p| p.skipped).unwrap_or_default();
                    page.skipped = if again.len() == page.skipped.len() {
                        again
                    } else {
                        // Scrubbing changed which rows fail: keep these, scrubbed.
                        std::mem::take(&mut page.skipped)
                    };
                    page.skipped = std::mem::take(&mut page.skipped)
                        .into_iter()
                        .map(|e| e.map_text(scrub))
                        .collect();
                }
                Ok(page)
            }
            Err(source) => {
                let source = match scrubbed() {
                    Err(e) => e,
                    // Scrubbing removed the fault itself.
                    Ok(_) => source,
                };
                Err(UwHttpError::Parse {
                    path: scrub(&request.to_string()),
                    source: source.map_text(scrub),
                })
            }
        }
    }

    /// GETs one page of any documented operation: UW's JSON answer, whole, stamped with the
    /// arrival time.
    ///
    /// # Errors
    /// As [`UwHttpClient::get_body`], plus [`UwHttpError::Parse`] for a body that is not JSON.
    pub async fn get_operation(
        &self,
        request: &OperationRequest,
        page: Option<i64>,
    ) -> Result<ApiResponse, UwHttpError> {
        let bytes = self.get_bytes(request).await?;
        if request.operation.response == ResponseKind::Zip {
            // A file, not JSON: kept whole as base64, the form a text column holds.
            let body = base64(&bytes);
            return Ok(answer_of(request, body, page, now_nanos()));
        }
        let body = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let scrub = |s: &str| self.config.credential.scrub(s);
        // Error texts quote the body: taken from the scrubbed body, so no cut leaves a token part.
        let scrubbed = scrub(&body);
        parse_answer(request, body, page, now_nanos()).map_err(|source| {
            let source = parse_answer(request, scrubbed, page, 0)
                .err()
                .unwrap_or(source);
            UwHttpError::Parse {
                path: scrub(&request.to_string()),
                source: source.map_text(scrub),
            }
        })
    }
}
