//! Carrier calendars: the built-in ones (`ups`, `fedex`, `usps`), then the
//! cost model's `[calendars]`, then the scenario's `calendars`, each adding
//! calendars or replacing one of the same name (the scenario's win). Each
//! date must parse and lie within the years the engine accepts (E110).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::network::domain::DeliveryDays;
use crate::network::holidays::builtin_calendars;

use super::collector::Collector;

/// Calendar name -> its delivery days without and with Saturday delivery,
/// built once and shared by the services that follow it (a long calendar is
/// held once, however many services name it). A calendar with a bad date is
/// kept with its good dates (the run stops on the E110 anyway), so that a
/// service naming it is not also reported as naming an unknown calendar.
pub(super) type Calendars = BTreeMap<String, [DeliveryDays; 2]>;

/// The calendars a scenario's services may follow: the built-in ones, the
/// model's, the scenario's (later ones replacing earlier ones of the same name).
pub(super) fn calendars(
    c: &mut Collector,
    model: &BTreeMap<String, Vec<String>>,
    scenario: &BTreeMap<String, Vec<String>>,
) -> Calendars {
    let mut all = builtin_calendars();
    for (origin, given) in [("model calendar", model), ("calendar", scenario)] {
        for (name, dates) in given {
            let rec = format!("{origin} {name}");
            let parsed: Vec<NaiveDate> = dates
                .iter()
                .enumerate()
                .filter_map(|(k, d)| c.date(&rec, &format!("calendars.{name}[{k}]"), d))
                .collect();
            all.insert(name.clone(), parsed);
        }
    }
    all.into_iter()
        .map(|(name, dates)| {
            let days = [false, true].map(|saturday| DeliveryDays::new(saturday, dates.iter().copied()));
            (name, days)
        })
        .collect()
}
