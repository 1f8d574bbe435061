//! The relative gap between a plan's cost and a lower bound on it: one
//! formula for the solve record, the strategies' stopping rules and the
//! research tables. Uses differ only in how near is "no gap" and whether a
//! bound above the cost may show. (The independent checker keeps its own
//! arithmetic on purpose.)

/// Relative difference below which a bound counts as reaching the cost in
/// research tables: the solvers' own feasibility tolerance.
pub const SOLVER_TOLERANCE: f64 = 1e-6;

/// (cost - bound) / |cost|, never negative; zero when cost and bound are
/// within 1e-9 of each other. The gap of a plan's solve record and the one
/// the strategies stop on: a bound above the cost is no gap at all.
pub fn relative_gap(cost: f64, bound: f64) -> f64 {
    share_beyond((cost - bound).max(0.0), cost, 1e-9)
}

/// (cost - bound) / |cost| with its sign; zero when cost and bound are within
/// solver tolerance (`SOLVER_TOLERANCE`, 1e-6, relative, at least that much in
/// absolute terms). A larger negative gap is kept: it means the bound is not
/// valid for the plan, and research tables should show it.
pub fn signed_gap(cost: f64, bound: f64) -> f64 {
    share_beyond(cost - bound, cost, SOLVER_TOLERANCE * cost.abs().max(1.0))
}

/// `diff` (cost - bound) as a share of |cost| (counted as at least 1e-9),
/// exactly zero when |diff| is at most `zero_within`, so rounding noise never
/// shows as a gap.
fn share_beyond(diff: f64, cost: f64, zero_within: f64) -> f64 {
    if diff.abs() <= zero_within {
        0.0
    } else {
        diff / cost.abs().max(1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gap_is_the_distance_to_the_bound_as_a_share_of_the_cost() {
        assert!((relative_gap(10_000.0, 9_000.0) - 0.1).abs() < 1e-12);
        assert!((signed_gap(10_000.0, 9_000.0) - 0.1).abs() < 1e-12);
        assert_eq!(relative_gap(0.0, 0.0), 0.0);
        assert_eq!(signed_gap(0.0, 0.0), 0.0);
    }

    #[test]
    fn a_bound_above_the_cost_is_no_gap_in_the_solve_record() {
        assert_eq!(relative_gap(1000.0, 1010.0), 0.0);
        assert_eq!(relative_gap(1000.0, f64::INFINITY), 0.0);
    }

    #[test]
    fn a_bound_clearly_above_the_cost_shows_as_a_negative_signed_gap() {
        assert!(signed_gap(1000.0, 1010.0) < -0.009);
    }

    #[test]
    fn a_bound_within_solver_tolerance_is_a_zero_signed_gap_either_side() {
        assert_eq!(signed_gap(1000.0, 1000.0000001), 0.0);
        assert_eq!(signed_gap(1000.0, 999.9999999), 0.0);
    }

    #[test]
    fn the_solve_record_shows_gaps_below_solver_tolerance() {
        // A MIP stopped at its own relative tolerance leaves such gaps.
        assert!(relative_gap(1e6, 1e6 - 0.5) > 0.0);
    }

    #[test]
    fn a_cost_or_bound_that_is_not_a_number_is_no_gap_in_the_solve_record() {
        assert_eq!(relative_gap(f64::NAN, 1.0), 0.0);
        assert_eq!(relative_gap(1.0, f64::NAN), 0.0);
    }

    /// The two gaps as they were written before they shared one formula.
    fn old_relative(cost: f64, bound: f64) -> f64 {
        let diff = (cost - bound).max(0.0);
        if diff <= 1e-9 {
            0.0
        } else {
            diff / cost.abs().max(1e-9)
        }
    }
    fn old_bench(objective: f64, bound: f64) -> f64 {
        let diff = objective - bound;
        let scale = objective.abs().max(1e-9);
        if diff.abs() <= 1e-6 * objective.abs().max(1.0) {
            0.0
        } else {
            diff / scale
        }
    }

    #[test]
    fn both_gaps_give_the_same_bits_as_their_former_definitions() {
        let values = [
            0.0,
            -0.0,
            1e-12,
            1e-9,
            2e-9,
            0.5,
            1.0,
            999.9999999,
            1000.0,
            1000.0000001,
            1010.0,
            29_123.04,
            1e6,
            1e6 - 0.5,
            -3.0,
            -1e6,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for &c in &values {
            for &b in &values {
                assert_eq!(
                    relative_gap(c, b).to_bits(),
                    old_relative(c, b).to_bits(),
                    "{c} {b}"
                );
                let (new, old) = (signed_gap(c, b), old_bench(c, b));
                assert!(
                    new.to_bits() == old.to_bits() || new.is_nan() && old.is_nan(),
                    "{c} {b}"
                );
            }
        }
    }
}
