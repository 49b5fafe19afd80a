//! `pagelife steps`: the step labels a litmus schedule can use.

use pagelife_core::step::StepId;

/// Print every step label with the first line of what it models.
pub fn run(verbose: bool) {
    for s in StepId::ALL {
        if verbose {
            println!(
                "{}\n    {}\n",
                s.name(),
                s.doc().trim().replace('\n', "\n    ")
            );
        } else {
            let first = s.doc().split(". ").next().unwrap_or("").replace('\n', " ");
            println!("{:30} {}", s.name(), first.trim());
        }
    }
}
