//! The connection task: connect, reconnect with backoff and jitter, and restart after a panic.
//!
//! HTTP 401/403 on the upgrade of the first connection (bad token, or a plan without WebSocket
//! access) is reported once and not retried: a retry storm would not fix it. After the token has
//! worked once, 401/403 is a gateway hiccup or a token rotation: it is reported as `not_entitled`
//! on every attempt and retried with the capped backoff. An explicit reconnect, or a new key,
//! retries at once.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rand::SeedableRng as _;
use rand::rngs::{SmallRng, SysRng};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::common::consts::MAX_FRAME_BYTES;
use crate::common::credential::redact_url;
use crate::common::time::now_nanos;
use crate::data::status::state;
use crate::websocket::queue::LogLevel;
use crate::websocket::session::{SessionEnd, session};
use crate::websocket::shared::{Command, Shared};

pub(super) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a connection attempt failed.
enum ConnectError {
    Unauthorized(u16),
    Failed(String),
}

async fn connect(shared: &Shared) -> Result<Socket, ConnectError> {
    let config = &shared.config;
    // Frames beyond the parser's limit still arrive whole, so the parser reports them (counted)
    // instead of the socket failing and reconnecting in a loop on one bad frame.
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES * 4))
        .max_frame_size(Some(MAX_FRAME_BYTES * 4));
    let attempt = tokio_tungstenite::connect_async_with_config(
        config.url_with_token(&shared.credential()),
        Some(ws_config),
        true,
    );
    match tokio::time::timeout(config.connect_timeout, attempt).await {
        Err(_) => Err(ConnectError::Failed(format!(
            "no connection within {:.1}s",
            config.connect_timeout.as_secs_f64()
        ))),
        Ok(Err(tungstenite::Error::Http(response)))
            if matches!(response.status().as_u16(), 401 | 403) =>
        {
            Err(ConnectError::Unauthorized(response.status().as_u16()))
        }
        Ok(Err(e)) => Err(ConnectError::Failed(shared.scrub(&e.to_string()))),
        Ok(Ok((socket, _))) => Ok(socket),
    }
}

/// What ends a wait while the client is offline.
enum Wake {
    Shutdown,
    Reconnect(String),
}

/// Waits for a shutdown or reconnect request; joins and leaves need no action while offline
/// (the table holds the wanted channels, joined at the next connect).
async fn until_woken(commands: &mut mpsc::UnboundedReceiver<Command>) -> Wake {
    loop {
        match commands.recv().await {
            None | Some(Command::Shutdown) => return Wake::Shutdown,
            Some(Command::Reconnect(reason)) => return Wake::Reconnect(reason),
            Some(_) => {}
        }
    }
}

/// Waits `delay`, or less when woken. Returns `false` on shutdown.
async fn back_off(
    shared: &Shared,
    delay: Duration,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        go_on = park(shared, commands) => go_on,
    }
}

/// Waits, offline, for a reconnect request (true) or a shutdown (false).
async fn park(shared: &Shared, commands: &mut mpsc::UnboundedReceiver<Command>) -> bool {
    match until_woken(commands).await {
        Wake::Shutdown => false,
        Wake::Reconnect(reason) => {
            shared.log(LogLevel::Info, format!("Reconnecting now: {reason}"));
            true
        }
    }
}

/// The generator of reconnect jitter: no secrecy needed, only independence between clients
/// started together, so a small generator seeded once from the OS (or the clock if that fails).
fn jitter_rng() -> SmallRng {
    SmallRng::try_from_rng(&mut SysRng).unwrap_or_else(|_| SmallRng::seed_from_u64(now_nanos()))
}

/// Runs the connection task; a panic in it (a broken invariant) is reported and the task starts
/// again after the first reconnect delay, so the feed never dies silently.
pub(super) async fn supervise(
    shared: &Arc<Shared>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    use futures_util::FutureExt as _;
    loop {
        let outcome = std::panic::AssertUnwindSafe(run(shared, &mut commands))
            .catch_unwind()
            .await;
        let Err(panic) = outcome else { return };
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let end = what.char_indices().nth(200).map_or(what.len(), |(i, _)| i);
        let detail = format!(
            "internal error in the UW client: {}; restarting",
            &what[..end]
        );
        shared.stats.connected.store(false, Ordering::Relaxed);
        shared.report(LogLevel::Error, state::RECONNECTING, None, detail, None);
        if !back_off(shared, shared.config.reconnect_initial, &mut commands).await {
            return;
        }
    }
}

async fn run(shared: &Arc<Shared>, commands: &mut mpsc::UnboundedReceiver<Command>) {
    let config = &shared.config;
    let display_url = redact_url(&config.url_with_token(&shared.credential()));
    let mut failures: u32 = 0;
    let mut rng = jitter_rng();
    loop {
        let connected = tokio::select! {
            r = connect(shared) => r,
            wake = until_woken(commands) => match wake {
                Wake::Shutdown => break,
                Wake::Reconnect(_) => continue,
            },
        };
        let reason = match connected {
            Ok(socket) => {
                failures = 0;
                let reconnect = shared.stats.connects.fetch_add(1, Ordering::Relaxed) > 0;
                if reconnect {
                    shared.stats.reconnects.fetch_add(1, Ordering::Relaxed);
                }
                shared.stats.connected.store(true, Ordering::Relaxed);
                match session(shared, socket, commands, reconnect, &display_url).await {
                    SessionEnd::Shutdown => break,
                    SessionEnd::Lost(reason) => {
                        shared.stats.connected.store(false, Ordering::Relaxed);
                        reason
                    }
                }
            }
            Err(ConnectError::Unauthorized(status))
                if shared.stats.connects.load(Ordering::Relaxed) == 0 =>
            {
                let detail = format!(
                    "UW refused the token with HTTP {status} on {display_url}: the token is invalid or \
                     the plan has no WebSocket access (Advanced plan); not retrying until a reconnect \
                     or a new key"
                );
                shared.report(LogLevel::Error, state::NOT_ENTITLED, None, detail, None);
                if !park(shared, commands).await {
                    break;
                }
                failures = 0;
                continue;
            }
            Err(ConnectError::Unauthorized(status)) => {
                // The token worked before: a gateway hiccup or a rotation, so keep trying.
                failures += 1;
                let delay = config.backoff().delay(failures);
                let detail = format!(
                    "UW refused the token with HTTP {status} on {display_url} after it had been \
                     accepted; retrying in {:.2}s (attempt {failures})",
                    delay.as_secs_f64()
                );
                shared.report(
                    LogLevel::Error,
                    state::NOT_ENTITLED,
                    None,
                    detail,
                    Some(i64::from(failures)),
                );
                if !back_off(shared, delay, commands).await {
                    break;
                }
                continue;
            }
            Err(ConnectError::Failed(reason)) => reason,
        };
        failures += 1;
        if let Some(max) = config.max_reconnect_attempts.filter(|&max| failures > max) {
            let detail = format!(
                "giving up after {failures} failed or lost connections in a row \
                 (max_reconnect_attempts={max}): {reason}"
            );
            shared.report(LogLevel::Error, state::DISCONNECTED, None, detail, None);
            if !park(shared, commands).await {
                return;
            }
            failures = 0;
            continue;
        }
        let delay = config
            .backoff()
            .jittered(failures, config.reconnect_jitter, &mut rng);
        let detail = format!(
            "{reason}; reconnecting in {:.2}s (attempt {failures})",
            delay.as_secs_f64()
        );
        shared.log(
            LogLevel::Warning,
            format!("WebSocket {display_url}: {detail}"),
        );
        shared.status(
            state::RECONNECTING,
            None,
            Some(detail),
            Some(i64::from(failures)),
        );
        if !back_off(shared, delay, commands).await {
            break;
        }
    }
    shared.status(
        state::DISCONNECTED,
        None,
        Some("client stopped".to_owned()),
        None,
    );
}
