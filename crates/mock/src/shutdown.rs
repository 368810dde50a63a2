//! A sticky stop signal shared by the accept loop, connections and background tasks.
//!
//! A `watch` channel rather than `Notify`: a task that starts waiting after the signal
//! was given must still see it.

use tokio::sync::watch;

pub(crate) struct Shutdown {
    tx: watch::Sender<bool>,
}

impl Shutdown {
    pub(crate) fn new() -> Self {
        Shutdown {
            tx: watch::Sender::new(false),
        }
    }

    pub(crate) fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Resolves once [`Shutdown::trigger`] has been called (immediately if it already was).
    pub(crate) fn wait(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            // An error means the sender is gone, which also means the sandbox is gone.
            let _ = rx.wait_for(|stopped| *stopped).await;
        }
    }
}
