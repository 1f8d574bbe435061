//! Where a node or an order is: latitude and longitude, or a US ZIP code
//! geocoded from the embedded table.

use crate::error::IssueCode;
use crate::network::geo;

use super::collector::Collector;

/// The coordinates of a record, or `(0, 0)` for one without any in an
/// explicit-cost scenario (whose costs need no distance).
pub(super) fn place(
    c: &mut Collector,
    explicit_mode: bool,
    record: &str,
    zip: &Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Option<(f64, f64)> {
    if explicit_mode && zip.is_none() && (lat.is_none() || lon.is_none()) {
        Some((0.0, 0.0))
    } else {
        location(c, record, zip, lat, lon)
    }
}

/// Both of lat and lon when given (E108, E115), else the ZIP's (E106), else E107.
fn location(
    c: &mut Collector,
    record: &str,
    zip: &Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Option<(f64, f64)> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => on_earth(c, record, lat, lon),
        _ => match zip {
            Some(z) => match geo::zip_location(z) {
                Some(p) => Some(p),
                None => {
                    c.error(
                        IssueCode::UnknownZip,
                        record,
                        "zip",
                        format!("ZIP `{z}` does not exist"),
                        "correct the ZIP or give lat and lon",
                    );
                    None
                }
            },
            None => {
                c.error(
                    IssueCode::MissingCoordinates,
                    record,
                    "zip",
                    "no coordinates and no ZIP".into(),
                    "give a US ZIP or both lat and lon",
                );
                None
            }
        },
    }
}

/// Finite coordinates within [-90, 90] x [-180, 180], or E108/E115.
fn on_earth(c: &mut Collector, record: &str, lat: f64, lon: f64) -> Option<(f64, f64)> {
    let lat = c.finite(record, "lat", lat)?;
    let lon = c.finite(record, "lon", lon)?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        c.error(
            IssueCode::CoordinatesOutOfRange,
            record,
            "lat/lon",
            format!("({lat}, {lon}) is not on Earth"),
            "latitude must be in [-90, 90] and longitude in [-180, 180]",
        );
        return None;
    }
    Some((lat, lon))
}
