//! The typed network a wave is solved on: the validated domain (nodes, SKUs,
//! services, orders), geography, calendars, the lanes between nodes and
//! destinations, and the candidate (order, node, service) packages.

pub mod calendar;
pub mod candidates;
pub mod domain;
pub mod geo;
pub mod holidays;
pub mod lanes;
pub mod pricing;
pub mod transfers;
