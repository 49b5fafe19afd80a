//! The step audit table of docs/model.md, generated from the step
//! declarations (`core/src/step.rs`): for every step, the kernel code it
//! follows, the locks held across it, and the shared state it reads and
//! writes. `pagelife steps --audit` prints it; a test keeps docs/model.md
//! equal to it.

use crate::step::StepId;

/// The first sentence of a step's doc comment: the kernel code it follows.
fn follows(s: StepId) -> String {
    let doc = s.doc().replace('\n', " ");
    let first = doc
        .split(". ")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.');
    first.replace('|', "\\|")
}

fn cell(s: &str) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        s.replace('|', "\\|")
    }
}

/// The audit table, as Markdown.
pub fn table() -> String {
    let mut out = String::from(
        "| step | follows | locks held across it | shared state (r: read, w: written) |\n\
         |---|---|---|---|\n",
    );
    for &s in StepId::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            s.name(),
            follows(s),
            cell(s.locks()),
            cell(s.state())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_step_is_a_row() {
        let t = super::table();
        assert_eq!(t.lines().count(), crate::step::StepId::ALL.len() + 2);
    }
}
