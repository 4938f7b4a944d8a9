//! Time cursors (docs/uw-api.md#time-cursors): the text of a cursor value, and the windows a
//! newest-first walk covers a range in when UW answers no wider a query than some span
//! (`/api/option-trades/multi-leg`: 24 hours).

/// A cursor value for `older_than`/`newer_than`: Unix milliseconds, or an RFC 3339 UTC time with
/// milliseconds (`2026-07-17T14:31:02.123Z`) where UW documents ISO-8601 only.
#[must_use]
pub(crate) fn cursor_value(ms: u64, iso: bool) -> String {
    if !iso {
        return ms.to_string();
    }
    i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or_else(|| ms.to_string(), |t| format!("{t:.3}"))
}

/// One query's bounds in a newest-first walk, Unix milliseconds: the `older_than` its pages start
/// from, and its `newer_than` (`None`: the walk has no start, and sends none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CursorWindow {
    pub(crate) older_than_ms: u64,
    pub(crate) newer_than_ms: Option<u64>,
}

/// The windows of a walk from `older_than` back to `newer_than`, newest first.
///
/// Without a largest span it is one window, the whole range. With one, no window spans more,
/// since UW would quietly answer only its newest part; each next window's `older_than` lies one
/// millisecond above the previous `newer_than`. Whichever way UW reads the bounds (UW documents
/// multi-leg's as inclusive, the others' as exclusive), no instant between two windows is left
/// out; a record on a boundary may come in both, and history keeps it once.
#[derive(Debug, Clone)]
pub(crate) struct CursorWindows {
    range_newer_than_ms: Option<u64>,
    max_span_ms: Option<u64>,
    next: Option<CursorWindow>,
}

impl CursorWindows {
    pub(crate) fn new(
        older_than_ms: u64,
        newer_than_ms: Option<u64>,
        max_span_ms: Option<u64>,
    ) -> Self {
        let mut windows = Self {
            range_newer_than_ms: newer_than_ms,
            max_span_ms,
            next: None,
        };
        windows.next = Some(windows.window(older_than_ms));
        windows
    }

    /// The window that starts at `older_than_ms`: as far back as the span allows, but not past the
    /// range's start.
    fn window(&self, older_than_ms: u64) -> CursorWindow {
        let newer_than_ms = self
            .range_newer_than_ms
            .map(|start| match self.max_span_ms {
                Some(span) => start.max(older_than_ms.saturating_sub(span)),
                None => start,
            });
        CursorWindow {
            older_than_ms,
            newer_than_ms,
        }
    }
}

impl Iterator for CursorWindows {
    type Item = CursorWindow;

    fn next(&mut self) -> Option<CursorWindow> {
        let window = self.next?;
        // Done once a window reaches the range's start (or cannot move back).
        self.next = window
            .newer_than_ms
            .filter(|newer| self.range_newer_than_ms.is_some_and(|start| *newer > start))
            .map(|newer| newer.saturating_add(1))
            .filter(|older| *older < window.older_than_ms)
            .map(|older| self.window(older));
        Some(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::endpoint::MULTI_LEG_MAX_SPAN_MS as DAY;

    #[test]
    fn iso_cursors_are_utc_times_with_milliseconds() {
        assert_eq!(
            cursor_value(1_784_298_662_123, true),
            "2026-07-17T14:31:02.123Z"
        );
        assert_eq!(
            cursor_value(1_784_298_662_000, true),
            "2026-07-17T14:31:02.000Z"
        );
        assert_eq!(cursor_value(1_784_298_662_123, false), "1784298662123");
    }

    #[test]
    fn a_range_wider_than_the_span_is_walked_in_windows_that_leave_no_instant_out() {
        let (start, end) = (1_000_000, 1_000_000 + 5 * DAY + 7);
        let windows: Vec<_> = CursorWindows::new(end, Some(start), Some(DAY)).collect();
        assert_eq!(windows.len(), 6, "{windows:?}");
        assert_eq!(windows[0].older_than_ms, end);
        assert_eq!(windows.last().unwrap().newer_than_ms, Some(start));
        for w in &windows {
            let span = w.older_than_ms - w.newer_than_ms.unwrap();
            assert!(span <= DAY, "{w:?} spans {span} ms");
        }
        // Each window reaches a millisecond into the one after it.
        for pair in windows.windows(2) {
            assert_eq!(pair[1].older_than_ms, pair[0].newer_than_ms.unwrap() + 1);
        }
    }

    #[test]
    fn without_a_span_or_a_start_the_range_is_one_window() {
        let one = |span| CursorWindows::new(9 * DAY, Some(DAY), span).collect::<Vec<_>>();
        assert_eq!(
            one(None),
            [CursorWindow {
                older_than_ms: 9 * DAY,
                newer_than_ms: Some(DAY)
            }]
        );
        // A range within the span: one window.
        assert_eq!(one(Some(8 * DAY)).len(), 1);
        let open: Vec<_> = CursorWindows::new(9 * DAY, None, Some(DAY)).collect();
        assert_eq!(
            open,
            [CursorWindow {
                older_than_ms: 9 * DAY,
                newer_than_ms: None
            }]
        );
    }
}
