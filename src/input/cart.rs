//! Carts as people write them for a checkout promise: one cart object, or
//! `{"carts": [...]}` for several, in a JSON file.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::DomoptError;
use crate::input::format::malformed;

/// A cart to quote: its lines, where it goes, and who asks.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CartRecord {
    /// An id for the answer (default: the cart's position, from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// When the cart is quoted (`YYYY-MM-DDTHH:MM`); default: the scenario's wave time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Destination US ZIP code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Destination latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Destination longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// Destination market (default `US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    /// The lines.
    pub lines: Vec<CartLineRecord>,
    /// The store the customer would collect from (adds the pickup option).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_node: Option<String>,
    /// The sales channel (one of the scenario's `channels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The date the customer needs it by (`YYYY-MM-DD`): options arriving
    /// later are unavailable, and holiday ship-by deadlines apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_by: Option<String>,
}

/// One line of a cart.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CartLineRecord {
    /// SKU id.
    pub sku: String,
    /// Units.
    pub quantity: f64,
}

/// A question about stock available to promise, as ids.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AtpQueryRecord {
    /// SKU ids.
    pub skus: Vec<String>,
    /// The date (`YYYY-MM-DD`); default: the scenario's wave date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The channel asking; default: the default channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Only nodes of this market; default: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
}

/// Several carts in one file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CartFile {
    /// The carts.
    pub carts: Vec<CartRecord>,
}

/// The largest cart file read (a cart of a thousand lines takes about 60 kB).
pub const MAX_CART_FILE_BYTES: u64 = 64 << 20;

/// Reads the carts of a file: one cart, or `{"carts": [...]}`.
pub fn read_carts(path: &Path) -> Result<Vec<CartRecord>, DomoptError> {
    let size = std::fs::metadata(path)
        .map_err(|e| DomoptError::io(path, e))?
        .len();
    if size > MAX_CART_FILE_BYTES {
        return Err(DomoptError::parse(
            path,
            format!("{size} bytes: a cart file has at most {MAX_CART_FILE_BYTES}"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| DomoptError::io(path, e))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| DomoptError::parse_with(path, format!("not UTF-8 text: {e}"), e))?;
    parse_carts(path, &text)
}

/// The carts of a file's text (`path` names it in errors).
pub fn parse_carts(path: &Path, text: &str) -> Result<Vec<CartRecord>, DomoptError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| malformed(path, e))?;
    // The records are read from the text, not from `value`: a JSON object
    // keeps the last of two equal keys, and a field given twice is refused.
    if value.get("carts").is_some() {
        let file: CartFile = serde_json::from_str(text).map_err(|e| malformed(path, e))?;
        return Ok(file.carts);
    }
    let cart: CartRecord = serde_json::from_str(text).map_err(|e| malformed(path, e))?;
    Ok(vec![cart])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_one_cart_or_a_list_of_carts() {
        let one = r#"{"zip": "10001", "lines": [{"sku": "a", "quantity": 1}]}"#;
        let many = r#"{"carts": [{"zip": "10001", "lines": []}, {"lat": 1, "lon": 2, "lines": []}]}"#;
        let p = Path::new("cart.json");
        assert_eq!(parse_carts(p, one).unwrap().len(), 1);
        assert_eq!(parse_carts(p, many).unwrap().len(), 2);
    }

    #[test]
    fn a_field_given_twice_is_malformed() {
        // (Found by the fuzzer: the second quantity was quoted silently.)
        for twice in [
            r#"{"zip": "10001", "lines": [{"sku": "a", "quantity": 1, "quantity": 5}]}"#,
            r#"{"carts": [{"zip": "10001", "zip": "60611", "lines": []}]}"#,
        ] {
            let e = parse_carts(Path::new("cart.json"), twice).unwrap_err();
            assert_eq!(e.code(), Some(crate::error::IssueCode::Malformed), "{twice}");
            assert!(e.to_string().contains("duplicate field"), "{e}");
        }
    }

    #[test]
    fn a_misspelt_field_is_malformed() {
        let typo = r#"{"zip": "10001", "lnes": [{"sku": "a", "quantity": 1}]}"#;
        let e = parse_carts(Path::new("cart.json"), typo).unwrap_err();
        assert_eq!(e.code(), Some(crate::error::IssueCode::Malformed));
    }
}
