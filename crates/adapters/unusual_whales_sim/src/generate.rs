//! Realistic generated UW frames: SPY/QQQ-style 0DTE option flow, prints, prices, GEX, dark-pool
//! prints, net flow, market tide and news, in exactly the field shapes of
//! docs/uw-api.md#channel-payloads (numbers as strings where UW sends strings, epoch-ms or ISO
//! times as UW does per channel).
//!
//! Channels without a generator here replay UW's example payloads, relabelled with the joined
//! channel, so every documented channel can be joined on the simulator.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;
use unusual_whales_nt::common::time::{NANOS_PER_MILLI, add_days, format_utc, ny_date};
use unusual_whales_nt::subscription::channel::{ChannelKind, UwChannel};

use crate::text::{push_fixed, push_hex, push_u64, push_u64_padded};

/// `{value}` for a strike: integral strikes (all of the simulator's) without `core::fmt`.
fn push_shortest(out: &mut String, value: f64) {
    if value.fract() == 0.0 && (0.0..1e15).contains(&value) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        push_u64(out, value as u64);
    } else {
        let _ = write!(out, "{value}");
    }
}

/// A generated flow alert or option print, kept so the REST side can serve it later (a client
/// back-fills a gap from there).
#[derive(Debug, Clone)]
pub struct GeneratedAlert {
    /// `FlowAlerts` or `OptionTrades`.
    pub kind: ChannelKind,
    /// UW's id.
    pub id: String,
    /// Underlying.
    pub ticker: String,
    /// `end_time`, epoch milliseconds.
    pub time_ms: u64,
    /// `created_at`, epoch milliseconds: later than `time_ms`, as at UW, where an alert is created
    /// seconds to minutes after its window ends.
    pub created_ms: u64,
    /// The WebSocket payload object (JSON).
    pub ws_payload: Arc<str>,
    /// The same alert in the REST shape (`type`, string numbers, ISO `created_at`).
    pub rest_payload: Arc<str>,
}

struct Underlying {
    spot: f64,
    step: f64,
    cum_volume: i64,
    net_call_prem: f64,
    net_put_prem: f64,
    net_call_vol: i64,
    net_put_vol: i64,
}

/// The simulated market: one random walk per ticker, deterministic for a seed.
pub struct Market {
    rng: SplitMix64,
    tickers: Vec<String>,
    underlyings: HashMap<String, Underlying>,
    examples: HashMap<ChannelKind, Vec<String>>,
    example_cursor: HashMap<ChannelKind, usize>,
    tide: (f64, f64, i64),
}

const HEADLINES: [&str; 6] = [
    "Fed's Powell says policy is well positioned for the months ahead",
    "US CPI rises 0.3% in line with expectations",
    "Treasury yields slip as traders price in a December cut",
    "Oil jumps after OPEC+ signals deeper supply cuts",
    "Chipmakers rally as AI demand outlook is raised",
    "US jobless claims fall to 215,000",
];

/// `created_at - executed_at` of a generated print: UW ingests prints within tens of milliseconds.
const OPTION_TRADE_INGEST_MS: u64 = 20;

const RULES: [&str; 4] = [
    "RepeatedHits",
    "RepeatedHitsAscendingFill",
    "RepeatedHitsDescendingFill",
    "FloorTradeLargeCap",
];

fn start_spot(ticker: &str, rng: &mut SplitMix64) -> f64 {
    match ticker {
        "SPY" => 590.0,
        "QQQ" => 510.0,
        "IWM" => 215.0,
        "DIA" => 430.0,
        "SPX" | "SPXW" => 5900.0,
        "TSLA" => 340.0,
        "AAPL" => 230.0,
        "NVDA" => 140.0,
        _ => 50.0 + 200.0 * rng.random::<f64>(),
    }
}

impl Market {
    /// A market over `tickers` (upper-case), seeded.
    #[must_use]
    pub fn new(seed: u64, tickers: &[String]) -> Self {
        let mut rng = SplitMix64::seed_from_u64(seed);
        let tickers: Vec<String> = if tickers.is_empty() {
            vec!["SPY".to_owned(), "QQQ".to_owned()]
        } else {
            tickers.to_vec()
        };
        let mut examples: HashMap<ChannelKind, Vec<String>> = HashMap::new();
        for line in crate::fixtures::EXAMPLE_FRAMES
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            if let Some((kind, payload)) = split_example(line) {
                examples.entry(kind).or_default().push(payload);
            }
        }
        let underlyings = HashMap::new();
        let mut market = Self {
            rng: SplitMix64::seed_from_u64(0),
            tickers,
            underlyings,
            examples,
            example_cursor: HashMap::new(),
            tide: (0.0, 0.0, 0),
        };
        for t in market.tickers.clone() {
            market.underlying(&t, &mut rng);
        }
        market.rng = rng;
        market
    }

    fn underlying(&mut self, ticker: &str, rng: &mut SplitMix64) -> &mut Underlying {
        // Looked up twice per generated print: no key allocation unless the ticker is new.
        if !self.underlyings.contains_key(ticker) {
            self.underlyings
                .insert(ticker.to_owned(), Self::new_underlying(ticker, rng));
        }
        self.underlyings
            .get_mut(ticker)
            .expect("inserted above when absent")
    }

    fn new_underlying(ticker: &str, rng: &mut SplitMix64) -> Underlying {
        let spot = start_spot(ticker, rng);
        Underlying {
            spot,
            step: if spot > 1000.0 { 5.0 } else { 1.0 },
            cum_volume: 0,
            net_call_prem: 0.0,
            net_put_prem: 0.0,
            net_call_vol: 0,
            net_put_vol: 0,
        }
    }

    fn pick_ticker(&mut self) -> String {
        let i = (self.rng.next_u64() % self.tickers.len() as u64) as usize;
        self.tickers[i].clone()
    }

    fn uuid(&mut self) -> String {
        let mut out = String::with_capacity(36);
        self.push_uuid(&mut out);
        out
    }

    /// A random (version 4) UUID in canonical text.
    fn push_uuid(&mut self, out: &mut String) {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        push_hex(out, a >> 32, 8);
        out.push('-');
        push_hex(out, (a >> 16) & 0xffff, 4);
        out.push_str("-4");
        push_hex(out, a & 0xfff, 3);
        out.push('-');
        push_hex(out, 0x8000 | (b >> 48 & 0x3fff), 4);
        out.push('-');
        push_hex(out, b & 0xffff_ffff_ffff, 12);
    }

    /// Advances the ticker's price a little and returns it.
    fn tick_spot(&mut self, ticker: &str) -> (f64, f64) {
        let mut rng = SplitMix64::seed_from_u64(self.rng.next_u64());
        let u = self.underlying(ticker, &mut rng);
        let drift = (rng.random::<f64>() - 0.5) * u.spot * 0.0004;
        u.spot = (u.spot + drift).max(1.0);
        (u.spot, u.step)
    }

    /// A 0DTE (or near-dated) contract near the money: (OCC symbol, expiry, is_call, strike).
    fn contract(&mut self, ticker: &str, now_ms: u64) -> (String, String, bool, f64) {
        let (spot, step) = self.tick_spot(ticker);
        let is_call = self.rng.random::<f64>() < 0.55;
        let offset = ((self.rng.random::<f64>() * 10.0).floor() - 3.0) * step;
        let strike =
            ((spot / step).round() * step + if is_call { offset } else { -offset }).max(step);
        // Mostly 0DTE, as SPY/QQQ flow is; some next-week contracts.
        let days_out = if self.rng.random::<f64>() < 0.8 { 0 } else { 7 };
        let today = ny_date(now_ms * NANOS_PER_MILLI);
        let day = add_days(today, days_out).unwrap_or(today);
        let expiry = day.to_string();
        let mut occ = String::with_capacity(ticker.len() + 15);
        occ.push_str(ticker);
        // `YYMMDD`: the expiry's digits without the century and the dashes.
        occ.push_str(&expiry[2..4]);
        occ.push_str(&expiry[5..7]);
        occ.push_str(&expiry[8..10]);
        occ.push(if is_call { 'C' } else { 'P' });
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        push_u64_padded(&mut occ, (strike * 1000.0).round() as u64, 8);
        (occ, expiry, is_call, strike)
    }

    /// The next payload (JSON object text) for `channel` at `now_ms`, and a flow alert to record
    /// when it is one.
    pub fn payload(
        &mut self,
        channel: &UwChannel,
        now_ms: u64,
    ) -> (String, Option<GeneratedAlert>) {
        let ticker = channel.ticker.clone().unwrap_or_else(|| self.pick_ticker());
        match channel.kind {
            ChannelKind::FlowAlerts => {
                let alert = self.flow_alert(&ticker, now_ms);
                (alert.ws_payload.to_string(), Some(alert))
            }
            ChannelKind::OptionTrades => {
                let (payload, id) = self.option_trade(&ticker, now_ms);
                let shared: Arc<str> = payload.as_str().into();
                let record = GeneratedAlert {
                    kind: ChannelKind::OptionTrades,
                    id,
                    ticker: ticker.clone(),
                    time_ms: now_ms,
                    created_ms: now_ms + OPTION_TRADE_INGEST_MS,
                    ws_payload: Arc::clone(&shared),
                    // UW's REST option trades carry the WebSocket print's fields.
                    rest_payload: shared,
                };
                (payload, Some(record))
            }
            ChannelKind::Price => {
                let (spot, _) = self.tick_spot(&ticker);
                let vol = {
                    let add = 100 + (self.rng.next_u64() % 5_000) as i64;
                    let mut rng = SplitMix64::seed_from_u64(0);
                    let u = self.underlying(&ticker, &mut rng);
                    u.cum_volume += add;
                    u.cum_volume
                };
                (
                    format!(
                        r#"{{"ticker":"{ticker}","close":"{spot:.2}","time":{now_ms},"vol":{vol}}}"#
                    ),
                    None,
                )
            }
            ChannelKind::Gex => {
                let (spot, _) = self.tick_spot(&ticker);
                let g = |r: &mut SplitMix64, scale: f64| (r.random::<f64>() - 0.45) * scale;
                let mut r = SplitMix64::seed_from_u64(self.rng.next_u64());
                (
                    format!(
                        r#"{{"ticker":"{ticker}","timestamp":{now_ms},"gamma_per_one_percent_move_oi":"{:.2}","delta_per_one_percent_move_oi":"{:.2}","charm_per_one_percent_move_oi":"{:.2}","vanna_per_one_percent_move_oi":"{:.2}","price":"{spot:.2}","gamma_per_one_percent_move_vol":"{:.2}","delta_per_one_percent_move_vol":"","charm_per_one_percent_move_vol":"{:.2}","vanna_per_one_percent_move_vol":"{:.2}","gamma_per_one_percent_move_dir":"{:.2}","charm_per_one_percent_move_dir":"{:.2}","vanna_per_one_percent_move_dir":"{:.2}"}}"#,
                        g(&mut r, 5e8),
                        g(&mut r, 1e10),
                        g(&mut r, 2e12),
                        g(&mut r, 5e9),
                        g(&mut r, 1e9),
                        g(&mut r, 6e11),
                        g(&mut r, 2e8),
                        g(&mut r, 1e7),
                        g(&mut r, 2e9),
                        g(&mut r, 1e7)
                    ),
                    None,
                )
            }
            ChannelKind::NetFlow => {
                let (_, _, is_call, _) = self.contract(&ticker, now_ms);
                let prem = (self.rng.random::<f64>() - 0.4) * 50_000.0;
                let vol = 1 + (self.rng.next_u64() % 200) as i64;
                let mut rng = SplitMix64::seed_from_u64(0);
                let u = self.underlying(&ticker, &mut rng);
                if is_call {
                    u.net_call_prem += prem;
                    u.net_call_vol += vol;
                } else {
                    u.net_put_prem += prem;
                    u.net_put_vol += vol;
                }
                (
                    format!(
                        r#"{{"ticker":"{ticker}","net_call_prem":"{:.2}","net_call_vol":{},"net_put_prem":"{:.2}","net_put_vol":{},"time":{now_ms}}}"#,
                        u.net_call_prem, u.net_call_vol, u.net_put_prem, u.net_put_vol
                    ),
                    None,
                )
            }
            ChannelKind::OffLitTrades | ChannelKind::LitTrades => {
                let (spot, _) = self.tick_spot(&ticker);
                let size = 100 * (1 + self.rng.next_u64() % 500);
                let iso = iso_millis(now_ms);
                let kind = if channel.kind == ChannelKind::OffLitTrades {
                    "off_lit"
                } else {
                    "lit"
                };
                (
                    format!(
                        r#"{{"symbol":"{ticker}","price":"{spot:.2}","type":"{kind}","size":{size},"volume":{},"trade_settlement":"regular","trade_code":null,"ext_hour_sold_codes":null,"sale_cond_codes":null,"executed_at":"{iso}","trf_executed_at":"{iso}","nbbo_bid":"{:.2}","nbbo_ask":"{:.2}","nbbo_bid_quantity":{},"nbbo_ask_quantity":{},"sector":"Financial","next_earnings_date":null,"avg30_volume":"60000000.0","issue_type":"ETF","marketcap":null}}"#,
                        size * 40,
                        spot - 0.01,
                        spot + 0.01,
                        100 * (1 + self.rng.next_u64() % 20),
                        100 * (1 + self.rng.next_u64() % 20)
                    ),
                    None,
                )
            }
            // UW documents no payload for its futures channels: prints with the fields of its REST
            // futures trades (`/api/futures/{contract}/trades`), the contract from the channel.
            ChannelKind::FuturesTrades => {
                let contract = channel.ticker.clone().unwrap_or_else(|| {
                    ["ESZ5", "NQZ5"][(self.rng.next_u64() % 2) as usize].to_owned()
                });
                let price = 5_900.0 + (self.rng.random::<f64>() * 40.0).round() / 4.0;
                let side = if self.rng.random::<f64>() < 0.5 {
                    "buy"
                } else {
                    "sell"
                };
                (
                    format!(
                        r#"{{"sym":"{contract}","product":"{}","executed_at":"{}","price":"{price:.2}","size":{},"side":"{side}","nbbo_bid":"{:.2}","nbbo_ask":"{:.2}","crossed":false,"trade_id":{}}}"#,
                        contract
                            .get(..contract.len().saturating_sub(2))
                            .unwrap_or(&contract),
                        iso_millis(now_ms),
                        1 + self.rng.next_u64() % 10,
                        price - 0.25,
                        price,
                        self.rng.next_u64() % 1_000_000_000,
                    ),
                    None,
                )
            }
            ChannelKind::News => {
                let h = HEADLINES[(self.rng.next_u64() % HEADLINES.len() as u64) as usize];
                (
                    format!(
                        r#"{{"headline":"{h}","timestamp":"{}","source":"sim-newswire","tickers":["{ticker}"],"is_trump_ts":false}}"#,
                        iso_secs(now_ms)
                    ),
                    None,
                )
            }
            ChannelKind::MarketTide => {
                self.tide.0 += (self.rng.random::<f64>() - 0.45) * 500_000.0;
                self.tide.1 += (self.rng.random::<f64>() - 0.55) * 500_000.0;
                self.tide.2 += (self.rng.next_u64() % 2000) as i64 - 900;
                (
                    format!(
                        r#"{{"timestamp":"{}","net_volume":{},"net_call_premium":"{:.1}","net_put_premium":"{:.1}","otm_net_volume":{},"otm_net_call_premium":"{:.1}","otm_net_put_premium":"{:.1}"}}"#,
                        iso_secs(now_ms),
                        self.tide.2,
                        self.tide.0,
                        self.tide.1,
                        self.tide.2 / 2,
                        self.tide.0 * 0.6,
                        self.tide.1 * 0.6
                    ),
                    None,
                )
            }
            kind => (self.example(kind, &ticker), None),
        }
    }

    fn example(&mut self, kind: ChannelKind, ticker: &str) -> String {
        let Some(list) = self.examples.get(&kind) else {
            return "{}".to_owned();
        };
        let cursor = self.example_cursor.entry(kind).or_insert(0);
        let payload = list[*cursor % list.len()].clone();
        *cursor += 1;
        // Per-ticker channels carry their ticker; the examples were captured for another one.
        match payload.find(r#""ticker":""#) {
            Some(i) => {
                let start = i + r#""ticker":""#.len();
                let end = payload[start..].find('"').map_or(start, |e| start + e);
                format!("{}{ticker}{}", &payload[..start], &payload[end..])
            }
            None => payload,
        }
    }

    fn option_trade(&mut self, ticker: &str, now_ms: u64) -> (String, String) {
        let (occ, expiry, is_call, strike) = self.contract(ticker, now_ms);
        let (spot, _) = self.tick_spot(ticker);
        let intrinsic = if is_call {
            spot - strike
        } else {
            strike - spot
        }
        .max(0.0);
        let price = ((intrinsic + 0.05 + self.rng.random::<f64>() * 2.0) * 100.0).round() / 100.0;
        let size = 1 + self.rng.next_u64()
            % if self.rng.random::<f64>() < 0.05 {
                500
            } else {
                20
            };
        #[allow(clippy::cast_precision_loss)]
        let premium = price * size as f64 * 100.0;
        let id = self.uuid();
        // The print's NBBO agrees with its side tag, as at UW: at the ask, at the bid, or between
        // (flow bars read the side from the NBBO).
        let draw = self.rng.random::<f64>();
        let (side, bid, ask) = if draw < 0.45 {
            ("ask_side", (price - 0.02).max(0.01), price)
        } else if draw < 0.9 {
            ("bid_side", price, price + 0.02)
        } else {
            ("mid_side", (price - 0.01).max(0.01), price + 0.01)
        };
        let sentiment = match side {
            "mid_side" => "neutral",
            _ if (side == "ask_side") == is_call => "bullish",
            _ => "bearish",
        };
        let mut p = String::with_capacity(1024);
        p.push_str(r#"{"id":""#);
        p.push_str(&id);
        p.push_str(r#"","underlying_symbol":""#);
        p.push_str(ticker);
        p.push_str(r#"","executed_at":"#);
        push_u64(&mut p, now_ms);
        p.push_str(r#","nbbo_bid":""#);
        push_fixed(&mut p, bid, 2);
        p.push_str(r#"","nbbo_ask":""#);
        push_fixed(&mut p, ask, 2);
        p.push_str(r#"","size":"#);
        push_u64(&mut p, size);
        p.push_str(r#","price":""#);
        push_fixed(&mut p, price, 2);
        p.push_str(r#"","option_symbol":""#);
        p.push_str(&occ);
        p.push_str(r#"","created_at":"#);
        push_u64(&mut p, now_ms + OPTION_TRADE_INGEST_MS);
        p.push_str(r#","report_flags":[],"tags":[""#);
        p.push_str(side);
        p.push_str(r#"",""#);
        p.push_str(sentiment);
        p.push_str(r#""],"expiry":""#);
        p.push_str(&expiry);
        p.push_str(r#"","option_type":""#);
        p.push_str(if is_call { "call" } else { "put" });
        p.push_str(r#"","open_interest":"#);
        push_u64(&mut p, self.rng.next_u64() % 50_000);
        p.push_str(r#","strike":""#);
        push_shortest(&mut p, strike);
        p.push_str(r#"","premium":""#);
        push_fixed(&mut p, premium, 2);
        p.push_str(r#"","volume":"#);
        push_u64(&mut p, self.rng.next_u64() % 200_000);
        p.push_str(r#","underlying_price":""#);
        push_fixed(&mut p, spot, 2);
        p.push_str(r#"","ewma_nbbo_ask":""#);
        push_fixed(&mut p, ask, 2);
        p.push_str(r#"","ewma_nbbo_bid":""#);
        push_fixed(&mut p, bid, 2);
        let greeks = [
            ("implied_volatility", 0.1 + self.rng.random::<f64>() * 0.3),
            (
                "delta",
                if is_call { 0.5 } else { -0.5 } * self.rng.random::<f64>(),
            ),
            ("theta", -self.rng.random::<f64>() * 0.5),
            ("gamma", self.rng.random::<f64>() * 0.1),
            ("vega", self.rng.random::<f64>() * 0.2),
        ];
        for (name, value) in greeks {
            p.push_str(r#"",""#);
            p.push_str(name);
            p.push_str(r#"":""#);
            push_fixed(&mut p, value, 4);
        }
        p.push_str(r#"","rho":"0.001","theo":""#);
        push_fixed(&mut p, price, 2);
        p.push_str(r#"","trade_code":"auto","exchange":"XCBO","ask_vol":"#);
        push_u64(&mut p, self.rng.next_u64() % 100_000);
        p.push_str(r#","bid_vol":"#);
        push_u64(&mut p, self.rng.next_u64() % 100_000);
        p.push_str(r#","no_side_vol":0,"mid_vol":"#);
        push_u64(&mut p, self.rng.next_u64() % 10_000);
        p.push_str(r#","multi_vol":0,"stock_multi_vol":0}"#);
        let payload = p;
        (payload, id)
    }

    fn flow_alert(&mut self, ticker: &str, now_ms: u64) -> GeneratedAlert {
        let (occ, expiry, is_call, strike) = self.contract(ticker, now_ms);
        let (spot, _) = self.tick_spot(ticker);
        let id = self.uuid();
        let rule_id = self.uuid();
        let rule = RULES[(self.rng.next_u64() % RULES.len() as u64) as usize];
        let price = ((0.2 + self.rng.random::<f64>() * 6.0) * 100.0).round() / 100.0;
        // Premiums are heavy-tailed: mostly tens of thousands, sometimes millions.
        let size = 10 + (self.rng.random::<f64>().powi(3) * 5_000.0) as u64;
        #[allow(clippy::cast_precision_loss)]
        let premium = (price * size as f64 * 100.0).round();
        let ask_share = self.rng.random::<f64>();
        let ask_prem = (premium * ask_share).round();
        let trades = 1 + self.rng.next_u64() % 30;
        let volume = size + self.rng.next_u64() % 50_000;
        let oi = 1 + self.rng.next_u64() % 40_000;
        #[allow(clippy::cast_precision_loss)]
        let vol_oi = volume as f64 / oi as f64;
        let sweep = self.rng.random::<f64>() < 0.3;
        let start = now_ms.saturating_sub(self.rng.next_u64() % 2_000);
        let opt_type = if is_call { "call" } else { "put" };
        let mut trade_ids = String::new();
        for i in 0..trades.min(5) {
            let _ = write!(
                trade_ids,
                "{}\"{}\"",
                if i == 0 { "" } else { "," },
                self.uuid()
            );
        }
        let ws_payload = format!(
            r#"{{"rule_id":"{rule_id}","rule_name":"{rule}","ticker":"{ticker}","option_chain":"{occ}","underlying_price":{spot:.3},"volume":{volume},"total_size":{size},"total_premium":{premium},"total_ask_side_prem":{ask_prem},"total_bid_side_prem":{},"start_time":{start},"end_time":{now_ms},"url":"","price":{price},"has_multileg":false,"has_sweep":{sweep},"has_floor":false,"open_interest":{oi},"all_opening_trades":false,"id":"{id}","has_singleleg":true,"volume_oi_ratio":{vol_oi:.4},"trade_ids":[{trade_ids}],"trade_count":{trades},"expiry_count":1,"executed_at":{now_ms},"ask_vol":{},"bid_vol":{},"no_side_vol":0,"mid_vol":0,"multi_vol":0,"stock_multi_vol":0,"upstream_condition_details":["auto"],"exchanges":["XCBO","MPRL"],"bid":"{:.2}","ask":"{price:.2}"}}"#,
            premium - ask_prem,
            (volume as f64 * ask_share) as u64,
            (volume as f64 * (1.0 - ask_share)) as u64,
            (price - 0.05).max(0.01),
        );
        // UW creates an alert a varying while after its window ends, so paging by `end_time` and
        // paging by `created_at` select different pages, as they would at UW.
        let created_ms = now_ms + 5 + self.rng.next_u64() % 2_000;
        let rest_payload = format!(
            r#"{{"id":"{id}","ticker":"{ticker}","option_chain":"{occ}","alert_rule":"{rule}","rule_id":"{rule_id}","type":"{opt_type}","strike":"{strike}","expiry":"{expiry}","underlying_price":"{spot:.2}","price":"{price}","bid":"{:.2}","ask":"{price:.2}","total_premium":"{premium}","total_ask_side_prem":"{ask_prem}","total_bid_side_prem":"{}","total_size":{size},"trade_count":{trades},"expiry_count":1,"volume":{volume},"open_interest":{oi},"volume_oi_ratio":"{vol_oi:.4}","has_sweep":{sweep},"has_floor":false,"has_singleleg":true,"has_multileg":false,"all_opening_trades":false,"start_time":{start},"end_time":{now_ms},"created_at":"{}","issue_type":"ETF","sector":null,"marketcap":null,"next_earnings_date":null,"er_time":null,"iv_start":"0.18","iv_end":"0.18"}}"#,
            (price - 0.05).max(0.01),
            premium - ask_prem,
            iso_millis(created_ms),
        );
        GeneratedAlert {
            kind: ChannelKind::FlowAlerts,
            id,
            ticker: ticker.to_owned(),
            time_ms: now_ms,
            created_ms,
            ws_payload: ws_payload.into(),
            rest_payload: rest_payload.into(),
        }
    }
}

fn split_example(line: &str) -> Option<(ChannelKind, String)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let arr = value.as_array()?;
    let channel = UwChannel::parse(arr.first()?.as_str()?)?;
    let payload = arr.get(1)?;
    payload
        .get("status")
        .is_none()
        .then(|| (channel.kind, payload.to_string()))
}

/// `2025-05-16T13:19:51Z`
fn iso_secs(ms: u64) -> String {
    format_utc(ms * NANOS_PER_MILLI, 0)
}

/// `2025-05-16T13:19:51.123Z`
fn iso_millis(ms: u64) -> String {
    format_utc(ms * NANOS_PER_MILLI, 3)
}

/// Today's 0DTE expiry for an epoch-ms time.
#[must_use]
pub fn expiry_today(now_ms: u64) -> String {
    ny_date(now_ms * NANOS_PER_MILLI).to_string()
}

#[cfg(test)]
mod tests {
    use unusual_whales_nt::common::symbol::InstrumentIdFormat;
    use unusual_whales_nt::data::UwPayload;
    use unusual_whales_nt::websocket::{UwWsMessage, parse_frame};

    use super::*;

    const NOW_MS: u64 = 1_763_740_800_000; // 2025-11-21 16:00 UTC, 11:00 New York

    fn frame(market: &mut Market, channel: &str) -> UwPayload {
        let ch = UwChannel::parse(channel).unwrap();
        let (payload, _) = market.payload(&ch, NOW_MS);
        let text = format!(r#"["{ch}",{payload}]"#);
        match parse_frame(
            text.as_bytes(),
            NOW_MS * 1_000_000,
            &InstrumentIdFormat::new("SMART", false),
        ) {
            Ok(UwWsMessage::Data { payload, .. }) => payload,
            other => panic!("{channel}: {other:?}\n{text}"),
        }
    }

    #[test]
    fn every_channel_generates_frames_the_parser_accepts() {
        let mut m = Market::new(7, &["SPY".to_owned(), "QQQ".to_owned()]);
        for kind in ChannelKind::ALL {
            for channel in [
                kind.as_str().to_owned(),
                format!("{}:SPY", kind.ticker_base()),
            ] {
                for _ in 0..50 {
                    assert!(!frame(&mut m, &channel).is_empty(), "{channel}");
                }
            }
        }
    }

    // The firehose's frames are decoded fastest in UW's own key order; a simulator that wrote
    // another would have its benchmarks measure the adapter's slower path for other orders.
    #[test]
    fn prints_and_alerts_come_in_uw_key_order() {
        use unusual_whales_nt::data::record::UwRecord;
        use unusual_whales_nt::data::{FlowAlert, OptionTrade};

        let mut m = Market::new(11, &["SPY".to_owned()]);
        for _ in 0..50 {
            let ch = UwChannel::parse("option_trades:SPY").unwrap();
            let text = format!(r#"["{ch}",{}]"#, m.payload(&ch, NOW_MS).0);
            let push = OptionTrade::PUSH_IN_UW_ORDER.expect("an ordered decoder");
            assert_eq!(push(&text, &mut Vec::new()), Ok(()), "{text}");
            let ch = UwChannel::parse("flow-alerts").unwrap();
            let text = format!(r#"["{ch}",{}]"#, m.payload(&ch, NOW_MS).0);
            let push = FlowAlert::PUSH_IN_UW_ORDER.expect("an ordered decoder");
            assert_eq!(push(&text, &mut Vec::new()), Ok(()), "{text}");
        }
    }

    #[test]
    fn flow_alerts_are_mostly_zero_dte_on_the_requested_ticker() {
        let mut m = Market::new(1, &["SPY".to_owned()]);
        let mut zero_dte = 0;
        for _ in 0..200 {
            let UwPayload::FlowAlert(v) = frame(&mut m, "flow-alerts") else {
                panic!()
            };
            assert_eq!(v[0].ticker, "SPY");
            assert!(v[0].instrument_id.as_deref().unwrap().starts_with("SPY25"));
            if v[0].expiry.as_deref() == Some(expiry_today(NOW_MS).as_str()) {
                zero_dte += 1;
            }
        }
        assert!((120..=190).contains(&zero_dte), "{zero_dte}");
    }

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let ch = UwChannel::parse("option_trades:QQQ").unwrap();
        let run = |seed| {
            let mut m = Market::new(seed, &[]);
            (0..20)
                .map(|_| m.payload(&ch, NOW_MS).0)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn rest_and_ws_shapes_of_an_alert_decode_to_the_same_contract() {
        let mut m = Market::new(5, &["SPY".to_owned()]);
        let alert = m.flow_alert("SPY", NOW_MS);
        let body = format!(r#"{{"data":[{}]}}"#, alert.rest_payload);
        let mut rest = unusual_whales_nt::http::parse_rest_body(
            "flow_alerts",
            body.as_bytes(),
            1,
            &InstrumentIdFormat::new("SMART", false),
        )
        .unwrap();
        let UwPayload::FlowAlert(r) = rest.remove(0) else {
            panic!()
        };
        let text = format!(r#"["flow-alerts",{}]"#, alert.ws_payload);
        let Ok(UwWsMessage::Data {
            payload: UwPayload::FlowAlert(w),
            ..
        }) = parse_frame(text.as_bytes(), 1, &InstrumentIdFormat::new("SMART", false))
        else {
            panic!()
        };
        assert_eq!(r[0].id, w[0].id);
        assert_eq!(r[0].instrument_id, w[0].instrument_id);
        assert_eq!(r[0].total_premium, w[0].total_premium);
        assert_eq!(r[0].ts_event, w[0].ts_event);
    }
}
