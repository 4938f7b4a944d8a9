//! Flow bars: option prints summed per underlying, bucket and interval into `UwFlowBar`s.
//!
//! UW's `option_trades` carries thousands of prints a second in bursts; a strategy mostly wants
//! what they add up to. [`Aggregator`] takes one subscription's prints in arrival order and
//! returns its finished bars, [`FlowBarSet`] feeds each print to every subscription of its
//! ticker after classifying it once, and [`flow_bars`] runs the same aggregator over stored
//! prints, so research sees the bars a live strategy saw.
//!
//! - [`spec`]: the subscription metadata (`ticker`, `interval`/`every`, buckets, empty bars,
//!   grace) and its errors;
//! - [`print`]: what one print contributes (side, premium, kind, what it lacks) and which
//!   buckets count it;
//! - [`bar`]: the sums of the open bar and the `UwFlowBar` they become;
//! - [`flow_bar`]: when bars close (event time, grace, late prints, empty intervals).

pub mod bar;
pub mod flow_bar;
pub mod print;
pub mod spec;
#[doc(hidden)]
pub mod testing;

pub use flow_bar::{
    Aggregator, FlowBarSet, FlowBarStats, MAX_EMPTY_RUN, flow_bars, flow_bars_as_arrived,
};
pub use spec::{FlowBarSpec, FlowBarSpecError};
