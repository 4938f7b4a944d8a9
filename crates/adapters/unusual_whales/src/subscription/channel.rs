//! UW channel names (docs/uw-api.md#channels): `flow-alerts`, `gex:SPY`, `option_trades:TSLA`, ...

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use crate::common::symbol::validate_ticker;
use crate::data::record::UwRecord;
use crate::data::*;

/// Whether UW offers a channel per ticker (`gex:SPY`), for all tickers (`gex`), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickerScope {
    /// One channel carries every ticker (`flow-alerts`, `news`).
    AllTickers,
    /// Both `<name>` and `<name>:<TICKER>` exist.
    OptionalTicker,
    /// Only `<name>:<TICKER>` exists (`net_flow`).
    TickerOnly,
}

/// Generates [`ChannelKind`] from the `live(...)` rows of the registry.
macro_rules! channel_kinds {
    ([] $( $rec:ident : $( live($kind:ident, $wire:literal, $scope:ident, $decode:ident) )? $( history $history:tt )? ),* $(,)?) => {
        /// The kinds of channel UW documents with a payload, one per streamed record type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ChannelKind {
            $( $(
                #[doc = concat!("`", $wire, "`, streaming `", stringify!($rec), "` records.")]
                $kind,
            )? )*
        }

        impl ChannelKind {
            /// Every kind, in the registry's order.
            pub const ALL: &[Self] = &[ $( $( Self::$kind, )? )* ];

            /// The channel base name on the wire.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $( Self::$kind => $wire, )? )*
                }
            }

            /// Whether UW offers this channel per ticker, for all tickers, or both.
            #[must_use]
            pub const fn ticker_scope(self) -> TickerScope {
                match self {
                    $( $( Self::$kind => TickerScope::$scope, )? )*
                }
            }

            /// The Python type name of the records this channel streams.
            #[must_use]
            pub const fn record_type_name(self) -> &'static str {
                match self {
                    $( $( Self::$kind => <$rec as UwRecord>::TYPE_NAME, )? )*
                }
            }

            /// Parses a channel base name. A `match`, which compiles to a switch on the length
            /// and a compare or two; every frame's channel name goes through here.
            #[must_use]
            pub fn from_base(base: &str) -> Option<Self> {
                match base {
                    $( $( $wire => Some(Self::$kind), )? )*
                    _ => None,
                }
            }

            /// The channel that streams records of `type_name`, if one does.
            #[must_use]
            pub fn streaming(type_name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.record_type_name() == type_name)
            }
        }
    };
}

crate::uw_records!(channel_kinds);

impl ChannelKind {
    /// Parses the base name of a per-ticker channel (`futures` of `futures:ESZ6`).
    #[must_use]
    pub fn from_ticker_base(base: &str) -> Option<Self> {
        let kind = if base == Self::FuturesTrades.ticker_base() {
            Self::FuturesTrades
        } else {
            Self::from_base(base)?
        };
        (kind.ticker_base() == base).then_some(kind)
    }

    /// The base name of the per-ticker form: the kind's own name, except that UW names the
    /// per-contract channels of `futures_trades` `futures:<CONTRACT>` (its channel table).
    #[must_use]
    pub const fn ticker_base(self) -> &'static str {
        match self {
            Self::FuturesTrades => "futures",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel as joined: a kind plus an optional ticker scope (`gex:SPY`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UwChannel {
    /// The kind.
    pub kind: ChannelKind,
    /// The ticker scope, if any.
    pub ticker: Option<String>,
}

impl UwChannel {
    /// Parses `base` or `base:TICKER`. Returns `None` for names UW does not document.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        // A byte search: `split_once`'s char searcher was 2% of an option print's live path.
        let (base, ticker) = match memchr::memchr(b':', text.as_bytes()) {
            Some(colon) => (&text[..colon], Some(&text[colon + 1..])),
            None => (text, None),
        };
        let kind = match ticker {
            Some(_) => ChannelKind::from_ticker_base(base)?,
            None => ChannelKind::from_base(base)?,
        };
        match ticker {
            Some(t) if validate_ticker(t).is_ok() => Some(Self {
                kind,
                ticker: Some(t.to_owned()),
            }),
            Some(_) => None,
            None => Some(Self { kind, ticker: None }),
        }
    }
}

impl fmt::Display for UwChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ticker {
            Some(t) => write!(f, "{}:{t}", self.kind.ticker_base()),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

/// The hash of the maps a frame passes through keyed by its channel (routing, statistics, the
/// back-fill's bookkeeping; five lookups per frame), of the back-fill's index of id hashes and of
/// the bus topics keyed by object addresses (`python::live`): a multiply-rotate over the key's
/// words, a few ns where SipHash took tens. SipHash's resistance to chosen collisions buys nothing
/// here: a channel only gets into these maps by parsing as one of UW's channel names, the ids are
/// hashed with a random key first, and addresses are not input.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChannelHasher(u64);

impl ChannelHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for ChannelHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by channel, hashed with [`ChannelHasher`].
pub type ChannelMap<V> = HashMap<UwChannel, V, BuildHasherDefault<ChannelHasher>>;
/// A set of channels, hashed with [`ChannelHasher`].
pub type ChannelSet = HashSet<UwChannel, BuildHasherDefault<ChannelHasher>>;

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("flow-alerts", ChannelKind::FlowAlerts, None)]
    #[case("gex:SPY", ChannelKind::Gex, Some("SPY"))]
    #[case("option_trades:TSLA", ChannelKind::OptionTrades, Some("TSLA"))]
    #[case("gex_strike_expiry:SPX", ChannelKind::GexStrikeExpiry, Some("SPX"))]
    #[case("futures_trades", ChannelKind::FuturesTrades, None)]
    #[case("futures:ESZ5", ChannelKind::FuturesTrades, Some("ESZ5"))]
    fn parses_documented_channels(
        #[case] text: &str,
        #[case] kind: ChannelKind,
        #[case] ticker: Option<&str>,
    ) {
        let ch = UwChannel::parse(text).unwrap();
        assert_eq!(ch.kind, kind);
        assert_eq!(ch.ticker.as_deref(), ticker);
        assert_eq!(ch.to_string(), text);
    }

    #[rstest]
    #[case("flow_alerts")]
    #[case("dark_pool")]
    #[case("market-tide")]
    #[case("gex:")]
    #[case("gex:S P Y")]
    #[case("futures_trades:ESZ5")]
    #[case("futures")]
    #[case("")]
    fn rejects_undocumented_names(#[case] text: &str) {
        assert_eq!(UwChannel::parse(text), None);
    }

    #[test]
    fn every_kind_round_trips_its_name() {
        for &kind in ChannelKind::ALL {
            assert_eq!(ChannelKind::from_base(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn every_kind_round_trips_its_per_ticker_name() {
        for &kind in ChannelKind::ALL {
            let text = format!("{}:SPY", kind.ticker_base());
            let channel = UwChannel::parse(&text).unwrap_or_else(|| panic!("{text} not parsed"));
            assert_eq!((channel.kind, channel.to_string()), (kind, text));
        }
    }
}
