//! Cost models: named presets in `models/*.toml` (embedded at build time) or a
//! TOML file, merged with the scenario's and the run's overrides.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::DomoptError;
use crate::input::format::{PolicyOverrides, ServiceRecord, malformed};

/// The presets shipped in `models/`: (name, TOML text).
pub const PRESETS: &[(&str, &str)] = &[
    ("us-parcel", include_str!("../../models/us-parcel.toml")),
    ("jasin-sinha", include_str!("../../models/jasin-sinha.toml")),
];

/// The preset used when none is named.
pub const DEFAULT_MODEL: &str = "us-parcel";

/// A cost model as written in TOML.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    /// Name.
    pub name: String,
    /// One line for reports.
    #[serde(default)]
    pub description: String,
    /// Penalties and rules.
    #[serde(default)]
    pub policy: PolicyOverrides,
    /// Carrier services.
    #[serde(default)]
    pub services: Vec<ServiceRecord>,
    /// Carrier calendars: name -> non-delivery dates (`YYYY-MM-DD`), added to
    /// the built-in ones or replacing one of the same name; a scenario's
    /// calendar of the same name replaces the model's.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub calendars: std::collections::BTreeMap<String, Vec<String>>,
    /// Defaults of the scenario's transfer lanes (a lane's own values win).
    #[serde(default)]
    pub transfers: TransferDefaults,
}

/// The `[transfers]` table: what a transfer lane costs and takes when the
/// lane does not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferDefaults {
    /// Cost per transfer package.
    #[serde(default)]
    pub per_package: Option<f64>,
    /// Cost per unit moved.
    #[serde(default)]
    pub per_unit: Option<f64>,
    /// Whole business days from release at the source to arrival at the store.
    #[serde(default)]
    pub lead_days: Option<f64>,
}

impl CostModel {
    /// Parses a model from TOML text.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self, DomoptError> {
        // The TOML error is not kept as the source: its text quotes the
        // offending line, and `--model` may name any file (see `located_message`).
        let toml_error = |e: toml::de::Error| DomoptError::parse(origin, located_message(text, &e));
        let model: CostModel = toml::from_str(text).map_err(toml_error)?;
        // As in scenarios, a record given as an array of its fields
        // (`policy = [1, 2]`) is refused rather than read in field order.
        let tree: toml::Value = toml::from_str(text).map_err(toml_error)?;
        let json = serde_json::to_string(&tree).map_err(|e| malformed(origin, e))?;
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(&json).map_err(|e| malformed(origin, e))?;
        let schema = serde_json::to_value(schemars::schema_for!(CostModel))
            .map_err(|e| malformed(origin, e))?;
        crate::input::format::objects_where_wanted(raw, &schema, &schema, "model")
            .map_err(|e| malformed(origin, e))?;
        Ok(model)
    }

    /// A preset by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Self, DomoptError> {
        if let Some((name, text)) = PRESETS.iter().find(|(n, _)| *n == name_or_path) {
            return Self::from_toml(text, Path::new(&format!("models/{name}.toml")));
        }
        let path = Path::new(name_or_path);
        if path.is_file() {
            let size = std::fs::metadata(path)
                .map_err(|e| DomoptError::io(path, e))?
                .len();
            if size > MAX_MODEL_BYTES {
                return Err(DomoptError::parse(
                    path,
                    format!("{size} bytes: a cost model has at most {MAX_MODEL_BYTES}"),
                ));
            }
            let bytes = std::fs::read(path).map_err(|e| DomoptError::io(path, e))?;
            let text = String::from_utf8(bytes)
                .map_err(|e| DomoptError::parse_with(path, "not UTF-8 text", e))?;
            return Self::from_toml(&text, path);
        }
        Err(DomoptError::UnknownModel {
            name: name_or_path.to_string(),
            presets: PRESETS.iter().map(|(name, _)| name.to_string()).collect(),
        })
    }
}

/// The largest cost-model file read.
const MAX_MODEL_BYTES: u64 = 1 << 20;

/// A TOML error as "line L, column C: message", without quoting the file:
/// `--model` may name any file, whose lines must not leak into the error.
fn located_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            format!("line {line}, column {column}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

impl PolicyOverrides {
    /// `self` with every value that `other` sets replaced by `other`'s.
    pub fn overlaid(&self, other: &PolicyOverrides) -> PolicyOverrides {
        PolicyOverrides {
            split_penalty: other.split_penalty.or(self.split_penalty),
            late_penalty_per_day: other.late_penalty_per_day.or(self.late_penalty_per_day),
            unfilled_penalty_per_unit: other
                .unfilled_penalty_per_unit
                .or(self.unfilled_penalty_per_unit),
            unfilled_rule: other.unfilled_rule.clone().or(self.unfilled_rule.clone()),
            store_premium_per_unit: other.store_premium_per_unit.or(self.store_premium_per_unit),
            cross_market: other.cross_market.clone().or(self.cross_market.clone()),
            cross_market_penalty: other.cross_market_penalty.or(self.cross_market_penalty),
            service_levels: other.service_levels.clone().or(self.service_levels.clone()),
            planned_move_penalty: other.planned_move_penalty.or(self.planned_move_penalty),
            released_move_penalty: other.released_move_penalty.or(self.released_move_penalty),
        }
    }

    /// Parses `key=value` assignments (TOML values), as given to `--set`.
    pub fn from_assignments(assignments: &[String]) -> Result<Self, DomoptError> {
        let mut text = String::new();
        for a in assignments {
            let Some((k, v)) = a.split_once('=') else {
                return Err(DomoptError::Settings {
                    field: a.clone(),
                    detail: "expected KEY=VALUE, e.g. split_penalty=12".into(),
                });
            };
            let (k, v) = (k.trim(), v.trim());
            // One assignment is one TOML line: a newline or other control
            // character would let a value set other keys.
            if k.is_empty()
                || !k.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                || v.chars().any(char::is_control)
            {
                return Err(DomoptError::Settings {
                    field: a.escape_debug().to_string(),
                    detail: "expected KEY=VALUE on one line, the key in letters, digits and _"
                        .into(),
                });
            }
            // Bare words are strings: cross_market=penalty.
            let value = if v.parse::<f64>().is_ok() || v.starts_with(['"', '{', '[']) {
                v.to_string()
            } else {
                format!("\"{v}\"")
            };
            text.push_str(&format!("{k} = {value}\n"));
        }
        toml::from_str(&text).map_err(|e| DomoptError::Settings {
            field: "--set".into(),
            detail: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_record_given_as_an_array_is_refused() {
        let e = CostModel::from_toml("name = \"m\"\npolicy = [1, 2]\n", Path::new("m.toml"))
            .expect_err("policy as an array was read");
        assert_eq!(e.code(), Some(crate::error::IssueCode::Malformed));
        assert!(e.to_string().contains("model.policy"), "{e}");
    }

    #[test]
    fn every_preset_parses_and_names_itself() {
        for (name, _) in PRESETS {
            let m = CostModel::load(name).unwrap();
            assert_eq!(&m.name, name);
            assert!(!m.services.is_empty());
        }
    }

    #[test]
    fn run_overrides_win_over_the_model() {
        let model = CostModel::load("us-parcel").unwrap();
        let run = PolicyOverrides::from_assignments(&[
            "split_penalty=12".into(),
            "cross_market=penalty".into(),
        ])
        .unwrap();
        let merged = model.policy.overlaid(&run);
        assert_eq!(merged.split_penalty, Some(12.0));
        assert_eq!(merged.cross_market.as_deref(), Some("penalty"));
        assert_eq!(
            merged.late_penalty_per_day,
            model.policy.late_penalty_per_day
        );
    }

    #[test]
    fn an_unknown_override_key_is_an_error() {
        assert!(PolicyOverrides::from_assignments(&["split_penalt=1".into()]).is_err());
        assert!(PolicyOverrides::from_assignments(&["nonsense".into()]).is_err());
    }

    #[test]
    fn an_unknown_model_name_is_an_error() {
        assert!(matches!(
            CostModel::load("no-such-model"),
            Err(DomoptError::UnknownModel { .. })
        ));
    }
}
