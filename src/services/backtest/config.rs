//! `[backtest]` and `[regulator]` configuration. The types live in `crate::config` (the
//! configuration layer depends on nothing above the domain); re-exported here for the
//! backtest services that read them.

pub use crate::config::{BacktestConfig, RegulatorConfig};
