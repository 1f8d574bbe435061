//! Helpers the generated-scenario tests share: building a scenario through
//! validation, and reporting a failing one compactly.

use domopt::CostModel;
use domopt::domain::Scenario;
use domopt::format::{LoadedScenario, ScenarioFile};
use domopt::input::validate;

/// The scenario of a generated file, through the same validation as `solve`.
pub fn build(file: &ScenarioFile) -> Scenario {
    let loaded = LoadedScenario {
        file: file.clone(),
        orphan_lines: vec![],
        source: format!("{}.json", file.name.as_deref().unwrap_or("generated")).into(),
    };
    let model = CostModel::load("us-parcel").expect("the us-parcel preset loads");
    match validate::build_scenario(&loaded, &model, &Default::default()) {
        Ok((s, _)) => s,
        Err(report) => panic!(
            "generated scenario is invalid: {:#?}\n{}",
            report.errors().collect::<Vec<_>>(),
            compact_json(file)
        ),
    }
}

/// The scenario as compact JSON without its empty fields, for failure reports.
pub fn compact_json(file: &ScenarioFile) -> String {
    fn strip(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => serde_json::Value::Object(
                m.into_iter()
                    // An empty capability list is not the default (ship to home).
                    .filter(|(k, v)| {
                        !v.is_null()
                            && (k == "capabilities" || v.as_array().is_none_or(|a| !a.is_empty()))
                    })
                    .map(|(k, v)| (k, strip(v)))
                    .collect(),
            ),
            serde_json::Value::Array(a) => {
                serde_json::Value::Array(a.into_iter().map(strip).collect())
            }
            other => other,
        }
    }
    strip(serde_json::to_value(file).expect("scenario serialises")).to_string()
}

/// The message of a caught panic.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|m| m.to_string()))
        .unwrap_or_default()
}

/// `domopt generate --preset tiny --seed SEED` (about 50 orders) written to
/// `dir/tiny`, whose path is returned.
#[allow(dead_code)] // Only the tune and simulation tests generate one.
pub fn generate_tiny(bin: &str, dir: &std::path::Path, seed: u32) -> std::path::PathBuf {
    let wave = dir.join("tiny");
    let out = std::process::Command::new(bin)
        .args([
            "generate",
            "--preset",
            "tiny",
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(&wave)
        .output()
        .expect("domopt runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wave
}
