//! What a simulation runs: the strategies, how orders are cut into waves,
//! the events it draws (cancellations, returns), replenishment and the
//! look-ahead of the opportunity-cost strategy; and their checks (E197).

use chrono::{Duration, NaiveTime};

use crate::error::{DomoptError, IssueCode, ValidationReport};
use crate::input::settings::{Settings, Strategy};
use crate::returns::format::ReturnsFile;

use super::arrivals::issue;

/// A way of routing each wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimStrategy {
    /// One of the solve strategies, wave by wave (`auto`, `shopify`, ...).
    Plan(Strategy),
    /// `auto`, with each unit of stock charged its opportunity cost: the
    /// shadow price of its (node, SKU) stock row in a look-ahead LP over the
    /// wave and the demand forecast for the next hours.
    Opportunity,
}

impl SimStrategy {
    /// Name on the command line and in the reports.
    pub fn name(self) -> &'static str {
        match self {
            SimStrategy::Plan(s) => s.name(),
            SimStrategy::Opportunity => "opportunity",
        }
    }

    /// Parses a name: a solve strategy or `opportunity`.
    pub fn parse(s: &str) -> Option<SimStrategy> {
        if s == "opportunity" {
            return Some(SimStrategy::Opportunity);
        }
        Strategy::ALL
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(st, _)| SimStrategy::Plan(*st))
    }

    /// The default line-up: two rule-based routers, the optimiser per wave
    /// and its opportunity-cost variant.
    pub fn defaults() -> Vec<SimStrategy> {
        vec![
            SimStrategy::Plan(Strategy::Shopify),
            SimStrategy::Plan(Strategy::GreedyCost),
            SimStrategy::Plan(Strategy::Auto),
            SimStrategy::Opportunity,
        ]
    }
}

/// How arriving orders are cut into waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveRule {
    /// A wave at every multiple of this interval from the start's midnight.
    Every(Duration),
    /// A wave as soon as this many orders have arrived (and one for the rest).
    Count(usize),
}

/// Most waves a simulation may cut (a week at one-minute waves).
pub const MAX_WAVES: usize = 7 * 24 * 60;

/// Most forecast orders in one look-ahead LP.
pub const MAX_FORECAST_ORDERS: usize = 10_000;

/// How a simulation runs.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// The strategies compared, each over the whole horizon.
    pub strategies: Vec<SimStrategy>,
    /// Also solve the horizon's orders as one wave with full knowledge.
    pub clairvoyant: bool,
    /// How orders are cut into waves.
    pub waves: WaveRule,
    /// Start of the horizon, from which waves are cut (`None`: midnight of
    /// the first arrival's day).
    pub start: Option<chrono::NaiveDateTime>,
    /// Settings of each wave's solve (its time limit is per wave).
    pub settings: Settings,
    /// Time limit of the clairvoyant solve, seconds.
    pub clairvoyant_time_limit_s: f64,
    /// Share of orders cancelled.
    pub cancel_rate: f64,
    /// How long after it is placed a cancelled order is cancelled.
    pub cancel_after: Duration,
    /// Share of shipped orders returned.
    pub return_rate: f64,
    /// Days after delivery a return reaches the network.
    pub return_days: i64,
    /// The returns costs and capacities returns are routed with (the
    /// `costs` and `capacities` of a returns file; its `returns` unused).
    pub return_costs: Option<ReturnsFile>,
    /// Each day at this time, DCs and 3PLs receive what brings each SKU
    /// back to its starting stock (order-up-to); `None`: no replenishment
    /// beyond the scenario's inbound receipts.
    pub replenish_at: Option<NaiveTime>,
    /// Hours of forecast demand in the opportunity-cost look-ahead LP.
    pub look_ahead: Duration,
    /// Seed of the cancellation, return and forecast draws.
    pub seed: u64,
    /// Strategies run at once.
    pub parallel: usize,
}

impl SimOptions {
    /// Options with the defaults of `domopt simulate`.
    pub fn new(settings: Settings) -> SimOptions {
        SimOptions {
            strategies: SimStrategy::defaults(),
            clairvoyant: true,
            waves: WaveRule::Every(Duration::minutes(15)),
            start: None,
            settings,
            clairvoyant_time_limit_s: 300.0,
            cancel_rate: 0.0,
            cancel_after: Duration::minutes(30),
            return_rate: 0.0,
            return_days: 5,
            return_costs: None,
            replenish_at: None,
            look_ahead: Duration::hours(4),
            seed: 1,
            parallel: 1,
        }
    }

    /// Every setting out of range, reported at once (E197).
    pub fn validate(&self) -> Result<(), DomoptError> {
        let mut issues = Vec::new();
        let mut bad = |field: &str, message: String| {
            issues.push(issue(IssueCode::BadSimulation, "simulation", field, message));
        };
        if self.strategies.is_empty() && !self.clairvoyant {
            bad("--strategies", "no strategy to run and no clairvoyant run".into());
        }
        for (k, s) in self.strategies.iter().enumerate() {
            if self.strategies[..k].contains(s) {
                bad("--strategies", format!("`{}` is given twice", s.name()));
            }
        }
        match self.waves {
            WaveRule::Every(d) if d < Duration::minutes(1) || d > Duration::days(7) => {
                bad("--wave-every", format!("{} minutes: a wave interval is 1 minute to 7 days", d.num_minutes()));
            }
            WaveRule::Count(0) => bad("--wave-orders", "a wave needs at least one order".into()),
            _ => {}
        }
        for (field, rate) in [("--cancel-rate", self.cancel_rate), ("--return-rate", self.return_rate)] {
            if !(0.0..=1.0).contains(&rate) {
                bad(field, format!("{rate} is not a share in [0, 1]"));
            }
        }
        if self.cancel_after < Duration::zero() || self.cancel_after > Duration::days(30) {
            bad("--cancel-after", "a cancellation comes 0 minutes to 30 days after the order".into());
        }
        if !(0..=60).contains(&self.return_days) {
            bad("--return-days", format!("{}: a return comes 0 to 60 days after delivery", self.return_days));
        }
        if self.return_rate > 0.0 && self.return_costs.is_none() {
            bad("--return-costs", "returns are simulated only with a returns file's costs".into());
        }
        if self.look_ahead < Duration::zero() || self.look_ahead > Duration::days(7) {
            bad("--look-ahead", "the look-ahead is 0 to 168 hours".into());
        }
        let limit = self.clairvoyant_time_limit_s;
        if !(limit.is_finite() && limit > 0.0 && limit <= 86_400.0) {
            bad("--clairvoyant-time-limit", format!("{limit}: seconds in (0, 86400]"));
        }
        if self.parallel == 0 || self.parallel > 64 {
            bad("--parallel", format!("{}: 1 to 64 strategies at once", self.parallel));
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(DomoptError::Invalid(ValidationReport { issues }))
        }
    }
}
