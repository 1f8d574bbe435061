//! What every strategy produces: for each chosen candidate package, the units
//! of each line it carries. Decoding turns a list of these into a plan.

use crate::network::domain::Order;

/// Units a strategy puts in one candidate package.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Index into [`CandidateSet::candidates`](crate::network::candidates::CandidateSet::candidates).
    pub candidate: usize,
    /// (line index, units) pairs.
    pub units: Vec<(usize, u32)>,
}

impl Assignment {
    /// One package carrying every line of `order` in full.
    pub fn whole_order(candidate: usize, order: &Order) -> Assignment {
        Assignment {
            candidate,
            units: order
                .lines
                .iter()
                .enumerate()
                .map(|(k, l)| (k, l.quantity))
                .collect(),
        }
    }
}
