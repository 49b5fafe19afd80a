//! `pagelife steps`: the step labels a litmus schedule can use.

use pagelife_core::step::StepId;

/// Print every step label with the first line of what it models.
pub fn run(verbose: bool) -> anyhow::Result<crate::Status> {
    for s in StepId::ALL {
        if verbose {
            outln!(
                "{}\n    {}\n",
                s.name(),
                s.doc().trim().replace('\n', "\n    ")
            );
        } else {
            let first = s.doc().split(". ").next().unwrap_or("").replace('\n', " ");
            outln!("{:30} {}", s.name(), first.trim());
        }
    }
    Ok(crate::Status::Ok)
}
