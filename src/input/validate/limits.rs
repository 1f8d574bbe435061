//! The largest values the engine accepts. Beyond them validation refuses the
//! input with E117, so that no sum of quantities, day count, date or cost can
//! wrap or overflow later: the engine adds quantities in `u32` and `u64`,
//! dates with chrono, and costs in `f64` that HiGHS must read as finite.

/// Units in any quantity (stock, inbound, order line, capacity), and units
/// ordered by a whole wave together.
pub const MAX_UNITS: u32 = 1_000_000_000;
/// Days in any day count (transit, processing, service level).
pub const MAX_DAYS: u32 = 366;
/// Any cost, rate, penalty or weight: a unit then costs at most about 1e18
/// (weight times rate per lb), below the 1e20 that HiGHS reads as infinite.
pub const MAX_AMOUNT: f64 = 1e9;
/// Lines in one order (the per-order search holds a candidate x line table).
pub const MAX_LINES_PER_ORDER: usize = 1_000;
/// Years of any date or date-time.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;
/// Lines in one cart quoted at checkout.
pub const MAX_CART_LINES: usize = 100;

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    #[test]
    fn the_last_year_validation_accepts_is_the_year_of_the_last_date_a_plan_can_name() {
        let last = crate::network::holidays::LAST_DATE;
        assert_eq!(*super::YEARS.end(), last.year());
        assert_eq!((last.month(), last.day()), (12, 31));
    }
}
