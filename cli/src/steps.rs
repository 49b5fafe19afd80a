//! `pagelife steps`: the step labels a litmus schedule can use.

use pagelife_core::step::StepId;

use crate::width::{wrap, WIDTH};

/// Print every step label with the first line of what it models (or the
/// audit table).
pub fn run(verbose: bool, audit: bool) -> anyhow::Result<crate::Status> {
    if audit {
        out!("{}", pagelife_core::audit::table());
        return Ok(crate::Status::Ok);
    }
    for s in StepId::ALL {
        if verbose {
            outln!(
                "{}\n    {}\n",
                s.name(),
                s.doc().trim().replace('\n', "\n    ")
            );
        } else {
            let first = s.doc().split(". ").next().unwrap_or("").replace('\n', " ");
            let first = format!("{}.", first.trim().trim_end_matches('.'));
            let head = format!("{:30} ", s.name());
            let pad = " ".repeat(31);
            let lines = if head.chars().count() > 31 {
                outln!("{}", s.name());
                wrap(&first, WIDTH, &pad, &pad)
            } else {
                wrap(&first, WIDTH, &head, &pad)
            };
            for l in lines {
                outln!("{l}");
            }
        }
    }
    Ok(crate::Status::Ok)
}
