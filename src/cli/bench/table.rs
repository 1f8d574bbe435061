//! The results as tables: aligned text for the terminal and Markdown for
//! `results.md`, one block per instance.

use super::records::InstanceResult;
use super::summary::{best_bound, saving};

/// The strategy the table's saving column compares against.
pub const BASELINE: &str = "shopify";

/// `1234567.891` as `1,234,567.89`.
pub fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

fn pct(v: Option<f64>, decimals: usize) -> String {
    v.map_or("-".into(), |v| format!("{:.*}%", decimals, v * 100.0))
}

fn seconds(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// Column titles of the table.
pub const TABLE_HEADER: [&str; 12] = [
    "strategy",
    "status",
    "cost",
    "gap to bound",
    "split rate",
    "pkg/order",
    "fill",
    "on-time",
    "time",
    "over limit",
    "memory",
    "saving vs shopify",
];

/// The table's cells for an instance, one row per strategy.
pub fn table_cells(inst: &InstanceResult) -> Vec<Vec<String>> {
    let base = inst.row(BASELINE).and_then(|r| r.objective);
    inst.rows
        .iter()
        .map(|r| {
            let saving_cell = match (r.objective, base) {
                _ if r.strategy == BASELINE && r.objective.is_some() => "base".to_string(),
                (Some(c), Some(b)) => {
                    saving(c, b).map_or("-".into(), |s| format!("{:+.1}%", s * 100.0))
                }
                _ => "-".into(),
            };
            vec![
                r.strategy.clone(),
                r.status.clone(),
                r.objective.map_or("-".into(), |c| thousands(c, 2)),
                pct(r.gap, 2),
                pct(r.split_rate, 1),
                r.packages_per_order
                    .map_or("-".into(), |p| format!("{p:.3}")),
                pct(r.fill_rate, 1),
                pct(r.on_time_rate, 1),
                seconds(r.wall_time_s),
                r.over_limit_s
                    .filter(|&o| o > 0.0)
                    .map_or("-".into(), seconds),
                r.peak_memory_mb
                    .map_or("-".into(), |m| format!("{m:.0} MB")),
                saving_cell,
            ]
        })
        .collect()
}

/// The line above an instance's table.
pub fn instance_caption(inst: &InstanceResult) -> String {
    let orders = inst.orders.map_or("? orders".into(), |o| {
        format!("{} orders", thousands(o as f64, 0))
    });
    let bound = match (inst.lp_bound, &inst.bound_error) {
        (Some(b), _) => format!(
            "LP bound {}{}",
            thousands(b, 2),
            inst.bound_time_s
                .map_or(String::new(), |t| format!(" ({})", seconds(t)))
        ),
        (None, Some(e)) => format!("no LP bound: {e}"),
        (None, None) => "no LP bound".into(),
    };
    let best = inst
        .rows
        .iter()
        .fold(None, |b, r| best_bound(b, r.lower_bound));
    let best = match (best, inst.lp_bound) {
        (Some(b), Some(lp)) if b > lp + 1e-9 * lp.abs().max(1.0) => {
            format!(", best bound {}", thousands(b, 2))
        }
        (Some(b), None) => format!(", best bound {}", thousands(b, 2)),
        _ => String::new(),
    };
    format!("{}: {orders}, {bound}{best}", inst.name)
}

fn failures(inst: &InstanceResult) -> impl Iterator<Item = (&str, &str)> {
    inst.rows
        .iter()
        .filter_map(|r| r.error.as_deref().map(|e| (r.strategy.as_str(), e)))
}

/// The terminal table: one block per instance, columns aligned, the reason of
/// each failed run below its block.
pub fn render_text(results: &[InstanceResult]) -> String {
    let mut out = String::new();
    for inst in results {
        let cells = table_cells(inst);
        let mut widths: Vec<usize> = TABLE_HEADER.iter().map(|h| h.chars().count()).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: &[String]| {
            let parts: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    if i < 2 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
                    }
                })
                .collect();
            format!("  {}\n", parts.join("  ").trim_end())
        };
        out.push_str(&instance_caption(inst));
        out.push('\n');
        let header: Vec<String> = TABLE_HEADER.iter().map(|h| h.to_string()).collect();
        out.push_str(&line(&header));
        for row in &cells {
            out.push_str(&line(row));
        }
        for (s, e) in failures(inst) {
            out.push_str(&format!("  {s} failed: {e}\n"));
        }
        out.push('\n');
    }
    out
}

/// `results.md`: the same tables in Markdown, with a legend.
pub fn render_markdown(results: &[InstanceResult]) -> String {
    let mut out = String::from(
        "Cost is the plan's total cost; gap is (cost - lower bound) / cost with the \
         lower bound the best known for the instance: the largest of the LP relaxation \
         bound and the MIP runs' own bounds, each valid for the whole wave; \
         split rate is the share of multi-unit orders shipped in more than one package; \
         time is the wall time of the run's process (loading, solving, writing); over \
         limit is how much of it was past the time limit (`-`: none); memory \
         its peak resident size; saving is against the `shopify` rule.\n\n",
    );
    for inst in results {
        out.push_str(&format!("**{}**\n\n", instance_caption(inst)));
        out.push_str(&format!("| {} |\n", TABLE_HEADER.join(" | ")));
        let align: Vec<&str> = (0..TABLE_HEADER.len())
            .map(|i| if i < 2 { "---" } else { "---:" })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for row in table_cells(inst) {
            let escaped: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", escaped.join(" | ")));
        }
        for (s, e) in failures(inst) {
            out.push_str(&format!("\n`{s}` failed: {}\n", e.replace('|', "\\|")));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::bench::fixtures::{instance, ok_row};
    use crate::cli::bench::records::Row;

    #[test]
    fn the_table_shows_a_run_past_its_time_limit_and_a_dash_for_one_within_it() {
        let mut late = ok_row("monolithic", 10_000.0, Some(9_000.0));
        late.over_limit_s = Some(25.0);
        let cells = table_cells(&instance(vec![
            late,
            ok_row("auto", 9_500.0, Some(9_000.0)),
        ]));
        let col = TABLE_HEADER
            .iter()
            .position(|h| *h == "over limit")
            .unwrap();
        assert_eq!(cells[0][col], "25.0 s");
        assert_eq!(cells[1][col], "-");
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(-1000.5, 1), "-1,000.5");
        assert_eq!(thousands(0.0, 2), "0.00");
    }

    #[test]
    fn the_text_table_has_a_row_per_strategy_with_saving_against_shopify() {
        let inst = instance(vec![
            ok_row("monolithic", 9_500.0, Some(9_400.0)),
            ok_row("shopify", 10_000.0, Some(9_000.0)),
            Row::failed("peak-s", "closest", "domopt: out of memory".into(), 2.0),
        ]);
        let text = render_text(&[inst]);
        assert!(text.starts_with("peak-s: 1,000 orders, LP bound 9,000.00 (0.50 s)"));
        let mono = text
            .lines()
            .find(|l| l.starts_with("  monolithic"))
            .unwrap();
        assert!(mono.contains("9,500.00"), "{mono}");
        assert!(mono.contains("1.05%"), "{mono}");
        assert!(mono.contains("+5.0%"), "{mono}");
        assert!(mono.contains("42 MB"), "{mono}");
        let shop = text.lines().find(|l| l.starts_with("  shopify")).unwrap();
        assert!(shop.trim_end().ends_with("base"), "{shop}");
        assert!(text.contains("closest failed: domopt: out of memory"));
        // Columns line up: every table line of the block is as long as the header
        // or shorter only by trailing blanks of the error row.
        let header = text.lines().nth(1).unwrap();
        assert!(header.contains("saving vs shopify"));
        assert_eq!(mono.len(), header.len());
    }

    #[test]
    fn the_markdown_table_has_as_many_cells_in_every_row_as_in_its_header() {
        let inst = instance(vec![
            ok_row("monolithic", 9_500.0, Some(9_400.0)),
            Row::failed("peak-s", "shopify", "bad | pipe".into(), 2.0),
        ]);
        let md = render_markdown(&[inst]);
        let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(table.len(), 4);
        let cells = |l: &str| l.matches(" | ").count();
        assert!(table.iter().all(|l| cells(l) == cells(table[0])));
        assert!(table[1].contains("---:"));
        assert!(md.contains("`shopify` failed: bad \\| pipe"));
    }
}
