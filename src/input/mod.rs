//! Reading a scenario: the wire format (JSON, CSV folders), cost models, the
//! run's settings, and validation into the typed network.

pub mod cart;
#[cfg(feature = "columnar")]
pub mod columnar;
pub mod cost_model;
pub mod format;
pub mod settings;
pub mod validate;
