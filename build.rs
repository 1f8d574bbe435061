//! Packs the `zipcodes` crate's database into a table of ZIP, latitude and
//! longitude at build time, so that no run pays for decompressing and parsing
//! the full database (a quarter of a second, more than loading a 20k-order
//! wave).

use std::collections::BTreeMap;
use std::io::Write;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    // A later record of the same ZIP replaces an earlier one.
    let mut table: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for z in zipcodes::database() {
        let (Ok(lat), Ok(lon)) = (z.lat.parse::<f64>(), z.long.parse::<f64>()) else {
            continue;
        };
        assert!(
            z.zip_code.len() == 5 && z.zip_code.bytes().all(|b| b.is_ascii_digit()),
            "zipcodes database: ZIP `{}` is not five digits",
            z.zip_code
        );
        table.insert(&z.zip_code, (lat, lon));
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut file = std::fs::File::create(out.join("zips.bin")).expect("OUT_DIR is writable");
    for (zip, (lat, lon)) in table {
        file.write_all(zip.as_bytes()).expect("write zips.bin");
        file.write_all(&lat.to_le_bytes()).expect("write zips.bin");
        file.write_all(&lon.to_le_bytes()).expect("write zips.bin");
    }
}
