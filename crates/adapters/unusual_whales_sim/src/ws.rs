//! The simulator's WebSocket side: the token check on upgrade, join acks and refusals, leaves,
//! pings, and each connection's send loop with UW's drops for a reader that falls behind.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::{Control, SimState, accept_until_stopped, lock};

pub(crate) async fn serve(
    state: Arc<SimState>,
    listener: TcpListener,
    stop: watch::Receiver<bool>,
) {
    accept_until_stopped(listener, stop, |stream| {
        tokio::spawn(upgrade(Arc::clone(&state), stream));
    })
    .await;
}

fn reject(status: StatusCode, body: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(body.to_owned()));
    *response.status_mut() = status;
    response
}

async fn upgrade(state: Arc<SimState>, stream: TcpStream) {
    let token = state.accepted_token();
    let forced = *lock(&state.reject_status);
    #[allow(clippy::result_large_err)] // the signature tungstenite's handshake callback requires
    let check = move |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if let Some(status) = forced {
            return Err(reject(
                StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "refused by the simulator",
            ));
        }
        if req.uri().path() != "/socket" {
            return Err(reject(StatusCode::NOT_FOUND, "not found"));
        }
        let presented = req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(percent_decode)
        });
        if presented.as_deref() == Some(token.as_str()) {
            Ok(resp)
        } else {
            Err(reject(StatusCode::UNAUTHORIZED, "unauthorized"))
        }
    };
    // Clients send only joins, leaves and pings: a small read buffer, because tungstenite zeroes
    // the spare capacity on every read attempt, and the send loop polls the reader per frame.
    let ws_config = WebSocketConfig::default().read_buffer_size(4096);
    let Ok(ws) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(ws_config)).await
    else {
        state.counters.rejected.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let c = &state.counters;
    c.connections.fetch_add(1, Ordering::Relaxed);
    c.active.fetch_add(1, Ordering::Relaxed);
    let mut joined: HashSet<String> = HashSet::new();
    connection(&state, ws, &mut joined).await;
    let mut all = lock(&state.joined);
    for ch in joined {
        if let Some(n) = all.get_mut(&ch) {
            *n -= 1;
            if *n == 0 {
                all.remove(&ch);
            }
        }
    }
    drop(all);
    c.active.fetch_sub(1, Ordering::Relaxed);
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(serde::Deserialize)]
struct ClientMessage {
    channel: String,
    msg_type: String,
}

async fn connection(
    state: &SimState,
    ws: tokio_tungstenite::WebSocketStream<TcpStream>,
    joined: &mut HashSet<String>,
) {
    let c = &state.counters;
    let (mut sink, mut stream) = ws.split();
    let mut frames = state.frames.subscribe();
    let mut control = state.control.subscribe();
    let mut unflushed = 0_usize;
    loop {
        tokio::select! {
            msg = stream.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Ping(_))) => {
                        c.pings.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                    Some(Ok(_)) => continue,
                };
                let Ok(m) = serde_json::from_str::<ClientMessage>(&text) else { continue };
                match m.msg_type.as_str() {
                    "join" => {
                        c.joins.fetch_add(1, Ordering::Relaxed);
                        let reply = if lock(&state.refused).contains(&m.channel) {
                            format!(r#"["{}",{{"response":{{"reason":"not entitled to this channel on the current plan"}},"status":"error"}}]"#, m.channel)
                        } else {
                            // UW acks unknown names too; unknown names simply never carry data.
                            if joined.insert(m.channel.clone()) {
                                *lock(&state.joined).entry(m.channel.clone()).or_insert(0) += 1;
                            }
                            format!(r#"["{}",{{"response":{{}},"status":"ok"}}]"#, m.channel)
                        };
                        if sink.send(Message::text(reply)).await.is_err() {
                            return;
                        }
                    }
                    "leave" => {
                        c.leaves.fetch_add(1, Ordering::Relaxed);
                        if state.ignore_leave.load(Ordering::Relaxed) {
                            continue;
                        }
                        if joined.remove(&m.channel) {
                            let mut all = lock(&state.joined);
                            if let Some(n) = all.get_mut(&m.channel) {
                                *n -= 1;
                                if *n == 0 {
                                    all.remove(&m.channel);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            frame = frames.recv() => match frame {
                Ok(out) => {
                    if joined.contains(&out.channel) {
                        // Buffered: one write for everything already queued (as a busy server's
                        // TCP stack coalesces), not a syscall per frame.
                        if sink.feed(Message::Text(out.text.clone())).await.is_err() {
                            return;
                        }
                        c.frames_sent.fetch_add(1, Ordering::Relaxed);
                        unflushed += 1;
                    }
                    if unflushed > 0 && (frames.is_empty() || unflushed >= 256) {
                        if sink.flush().await.is_err() {
                            return;
                        }
                        unflushed = 0;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    c.frames_dropped.fetch_add(n, Ordering::Relaxed);
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            ctl = control.recv() => match ctl {
                Ok(Control::Drop) | Err(broadcast::error::RecvError::Closed) => return,
                Ok(Control::Stall(d)) => tokio::time::sleep(d).await,
                Ok(Control::Inject(text)) => {
                    if sink.send(Message::text(text.to_string())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
            },
        }
    }
}
