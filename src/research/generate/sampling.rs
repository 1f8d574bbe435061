//! Drawing an index from weights.

use rand::Rng;

/// Sampling from cumulative weights.
pub(crate) struct Cumulative(Vec<f64>);

impl Cumulative {
    /// Weights in index order; they need not sum to one.
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let mut v: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        let total = acc.max(f64::MIN_POSITIVE);
        v.iter_mut().for_each(|x| *x /= total);
        Cumulative(v)
    }

    /// An index drawn in proportion to its weight.
    pub(crate) fn sample(&self, rng: &mut impl Rng) -> usize {
        let u: f64 = rng.random();
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1)
    }
}
