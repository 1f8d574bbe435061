//! Time zones: the scenario's (the clock `wave_time` and `placed_at` are
//! written on) and each node's (the clock of its cutoffs), IANA names (E124).
//! A node's zone means something only against the scenario's, so a node zone
//! in a scenario without one is E125 rather than silently unused.

use crate::error::IssueCode;
use crate::input::format::ScenarioFile;
use crate::network::domain::Tz;

use super::collector::Collector;

/// The IANA zone `name` (`America/Los_Angeles`), or E124.
pub(super) fn time_zone(c: &mut Collector, record: &str, field: &str, name: &str) -> Option<Tz> {
    match name.trim().parse::<Tz>() {
        Ok(zone) => Some(zone),
        Err(_) => {
            c.error(
                IssueCode::UnknownTimeZone,
                record,
                field,
                format!("`{name}` is not an IANA time zone"),
                "use an IANA name such as America/New_York, America/Chicago, America/Los_Angeles or UTC",
            );
            None
        }
    }
}

/// E125 for each node with a time zone when the scenario has none.
pub(super) fn node_zones_need_a_scenario_zone(c: &mut Collector, f: &ScenarioFile) {
    if f.time_zone.is_some() {
        return;
    }
    for n in f.nodes.iter().filter(|n| n.time_zone.is_some()) {
        c.error(
            IssueCode::NodeZoneWithoutScenarioZone,
            &format!("node {}", n.id),
            "time_zone",
            "the scenario has no time_zone, so the zone its wave_time is written in is unknown"
                .into(),
            "add the scenario's time_zone (the zone of wave_time and placed_at), or drop the node's",
        );
    }
}
