//! The guides quote the code they explain: every code block after a
//! `<!-- from: PATH -->` marker in docs/*.md appears, line for line, in
//! PATH. A change to the code that the guide does not follow fails here.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The quoted blocks of a markdown file: (source path, block text).
fn quoted(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines();
    while let Some(l) = lines.next() {
        let Some(path) = l
            .trim()
            .strip_prefix("<!-- from: ")
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "{path}: no code block after the marker"
        );
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        out.push((path.to_string(), body.join("\n")));
    }
    out
}

#[test]
fn guides_quote_the_code_as_it_is() {
    let mut n = 0;
    for guide in ["docs/extending.md"] {
        let md = std::fs::read_to_string(root().join(guide)).unwrap();
        for (path, block) in quoted(&md) {
            let src = std::fs::read_to_string(root().join(&path))
                .unwrap_or_else(|e| panic!("{guide}: {path}: {e}"));
            assert!(
                src.contains(&block),
                "{guide}: this block is no longer in {path}:\n{block}"
            );
            n += 1;
        }
    }
    assert!(n >= 8, "only {n} quoted blocks");
}

/// docs/model.md's step table is `pagelife steps --audit`: regenerate it
/// with `scripts/gen-docs.sh` when a step changes.
#[test]
fn the_model_page_carries_the_generated_audit_table() {
    let md = std::fs::read_to_string(root().join("docs/model.md")).unwrap();
    let (_, rest) = md
        .split_once("<!-- audit:begin -->\n")
        .expect("begin marker");
    let (table, _) = rest.split_once("<!-- audit:end -->").expect("end marker");
    assert!(
        table == pagelife_core::audit::table(),
        "docs/model.md's step table is stale: run scripts/gen-docs.sh"
    );
}
