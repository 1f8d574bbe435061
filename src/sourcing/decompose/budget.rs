//! The time budget of one run: where the clock started, the limit, and the
//! shares of it each part of the search may use.

use std::time::{Duration, Instant};

/// Share of the time limit column generation may use before plans are
/// rounded from the master LP as it stands. The first rounding MIP of peak-l
/// takes about an eighth of its 60 s budget, and later neighbourhoods gain
/// less there than one more pricing round does for the bound.
const PRICING_SHARE: f64 = 0.8;

/// Share of the time limit above which a pricing round is not started. On
/// peak-xl the master LP of a million orders took 7 s, 32 s, then 236 s, and
/// its Lagrangian bound did not move after the first: a round that long takes
/// a core from the neighbourhoods (which run two at a time once rounds end)
/// for a whole share of the run. Rounds of peak-l take 2-4 s of its 60.
const LONG_ROUND_SHARE: f64 = 0.15;

/// Share of the time limit the subgradient ascent may use; the rest goes to
/// the plan from its prices and the neighbourhoods.
const ASCENT_SHARE: f64 = 0.4;

/// Share of the time limit by which the auction after the ascent stops.
const SETTLE_SHARE: f64 = 0.55;

/// A run's wall-clock budget.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    start: Instant,
    limit_s: f64,
    deadline: Instant,
}

impl Budget {
    /// A budget of `limit_s` seconds from now (an infinite one ends in 1e9 s).
    pub(super) fn new(limit_s: f64) -> Budget {
        let start = Instant::now();
        Budget {
            start,
            limit_s,
            deadline: start + Duration::from_secs_f64(limit_s.clamp(0.0, 1e9)),
        }
    }

    /// Seconds since the start.
    pub(super) fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// When the time is up.
    pub(super) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Seconds from the start until which a master LP may run: the pricing
    /// share while no plan is made or being made (the rest is kept for
    /// rounding), else the whole limit.
    pub(super) fn lp_until(&self, plan_under_way: bool) -> f64 {
        if plan_under_way {
            self.limit_s
        } else {
            self.limit_s * PRICING_SHARE
        }
    }

    /// Seconds left until `until` (seconds from the start); negative past it.
    pub(super) fn left_until(&self, until: f64) -> f64 {
        until - self.elapsed()
    }

    /// Whether a round taking `round_s` would end past the time it may
    /// use (the pricing share while there is no plan to improve beside it,
    /// the rest being kept for rounding, else the whole limit), or take more
    /// than [`LONG_ROUND_SHARE`] of the limit.
    pub(super) fn round_overruns(&self, round_s: f64, plan_made: bool) -> bool {
        self.elapsed() + round_s >= self.lp_until(plan_made)
            || round_s > LONG_ROUND_SHARE * self.limit_s
    }

    /// Whether a step of the subgradient ascent taking `step_s` would end
    /// past its share of the limit ([`ASCENT_SHARE`], or the whole limit
    /// when the ascent is all the run does).
    pub(super) fn ascent_overruns(&self, step_s: f64, alone: bool) -> bool {
        let share = if alone { 1.0 } else { ASCENT_SHARE };
        self.elapsed() + step_s >= share * self.limit_s
    }

    /// Whether a round of the auction after the ascent taking `round_s`
    /// would end past its share of the limit ([`SETTLE_SHARE`]).
    pub(super) fn settle_overruns(&self, round_s: f64) -> bool {
        self.elapsed() + round_s >= SETTLE_SHARE * self.limit_s
    }

    /// Whether time is left.
    pub(super) fn running(&self) -> bool {
        self.elapsed() < self.limit_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_keeps_a_share_for_rounding_until_a_plan_is_under_way() {
        let b = Budget::new(10.0);
        assert_eq!(b.lp_until(false), 10.0 * PRICING_SHARE);
        assert_eq!(b.lp_until(true), 10.0);
        assert!(b.running());
        assert!(b.round_overruns(8.0, false) && !b.round_overruns(1.0, false));
        assert!(!b.round_overruns(1.0, true) && b.round_overruns(10.0, true));
    }

    #[test]
    fn a_round_longer_than_its_share_of_the_limit_is_not_started() {
        let b = Budget::new(100.0);
        assert!(!b.round_overruns(LONG_ROUND_SHARE * 100.0 - 1.0, true));
        assert!(b.round_overruns(LONG_ROUND_SHARE * 100.0 + 1.0, true));
        assert!(b.round_overruns(LONG_ROUND_SHARE * 100.0 + 1.0, false));
    }

    #[test]
    fn an_infinite_budget_has_a_far_deadline() {
        let b = Budget::new(f64::INFINITY);
        assert!(b.deadline() > Instant::now() + Duration::from_secs(1_000_000));
        assert!(b.running() && !b.round_overruns(1e12, false));
    }
}
