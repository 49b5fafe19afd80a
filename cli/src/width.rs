//! Text that fits a mail: 80 columns by default, wrapped with a hanging
//! indent, and toggle ids explained by their commit subjects.

use pagelife_core::profile::{Profile, Toggle};

/// The width every table aims for unless told otherwise.
pub const WIDTH: usize = 80;

/// Word-wrap `s` into lines of at most `width` characters: the first starts
/// with `first`, the others with `rest`. A word longer than a line (a path)
/// gets a line of its own and is not cut, so it can still be copied.
pub fn wrap(s: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = first.to_string();
    let mut empty = true;
    for word in s.split_whitespace() {
        let n = word.chars().count();
        if !empty && cur.chars().count() + 1 + n > width {
            out.push(std::mem::replace(&mut cur, rest.to_string()));
            empty = true;
        }
        if !empty {
            cur.push(' ');
        }
        cur.push_str(word);
        empty = false;
    }
    if !empty || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Lines `  <id>  <commit subject>` for every toggle added or removed in
/// `profiles`, wrapped to `width`; empty if none is.
pub fn toggle_legend<'a>(
    profiles: impl IntoIterator<Item = &'a Profile>,
    width: usize,
) -> Vec<String> {
    let mut seen: Vec<Toggle> = Vec::new();
    for p in profiles {
        for t in p.add.iter().chain(p.remove.iter()) {
            if !seen.contains(&t) {
                seen.push(t);
            }
        }
    }
    let mut out = Vec::new();
    if seen.is_empty() {
        return out;
    }
    out.push("toggles:".to_string());
    for t in seen {
        let first = format!("  {:<13} ", t.id());
        out.extend(wrap(t.title(), width, &first, &" ".repeat(16)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_fits_and_keeps_long_words_whole() {
        let w = wrap(&format!("a {} b", "x".repeat(100)), 40, "  ", "    ");
        assert_eq!(w.len(), 3, "{w:?}");
        assert_eq!(w[1], format!("    {}", "x".repeat(100)));
        let w = wrap("a b c", 80, "> ", "  ");
        assert_eq!(w, vec!["> a b c"]);
    }
}
