//! Draws the bench's charts with plotters, as PNG and SVG, with an embedded
//! font so that no system font library is needed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use super::charts::{BarChart, Chart, LinesChart, LogLogChart, ScatterChart};
use super::table::thousands;

const FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
const CHART_SIZE: (u32, u32) = (1000, 600);
/// Okabe-Ito colours, distinguishable with colour-blindness.
const COLOURS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// Registers the embedded font as plotters' `sans-serif` (once). With
/// plotters' `ab_glyph` feature on, which this crate turns on for every
/// plotters user in the build (criterion's reports too), text finds no font
/// until this is called: a criterion bench calls it before its first
/// benchmark.
pub fn register_chart_font() -> anyhow::Result<()> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow!("the embedded chart font could not be read"))
    }
}

/// An x axis of `n` groups, one unit wide each, with a key point (and label)
/// at the centre of each group.
#[derive(Debug, Clone)]
struct GroupAxis(usize);

impl Ranged for GroupAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let share = v / self.0.max(1) as f64;
        limit.0 + ((limit.1 - limit.0) as f64 * share).round() as i32
    }
    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|i| i as f64 + 0.5).collect()
    }
    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.0 as f64
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_bars<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &BarChart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let n = c.groups.len().max(1);
    let values = c
        .series
        .iter()
        .flat_map(|s| s.1.iter())
        .chain(c.marker.iter().flat_map(|m| m.1.iter()))
        .flatten();
    let top = values.fold(0.0f64, |a, &v| a.max(v));
    // Head room for the legend in the upper right corner.
    let top = if top > 0.0 { top * 1.4 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(GroupAxis(n), 0.0..top)?;
    let groups = c.groups.clone();
    let label = move |x: &f64| {
        let i = x.floor() as usize;
        groups.get(i).cloned().unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&label)
        .y_label_formatter(&|v: &f64| {
            if top >= 10.0 {
                thousands(*v, 0)
            } else {
                format!("{v:.2}")
            }
        })
        .y_desc(c.y_desc.as_str())
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    let k = c.series.len().max(1) as f64;
    let width = 0.8 / k;
    for (j, (name, vals)) in c.series.iter().enumerate() {
        let col = colour(j);
        let bars = vals.iter().enumerate().filter_map(move |(i, v)| {
            v.map(|v| {
                let x0 = i as f64 + 0.1 + j as f64 * width;
                Rectangle::new(
                    [(x0 + width * 0.05, 0.0), (x0 + width * 0.95, v)],
                    col.filled(),
                )
            })
        });
        chart
            .draw_series(bars)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], col.filled()));
    }
    if let Some((name, vals)) = &c.marker {
        let lines = vals.iter().enumerate().filter_map(|(i, v)| {
            v.map(|v| {
                PathElement::new(
                    vec![(i as f64 + 0.06, v), (i as f64 + 0.94, v)],
                    BLACK.stroke_width(2),
                )
            })
        });
        chart
            .draw_series(lines)?
            .label(name.as_str())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.stroke_width(2)));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || hi <= 0.0 {
        (0.1, 10.0)
    } else {
        (lo / 2.0, hi * 2.0)
    }
}

fn draw_loglog<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &LogLogChart,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let points = || {
        c.series
            .iter()
            .flat_map(|s| s.1.iter())
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
    };
    let (x0, x1) = log_range(points().map(|p| p.0));
    let (y0, y1) = log_range(points().map(|p| p.1));
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    let short = |v: &f64| {
        if *v >= 1000.0 {
            thousands(*v, 0)
        } else if *v >= 1.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    };
    chart
        .configure_mesh()
        .x_desc(c.x_desc.as_str())
        .y_desc(c.y_desc.as_str())
        .x_label_formatter(&short)
        .y_label_formatter(&short)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    for (j, (name, pts)) in c.series.iter().enumerate() {
        let col = colour(j);
        let mut pts: Vec<(f64, f64)> = pts
            .iter()
            .copied()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], col.stroke_width(2)));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, col.filled())))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()
}

/// `[lo, hi]` widened by a twentieth on each side (one unit if flat).
fn linear_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) / 20.0).max(if hi == lo { 0.5 } else { 0.0 });
    (lo - pad, hi + pad)
}

/// Linear axes over the points' ranges, with the chart's caption and mesh.
type Linear<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The axes a linear chart draws on: its title, ranges padded around the
/// points, the axis descriptions and labels (y in thousands).
fn linear_axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    points: impl Iterator<Item = (f64, f64)> + Clone,
    (x_desc, y_desc): (&str, &str),
) -> Result<Linear<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (x0, x1) = linear_range(points.clone().map(|p| p.0));
    let (y0, y1) = linear_range(points.map(|p| p.1));
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .y_label_formatter(&|v| thousands(*v, if v.abs() < 10.0 { 2 } else { 0 }))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    Ok(chart)
}

/// The series' legend, framed, at `position`.
fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
}

fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ScatterChart,
) -> DrawResult<DB> {
    let mut chart = linear_axes(
        root,
        &c.title,
        c.points.iter().copied(),
        (&c.x_desc, &c.y_desc),
    )?;
    let grey = RGBColor(150, 150, 150);
    chart
        .draw_series(c.points.iter().map(|&p| Circle::new(p, 4, grey.filled())))?
        .label("every point")
        .legend(move |(x, y)| Circle::new((x + 7, y), 4, grey.filled()));
    let col = colour(0);
    let mut line = c.line.1.clone();
    line.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart
        .draw_series(LineSeries::new(line.clone(), col.stroke_width(2)))?
        .label(c.line.0.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], col.stroke_width(2)));
    chart.draw_series(line.into_iter().map(|p| Circle::new(p, 5, col.filled())))?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

fn draw_lines<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &LinesChart) -> DrawResult<DB> {
    let points = c.series.iter().flat_map(|s| s.1.iter().copied());
    let mut chart = linear_axes(root, &c.title, points, (&c.x_desc, &c.y_desc))?;
    for (j, (name, pts)) in c.series.iter().enumerate() {
        let col = colour(j);
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), col.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], col.stroke_width(2)));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<DB> {
    match chart {
        Chart::Bars(c) => draw_bars(root, c),
        Chart::LogLog(c) => draw_loglog(root, c),
        Chart::Scatter(c) => draw_scatter(root, c),
        Chart::Lines(c) => draw_lines(root, c),
    }
}

/// Draws a chart as PNG and SVG bytes (through files in `scratch`).
pub fn chart_bytes(chart: &Chart, scratch: &Path, stem: &str) -> anyhow::Result<[Vec<u8>; 2]> {
    let [png, svg] = save_chart(chart, scratch, stem)?;
    let read = |p: &PathBuf| std::fs::read(p).with_context(|| p.display().to_string());
    Ok([read(&png)?, read(&svg)?])
}

/// Draws a chart to `dir/stem.png` and `dir/stem.svg`; returns both paths.
pub fn save_chart(chart: &Chart, dir: &Path, stem: &str) -> anyhow::Result<[PathBuf; 2]> {
    register_chart_font()?;
    std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    {
        let root = BitMapBackend::new(&png, CHART_SIZE).into_drawing_area();
        draw(&root, chart).map_err(|e| anyhow!("{}: {e}", png.display()))?;
    }
    {
        let root = SVGBackend::new(&svg, CHART_SIZE).into_drawing_area();
        draw(&root, chart).map_err(|e| anyhow!("{}: {e}", svg.display()))?;
    }
    Ok([png, svg])
}
