//! Names and limits shared by the parser, the clients and the Python layer.

/// The Nautilus client id and `data_clients` key (no hyphen: Nautilus splits keys on `-`).
pub const UW_CLIENT_NAME: &str = "UNUSUAL_WHALES";

/// The default venue for instrument ids: IB's smart router, as the IB adapter names it.
pub const DEFAULT_VENUE: &str = "SMART";

/// Production REST base URL.
pub const UW_HTTP_BASE_URL: &str = "https://api.unusualwhales.com";

/// Production WebSocket URL (the token rides in the `token` query parameter).
pub const UW_WS_URL: &str = "wss://api.unusualwhales.com/socket";

/// Environment variable holding the API token, the name UW's own tools use.
pub const UW_API_KEY_ENV: &str = "UW_API_KEY";

/// The largest WebSocket frame the parser accepts. A periscope snapshot frame carries up to 1024
/// rows (~100 KiB); anything far beyond that is a broken or hostile peer.
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;
