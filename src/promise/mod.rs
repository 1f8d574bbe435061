//! Promising, the first decision, at checkout: what is available to promise
//! by node, date and channel ([`atp`]), and what may be promised for a cart
//! ([`quote`]), with the optimiser's date and cost rules.

pub mod atp;
mod choose;
pub mod quote;
