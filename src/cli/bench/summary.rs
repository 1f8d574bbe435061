//! The bench's arithmetic: the gap to a bound, the best of two bounds, the
//! saving against the baseline strategy.

/// The research tables' gap: the library's signed gap, which keeps a
/// negative gap beyond solver tolerance so that a bound that is not valid shows.
pub use domopt::signed_gap as gap;

/// The largest of the known bounds.
pub fn best_bound(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Saving of `cost` against `baseline` as a share of the baseline (positive:
/// cheaper than the baseline).
pub fn saving(cost: f64, baseline: f64) -> Option<f64> {
    (baseline.abs() > 1e-9).then(|| (baseline - cost) / baseline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gap_is_the_distance_to_the_bound_as_a_share_of_the_cost() {
        assert!((gap(10_000.0, 9_000.0) - 0.1).abs() < 1e-12);
        assert_eq!(gap(0.0, 0.0), 0.0);
    }

    #[test]
    fn a_bound_above_the_cost_within_solver_tolerance_is_a_zero_gap() {
        assert_eq!(gap(1000.0, 1000.0000001), 0.0);
    }

    #[test]
    fn a_bound_clearly_above_the_cost_shows_as_a_negative_gap() {
        assert!(gap(1000.0, 1010.0) < -0.009);
    }

    #[test]
    fn the_lower_bound_is_the_larger_of_the_known_bounds() {
        assert_eq!(best_bound(Some(1.0), Some(2.0)), Some(2.0));
        assert_eq!(best_bound(None, Some(2.0)), Some(2.0));
        assert_eq!(best_bound(Some(1.0), None), Some(1.0));
        assert_eq!(best_bound(None, None), None);
    }

    #[test]
    fn the_saving_is_against_the_baseline_and_positive_when_cheaper() {
        assert!((saving(90.0, 100.0).unwrap() - 0.1).abs() < 1e-12);
        assert!(saving(110.0, 100.0).unwrap() < 0.0);
        assert_eq!(saving(1.0, 0.0), None);
    }
}
