//! Where the generated network and demand sit: the embedded US metros (with
//! their populations) and research fulfillment sites, and real ZIPs near each
//! metro.

use rand::Rng;

use super::sampling::Cumulative;
use crate::network::geo;

const METROS_CSV: &str = include_str!("../../../datasets/reference/us-metros.csv");
const SITES_CSV: &str = include_str!("../../../datasets/reference/fulfillment-centers.csv");

/// A metro area, largest first in the embedded table.
pub(super) struct Metro {
    /// Name, e.g. `New York`.
    pub name: String,
    lat: f64,
    lon: f64,
    population: f64,
}

/// The metros, their ZIPs, and demand in proportion to population.
pub(super) struct Places {
    /// The metros, largest first.
    pub metros: Vec<Metro>,
    /// Real ZIPs near each metro, sorted.
    zips: Vec<Vec<String>>,
    /// Draws a metro in proportion to its population.
    by_population: Cumulative,
}

impl Places {
    /// The metros with the ZIPs within `zip_radius_miles` of each.
    pub(super) fn new(zip_radius_miles: f64) -> Places {
        let metros = metros();
        let zips = metro_zips(&metros, zip_radius_miles);
        let by_population = Cumulative::new(metros.iter().map(|m| m.population));
        Places {
            metros,
            zips,
            by_population,
        }
    }

    /// A metro drawn in proportion to its population.
    pub(super) fn draw_metro(&self, rng: &mut impl Rng) -> usize {
        self.by_population.sample(rng)
    }

    /// A ZIP near metro `m`, drawn uniformly.
    pub(super) fn draw_zip(&self, rng: &mut impl Rng, m: usize) -> String {
        let list = &self.zips[m];
        list[rng.random_range(0..list.len())].clone()
    }
}

fn metros() -> Vec<Metro> {
    let mut r = csv::Reader::from_reader(METROS_CSV.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded metros parse");
            Metro {
                name: rec[0].to_string(),
                lat: rec[2].parse().expect("lat"),
                lon: rec[3].parse().expect("lon"),
                population: rec[4].parse().expect("population"),
            }
        })
        .collect()
}

/// The research fulfillment sites: (code, latitude, longitude).
pub(super) fn sites() -> Vec<(String, f64, f64)> {
    let mut r = csv::Reader::from_reader(SITES_CSV.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded sites parse");
            (
                rec[0].to_string(),
                rec[2].parse().expect("lat"),
                rec[3].parse().expect("lon"),
            )
        })
        .collect()
}

/// Real ZIPs within `radius` miles of each metro (the nearest one if none).
fn metro_zips(metros: &[Metro], radius: f64) -> Vec<Vec<String>> {
    let zips = geo::all_zips();
    metros
        .iter()
        .map(|m| {
            let mut near: Vec<(f64, &String)> = zips
                .iter()
                .map(|(z, lat, lon)| (geo::great_circle_miles(m.lat, m.lon, *lat, *lon), z))
                .filter(|(d, _)| *d <= radius)
                .collect();
            if near.is_empty() {
                let nearest = zips
                    .iter()
                    .map(|(z, lat, lon)| (geo::great_circle_miles(m.lat, m.lon, *lat, *lon), z))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .expect("the ZIP table is not empty");
                near.push(nearest);
            }
            near.sort_by(|a, b| a.1.cmp(b.1));
            near.into_iter().map(|(_, z)| z.clone()).collect()
        })
        .collect()
}
