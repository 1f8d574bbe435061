//! Geography: US ZIP codes to coordinates (the `zipcodes` crate's embedded
//! database), great-circle distance, and parcel zones from distance bands.

/// Mean Earth radius in statute miles.
const EARTH_RADIUS_MILES: f64 = 3958.8;

/// Upper distance bound (miles) of zones 1..=7; beyond the last is zone 8.
/// Carrier zone charts approximated by great-circle distance.
pub const ZONE_BANDS_MILES: [f64; 7] = [50.0, 150.0, 300.0, 600.0, 1000.0, 1400.0, 1800.0];

/// The ZIP table packed by `build.rs` from the `zipcodes` crate's database:
/// five ASCII digits, then latitude and longitude as little-endian `f64`,
/// sorted by ZIP.
const ZIPS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/zips.bin"));

/// One record of `ZIPS`: ZIP, latitude, longitude.
fn records() -> &'static [[u8; 21]] {
    ZIPS.as_chunks::<21>().0
}

fn unpack(r: &[u8; 21]) -> (&[u8], f64, f64) {
    let f = |b: &[u8]| f64::from_le_bytes(b.try_into().expect("eight bytes"));
    (&r[..5], f(&r[5..13]), f(&r[13..]))
}

/// Latitude and longitude of a US ZIP code (`#####` or `#####-####`), if it exists.
pub fn zip_location(zip: &str) -> Option<(f64, f64)> {
    // The first five bytes after trimming, as the `zipcodes` crate reads a
    // ZIP, but by bytes so that no input can split a character.
    let five = zip.trim().as_bytes().get(..5)?;
    if !five.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let k = records().binary_search_by(|r| r[..5].cmp(five)).ok()?;
    let (_, lat, lon) = unpack(&records()[k]);
    Some((lat, lon))
}

/// Every ZIP code of the embedded database with its coordinates, sorted by ZIP.
pub fn all_zips() -> Vec<(String, f64, f64)> {
    records()
        .iter()
        .map(|r| {
            let (zip, lat, lon) = unpack(r);
            (String::from_utf8_lossy(zip).into_owned(), lat, lon)
        })
        .collect()
}

/// Great-circle (haversine) distance in miles.
pub fn great_circle_miles(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MILES * a.sqrt().min(1.0).asin()
}

/// Parcel zone (1..=8) for a distance.
pub fn zone_for_miles(miles: f64) -> u8 {
    ZONE_BANDS_MILES
        .iter()
        .position(|&bound| miles <= bound)
        .map_or(8, |k| k as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_york_to_los_angeles_is_about_2450_miles() {
        let d = great_circle_miles(40.7128, -74.0060, 34.0522, -118.2437);
        assert!((d - 2445.0).abs() < 15.0, "{d}");
    }

    #[test]
    fn zones_follow_the_distance_bands() {
        assert_eq!(zone_for_miles(0.0), 1);
        assert_eq!(zone_for_miles(50.0), 1);
        assert_eq!(zone_for_miles(50.1), 2);
        assert_eq!(zone_for_miles(600.0), 4);
        assert_eq!(zone_for_miles(1000.5), 6);
        assert_eq!(zone_for_miles(1800.0), 7);
        assert_eq!(zone_for_miles(2500.0), 8);
    }

    #[test]
    fn known_zip_geocodes_and_unknown_zip_does_not() {
        let (lat, lon) = zip_location("10001").expect("Manhattan ZIP exists");
        assert!((lat - 40.75).abs() < 0.1 && (lon + 74.0).abs() < 0.1);
        assert!(zip_location("00000").is_none());
        assert!(zip_location("abcde").is_none());
        assert!(zip_location("ééé").is_none());
        assert_eq!(zip_location(" 10001-1234 "), zip_location("10001"));
    }
}
