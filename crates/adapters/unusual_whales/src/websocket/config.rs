//! Settings of the live client, with UW's documented timings as defaults.

use std::path::PathBuf;
use std::time::Duration;

use crate::common::backoff::ExponentialBackoff;
use crate::common::consts::UW_WS_URL;
use crate::common::credential::UwCredential;
use crate::common::settings::defaults as d;
use crate::common::symbol::InstrumentIdFormat;
use crate::http::client::UwHttpClient;

/// Settings of the live client. [`UwWsConfig::new`] gives UW's documented behaviour.
#[derive(Debug, Clone)]
pub struct UwWsConfig {
    /// WebSocket URL without the token (`wss://api.unusualwhales.com/socket`).
    pub url: String,
    /// The API token; it is appended as `?token=` and never shown.
    pub credential: UwCredential,
    /// How instrument ids are written (venue, OCC root form).
    pub ids: InstrumentIdFormat,
    /// Silence after which a ping is sent (UW's clients: 30 s).
    pub heartbeat_after: Duration,
    /// How long to wait for the pong (UW's clients: 10 s).
    pub pong_timeout: Duration,
    /// Limit for the TCP + TLS + upgrade handshake.
    pub connect_timeout: Duration,
    /// First reconnect delay; doubled per failed attempt.
    pub reconnect_initial: Duration,
    /// Largest reconnect delay.
    pub reconnect_max: Duration,
    /// Random extra delay as a fraction of the delay (0.1 = up to +10 %), so many clients do not
    /// reconnect in lockstep.
    pub reconnect_jitter: f64,
    /// Reconnect attempts in a row, after a connection failed or was lost, before giving up
    /// (`None` = never give up; 0 = one connection, never reconnect).
    pub max_reconnect_attempts: Option<u32>,
    /// A join without acknowledgement is sent again after this long, 3 sends in all.
    pub join_timeout: Duration,
    /// If data keeps arriving this long after a leave, UW ignored it: reconnect with the remaining
    /// joins, the only documented way to unsubscribe.
    pub leave_grace: Duration,
    /// A busy channel silent for this long is reported stale (`None` = never).
    pub stale_after: Option<Duration>,
    /// Report staleness only during the US regular session (silence outside it is normal).
    pub stale_only_in_session: bool,
    /// Records the queue toward the consumer holds before dropping (and counting) new ones.
    pub queue_capacity: usize,
    /// After a reconnect, fetch the flow alerts the gap missed from this REST client and publish
    /// the ones not already seen (UW's WebSocket has no replay,
    /// docs/uw-api.md#dropped-messages-and-no-replay).
    pub backfill: Option<UwHttpClient>,
    /// Append every received frame with its arrival time to this JSONL file
    /// (`{"received_at": ..., "frame": ...}`, the format `uw-nt replay` and the simulator read).
    pub record_path: Option<PathBuf>,
}

impl UwWsConfig {
    /// UW's production URL and documented timings for `credential`.
    #[must_use]
    pub fn new(credential: UwCredential) -> Self {
        Self {
            url: UW_WS_URL.to_owned(),
            credential,
            ids: InstrumentIdFormat::default(),
            heartbeat_after: Duration::from_secs_f64(d::HEARTBEAT_SECS),
            pong_timeout: Duration::from_secs_f64(d::PONG_TIMEOUT_SECS),
            connect_timeout: Duration::from_secs_f64(d::CONNECT_TIMEOUT_SECS),
            reconnect_initial: Duration::from_secs_f64(d::RECONNECT_INITIAL_SECS),
            reconnect_max: Duration::from_secs_f64(d::RECONNECT_MAX_SECS),
            reconnect_jitter: d::RECONNECT_JITTER,
            max_reconnect_attempts: None,
            join_timeout: Duration::from_secs_f64(d::JOIN_TIMEOUT_SECS),
            leave_grace: Duration::from_secs_f64(d::LEAVE_GRACE_SECS),
            stale_after: Some(Duration::from_secs_f64(d::STALE_AFTER_SECS)),
            stale_only_in_session: d::STALE_ONLY_IN_SESSION,
            queue_capacity: d::QUEUE_CAPACITY,
            backfill: None,
            record_path: None,
        }
    }

    /// The URL with the token, as the upgrade request sends it (anything shown redacts it).
    pub(crate) fn url_with_token(&self, credential: &UwCredential) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", credential.expose())
            .finish();
        format!("{}{sep}{query}", self.url)
    }

    /// The reconnect schedule: `reconnect_initial` doubled per failed attempt up to `reconnect_max`.
    #[must_use]
    pub const fn backoff(&self) -> ExponentialBackoff {
        ExponentialBackoff::new(self.reconnect_initial, self.reconnect_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::credential::redact_url;

    fn config() -> UwWsConfig {
        UwWsConfig::new(UwCredential::new("t/k+n").unwrap())
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = config();
        let secs: Vec<u64> = (1..=8).map(|a| c.backoff().delay(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(c.backoff().delay(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn the_token_is_encoded_in_the_url_and_redacted_for_display() {
        let c = config();
        assert_eq!(
            c.url_with_token(&c.credential),
            "wss://api.unusualwhales.com/socket?token=t%2Fk%2Bn"
        );
        assert_eq!(
            redact_url(&c.url_with_token(&c.credential)),
            "wss://api.unusualwhales.com/socket?token=***"
        );
        assert!(!format!("{c:?}").contains("t/k+n"));
    }
}
