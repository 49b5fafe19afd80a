//! Splitting a litmus line into words, with columns counted in characters.

/// A word of a line, with its 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// The text.
    pub text: &'a str,
    /// Its 1-based column, in characters.
    pub col: usize,
}

impl Word<'_> {
    /// The column just after the word.
    pub fn end(&self) -> usize {
        self.col + self.text.chars().count()
    }
}

/// The words of `line` before any `#` comment.
pub fn words(line: &str) -> Vec<Word<'_>> {
    let code = line.split('#').next().unwrap_or("");
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (col, (i, ch)) in code.char_indices().enumerate() {
        if ch.is_whitespace() {
            if let Some((s, c)) = start.take() {
                out.push(Word {
                    text: &code[s..i],
                    col: c + 1,
                });
            }
        } else if start.is_none() {
            start = Some((i, col));
        }
    }
    if let Some((s, c)) = start {
        out.push(Word {
            text: &code[s..],
            col: c + 1,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let w = words("  é ab # c");
        assert_eq!(w[0], Word { text: "é", col: 3 });
        assert_eq!(w[1], Word { text: "ab", col: 5 });
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].end(), 7);
    }
}
