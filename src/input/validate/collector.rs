//! The issue collector: every rule reports into it instead of returning
//! early, so that one run lists every problem. Its helpers check the number
//! shapes every record shares (finite, non-negative, whole, within a limit).

use std::fmt::Display;

use crate::error::{Issue, IssueCode, Severity, ValidationReport};

use super::limits::{MAX_AMOUNT, MAX_DAYS, MAX_UNITS};

/// The issues found so far, in the order they were found.
#[derive(Default)]
pub(super) struct Collector {
    issues: Vec<Issue>,
}

impl Collector {
    fn push(
        &mut self,
        code: IssueCode,
        severity: Severity,
        record: &(impl Display + ?Sized),
        field: &(impl Display + ?Sized),
        message: String,
        action: &str,
    ) {
        self.issues.push(Issue {
            code,
            severity,
            record: record.to_string(),
            field: field.to_string(),
            message,
            action: action.to_string(),
        });
    }

    /// Reports an error: the scenario will not be solved.
    pub(super) fn error(
        &mut self,
        code: IssueCode,
        record: &(impl Display + ?Sized),
        field: &(impl Display + ?Sized),
        message: String,
        action: &str,
    ) {
        self.push(code, Severity::Error, record, field, message, action);
    }

    /// Reports a warning: legal but suspicious.
    pub(super) fn warn(
        &mut self,
        code: IssueCode,
        record: &(impl Display + ?Sized),
        field: &(impl Display + ?Sized),
        message: String,
        action: &str,
    ) {
        self.push(code, Severity::Warning, record, field, message, action);
    }

    /// Appends what `other` collected, after what this one has.
    pub(super) fn append(&mut self, mut other: Collector) {
        self.issues.append(&mut other.issues);
    }

    /// Everything reported, in order.
    pub(super) fn into_report(self) -> ValidationReport {
        ValidationReport {
            issues: self.issues,
        }
    }

    /// A finite number, or E108.
    pub(super) fn finite(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), v: f64) -> Option<f64> {
        if v.is_finite() {
            Some(v)
        } else {
            self.error(
                IssueCode::NotFinite,
                record,
                field,
                format!("{v} is not a finite number"),
                "give a finite number",
            );
            None
        }
    }

    /// A finite, non-negative number (costs, weights), or E108/E116.
    pub(super) fn non_negative(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), v: f64) -> Option<f64> {
        let v = self.finite(record, field, v)?;
        if v < 0.0 {
            self.error(
                IssueCode::NegativeAmount,
                record,
                field,
                format!("{v} is negative"),
                "give zero or a positive number",
            );
            return None;
        }
        self.at_most(record, field, v, MAX_AMOUNT)
    }

    /// `v` if it is at most `max`, or E117.
    pub(super) fn at_most<T: PartialOrd + std::fmt::Display>(
        &mut self,
        record: &(impl Display + ?Sized),
        field: &(impl Display + ?Sized),
        v: T,
        max: T,
    ) -> Option<T> {
        if v > max {
            self.error(
                IssueCode::AboveLimit,
                record,
                field,
                format!("{v} is above the limit of {max}"),
                "give a smaller value (the limits are in the format documentation)",
            );
            return None;
        }
        Some(v)
    }

    /// A whole number of days, at most `MAX_DAYS`, or E108/E103/E104/E117.
    pub(super) fn days(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), v: f64) -> Option<u32> {
        let v = self.whole(record, field, v)?;
        self.at_most(record, field, v, f64::from(MAX_DAYS))
            .map(|v| v as u32)
    }

    /// A whole number of units, at most `MAX_UNITS`, or E108/E103/E104/E117.
    pub(super) fn quantity(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), v: f64) -> Option<u32> {
        let v = self.whole(record, field, v)?;
        self.at_most(record, field, v, f64::from(MAX_UNITS))
            .map(|v| v as u32)
    }

    /// `found`, the SKU a line names, or E102 when `id` names none.
    pub(super) fn known_sku<I>(&mut self, found: Option<I>, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), id: &str) -> Option<I> {
        if found.is_none() {
            self.error(
                IssueCode::UnknownReference,
                record,
                field,
                format!("unknown SKU `{id}`"),
                "add the SKU or fix the id",
            );
        }
        found
    }

    /// Units asked for on an order or cart line: a whole number of at least
    /// one, or E108/E103/E104/E117 (zero is E103 too). `None` when wrong.
    pub(super) fn units_asked(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), v: f64) -> Option<u32> {
        let q = self.quantity(record, field, v)?;
        if q == 0 {
            self.error(
                IssueCode::NegativeQuantity,
                record,
                field,
                "zero units ordered".into(),
                "ask for at least one unit or drop the line",
            );
            return None;
        }
        Some(q)
    }

    /// A whole, non-negative number, or E108/E103/E104.
    fn whole(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), v: f64) -> Option<f64> {
        let v = self.finite(record, field, v)?;
        if v < 0.0 {
            self.error(
                IssueCode::NegativeQuantity,
                record,
                field,
                format!("{v} is negative"),
                "give zero or a positive whole number",
            );
            return None;
        }
        if v.fract() != 0.0 {
            self.error(
                IssueCode::FractionalQuantity,
                record,
                field,
                format!("{v} is not a whole number"),
                "give a whole number",
            );
            return None;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(c: &Collector) -> Vec<&'static str> {
        c.issues.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_quantity_reports_only_its_first_problem() {
        let mut c = Collector::default();
        assert_eq!(c.quantity("r", "q", f64::NAN), None);
        assert_eq!(c.quantity("r", "q", -1.0), None);
        assert_eq!(c.quantity("r", "q", 2.5), None);
        assert_eq!(c.quantity("r", "q", f64::from(MAX_UNITS) + 1.0), None);
        assert_eq!(c.quantity("r", "q", 7.0), Some(7));
        assert_eq!(codes(&c), ["E108", "E103", "E104", "E117"]);
    }

    #[test]
    fn a_negative_amount_is_e116_and_a_huge_one_e117() {
        let mut c = Collector::default();
        assert_eq!(c.non_negative("r", "cost", -0.5), None);
        assert_eq!(c.non_negative("r", "cost", MAX_AMOUNT * 2.0), None);
        assert_eq!(c.non_negative("r", "cost", 0.0), Some(0.0));
        assert_eq!(codes(&c), ["E116", "E117"]);
        let report = c.into_report();
        assert!(report.has_errors());
        assert_eq!(report.issues[0].record, "r");
        assert_eq!(report.issues[0].field, "cost");
    }
}
