//! Progress on standard error for long runs (`check`, `matrix`): only on a
//! terminal and without `-q`, so pipes and CI logs get the results alone.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::out::progress_allowed;

/// A spinner with the elapsed time, or nothing.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    /// Start a spinner saying `msg`.
    pub fn start(msg: &str) -> Spinner {
        Spinner(progress_allowed().then(|| {
            let pb = ProgressBar::new_spinner();
            pb.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb.set_message(msg.to_string());
            pb.enable_steady_tick(Duration::from_millis(120));
            pb
        }))
    }

    /// A bar of `total` steps saying `msg`.
    pub fn bar(total: u64, msg: &str) -> Spinner {
        Spinner(progress_allowed().then(|| {
            let pb = ProgressBar::new(total);
            pb.set_style(
                ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            pb.set_message(msg.to_string());
            pb.enable_steady_tick(Duration::from_millis(250));
            pb
        }))
    }

    /// One step done; now doing `msg`.
    pub fn step(&self, msg: &str) {
        if let Some(pb) = &self.0 {
            pb.inc(1);
            pb.set_message(msg.to_string());
        }
    }

    /// Remove it.
    pub fn finish(&self) {
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}
