//! The `custom_alerts` channel: the token owner's own UW alert notifications
//! (docs/uw-api.md#channel-custom_alerts).

use crate::common::parse::{de_opt_raw_json, de_opt_string, de_timestamp};
use crate::common::symbol::occ_underlying;
use crate::data::view::{TICKER_KEYS, record_view};
use crate::uw_record;

uw_record! {
    /// One of the token owner's own UW alert notifications (channel `custom_alerts`).
    ///
    /// No `instrument_id`: `symbol` may be a ticker, an option contract or absent, so it is kept as
    /// text; `ts_event` is the alert time.
    pub struct CustomAlert as UwCustomAlert {
        event_time: |r| r.tape_time,
        instrument: None,
        fields {
            /// Alert name as configured in UW.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub name: Option<String>,
            /// `flow_alerts`, `price_alert`, `news`, ...
            #[serde(default, deserialize_with = "de_opt_string")]
            pub noti_type: Option<String>,
            /// Alert configuration id (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub user_noti_config_id: Option<String>,
            /// Owner id (uuid).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub user_id: Option<String>,
            /// Ticker or option symbol, if any.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub symbol: Option<String>,
            /// `stock` or `option_chain`.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub symbol_type: Option<String>,
            /// Alert time, UNIX nanoseconds.
            #[serde(deserialize_with = "de_timestamp")]
            pub tape_time: u64,
            /// The alert's `meta` object as JSON text (its shape depends on `noti_type`).
            #[serde(default, rename = "meta", deserialize_with = "de_opt_raw_json")]
            pub meta_json: Option<String>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).
record_view!(CustomAlert, TICKER_KEYS, ticker: |r| r.underlying());

impl CustomAlert {
    /// The ticker the alert is about: its symbol, or an option contract's underlying (`ticker`
    /// means "records of these underlyings", so an alert on an AAPL call is an AAPL record).
    fn underlying(&self) -> Option<&str> {
        let symbol = self.symbol.as_deref()?;
        match self.symbol_type.as_deref() {
            Some("option_chain") => occ_underlying(symbol),
            _ => Some(symbol),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::view::RecordView;

    fn alert(symbol: &str, symbol_type: &str) -> CustomAlert {
        serde_json::from_value(serde_json::json!({
            "name": "mine", "noti_type": "flow_alerts", "symbol": symbol,
            "symbol_type": symbol_type, "tape_time": "2026-05-01T14:30:00Z",
        }))
        .unwrap()
    }

    #[test]
    fn an_alert_on_an_option_contract_is_a_record_of_its_underlying() {
        assert_eq!(
            alert("AAPL260501C00200000", "option_chain").ticker(),
            Some("AAPL")
        );
        // As UW's `underlying_symbol` and per-ticker channels name it.
        assert_eq!(
            alert("SPXW260501C05900000", "option_chain").ticker(),
            Some("SPX")
        );
        assert_eq!(alert("AAPL", "stock").ticker(), Some("AAPL"));
        assert_eq!(alert("BRK.B", "stock").ticker(), Some("BRK.B"));
    }
}
