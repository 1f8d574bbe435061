//! `domopt generate`: write a realistic instance.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::format::{TableFormat, convert_folder_tables};
use domopt::generate::{GenConfig, PRESETS, generate};

use super::common::{parse_table_format, report_error};
use super::{EXIT_INVALID, EXIT_OK};

/// Write a realistic peak-season instance as a scenario folder.
///
/// Deterministic for a seed. Presets: tiny (~50 orders), peak-s (1k orders,
/// 20 nodes, 500 SKUs), peak-m (20k, 100, 5k), peak-l (100k, 500, 20k),
/// peak-xl (1M, 2,000, 100k). Every knob can be overridden with --set
/// (see GENERATED.md in the output for the knobs and their values).
///
/// Examples:
///   domopt generate --preset peak-s --seed 1 --out target/peak-s
///   domopt generate --preset peak-m --seed 1 --out target/peak-m --set holiday=true
///   domopt generate --preset tiny --seed 3 --out t/ --set orders=200 --set stores=8
///   domopt generate --preset peak-s --seed 1 --out target/peak-s-pq --tables parquet
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Preset name.
    #[arg(long)]
    preset: String,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// Override a knob, e.g. --set orders=5000 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Table format of the folder: csv, or parquet (zstd-compressed, loads
    /// several times faster).
    #[arg(long, default_value = "csv", value_parser = parse_table_format)]
    tables: TableFormat,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let Some(base) = GenConfig::preset(&a.preset) else {
        let names: Vec<_> = PRESETS.iter().map(|p| p.0).collect();
        eprintln!(
            "domopt: unknown preset `{}`: use one of {}",
            a.preset,
            names.join(", ")
        );
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    let cfg = match base.with_overrides(&a.set) {
        Ok(c) => c,
        Err(e) => return Ok(report_error(&e, false)),
    };
    let t = std::time::Instant::now();
    let name = format!("{}-seed{}", a.preset, a.seed);
    let s = generate(&cfg, a.seed, &name, &a.out)?;
    if a.tables != TableFormat::Csv {
        convert_folder_tables(&a.out, a.tables)?;
    }
    println!(
        "wrote {}: {} nodes, {} SKUs, {} orders, {} lines, {} inventory rows in {:.1}s",
        a.out.display(),
        s.nodes,
        s.skus,
        s.orders,
        s.lines,
        s.inventory_rows,
        t.elapsed().as_secs_f64()
    );
    Ok(ExitCode::from(EXIT_OK))
}
