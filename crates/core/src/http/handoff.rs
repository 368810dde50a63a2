//! A send that another provider stands ready to take (a later provider of its route) gains
//! nothing from waiting on this one: a refused connection, a 429 or a 503 that says it took
//! nothing is handed over at once instead of being retried here after a backoff. The router
//! marks such sends ([`hand_over_when_refused`]); the execution loop asks ([`next_in_line`]).
//! A task-local rather than a parameter: the mark passes through every provider's own code
//! (token refresh, body building) untouched, and cannot leak into other calls.

use std::future::Future;

tokio::task_local! {
    static NEXT_IN_LINE: ();
}

/// Runs `send` knowing that another provider follows; with `another_follows` false, as is.
pub async fn hand_over_when_refused<F: Future>(another_follows: bool, send: F) -> F::Output {
    if another_follows {
        NEXT_IN_LINE.scope((), send).await
    } else {
        send.await
    }
}

/// Whether the call running now is a send that another provider would take.
pub fn next_in_line() -> bool {
    NEXT_IN_LINE.try_with(|_| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_mark_holds_inside_the_scope_only() {
        assert!(!next_in_line());
        assert!(hand_over_when_refused(true, async { next_in_line() }).await);
        assert!(!hand_over_when_refused(false, async { next_in_line() }).await);
        assert!(!next_in_line());
    }
}
