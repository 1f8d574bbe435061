//! What can go wrong between domopt and HiGHS.

/// A failure of the solver layer. Callers keep the best plan they have and
/// report the error's text in the solve record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// HiGHS returned an error status while doing this.
    #[error("HiGHS error while {0}")]
    Highs(String),
    /// An earlier HiGHS error took the master's model with it.
    #[error("the HiGHS master was lost to an earlier HiGHS error")]
    Lost,
    /// The master LP stopped without an optimum (the HiGHS model status).
    #[error("master LP stopped with HiGHS model status {0}")]
    Stopped(i32),
    /// HiGHS refused the model good_lp built.
    #[error("HiGHS refused the model: {0}")]
    Refused(String),
    /// Arguments that disagree (lengths, indices, or counts beyond what HiGHS
    /// can count): nothing was passed to HiGHS.
    #[error("{0}")]
    Arguments(String),
}

impl SolverError {
    /// A HiGHS error status while doing `what`.
    pub fn highs(what: &str) -> SolverError {
        SolverError::Highs(what.to_string())
    }
}
