//! The `news` channel and REST `/api/news/headlines` (docs/uw-api.md#channel-news,
//! docs/uw-api.md#rest-news-headlines).

use crate::common::parse::{
    de_opt_bool, de_opt_raw_json, de_opt_string, de_string, de_string_list, de_timestamp,
};
use crate::data::view::{FilterKey, RecordView};
use crate::uw_record;

uw_record! {
    /// A news headline or Truth Social post (channel `news`, REST `/api/news/headlines`).
    ///
    /// No `instrument_id` (market-wide); `ts_event` is the publication time.
    pub struct NewsHeadline as UwNewsHeadline {
        event_time: |r| r.timestamp,
        instrument: None,
        fields {
            /// The headline (for social posts, the post body).
            #[serde(deserialize_with = "de_string")]
            pub headline: String,
            /// Publication time, UNIX nanoseconds.
            #[serde(alias = "created_at", deserialize_with = "de_timestamp")]
            pub timestamp: u64,
            /// `social-media`, `aggregator` or the upstream source.
            #[serde(default, deserialize_with = "de_opt_string")]
            pub source: Option<String>,
            /// Tickers the story names.
            #[serde(default, deserialize_with = "de_string_list")]
            pub tickers: Vec<String>,
            /// A @realDonaldTrump Truth Social post.
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_trump_ts: Option<bool>,
            /// UW flags the story as major (REST).
            #[serde(default, deserialize_with = "de_opt_bool")]
            pub is_major: Option<bool>,
            /// UW sentiment tag (REST).
            #[serde(default, deserialize_with = "de_opt_string")]
            pub sentiment: Option<String>,
            /// UW's tags of the story (REST).
            #[serde(default, deserialize_with = "de_string_list")]
            pub tags: Vec<String>,
            /// The story's `meta` object as JSON text (REST; UW documents no keys for it).
            #[serde(default, rename = "meta", deserialize_with = "de_opt_raw_json")]
            pub meta_json: Option<String>,
        }
    }
}

// What subscription filters see of these records (data/view.rs).

impl RecordView for NewsHeadline {
    const KEYS: &'static [FilterKey] = &[FilterKey::Ticker];
    fn tickers(&self) -> &[String] {
        &self.tickers
    }
}
