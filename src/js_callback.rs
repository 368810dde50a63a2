//! A JS function the core calls from its own threads (the logger, token-event listeners,
//! `alerts.onAlert`): weak, so it never keeps Node running; called without blocking, so a slow
//! listener costs a dropped call rather than a stalled send (at most `QUEUE` calls wait); and
//! released on `close()`, so nothing of a closed client stays registered with Node.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use parking_lot::Mutex;

type Tsfn<T, const QUEUE: usize> = ThreadsafeFunction<T, (), T, Status, false, true, QUEUE>;

pub struct JsCallback<T: 'static + JsValuesTupleIntoVec, const QUEUE: usize> {
    f: Mutex<Option<Tsfn<T, QUEUE>>>,
}

impl<T: 'static + JsValuesTupleIntoVec, const QUEUE: usize> JsCallback<T, QUEUE> {
    pub fn new(f: Function<'_, T, ()>) -> Result<Self> {
        let tsfn = f
            .build_threadsafe_function::<T>()
            .callee_handled::<false>()
            .weak::<true>()
            .max_queue_size::<QUEUE>()
            .build()?;
        Ok(JsCallback {
            f: Mutex::new(Some(tsfn)),
        })
    }

    /// Queues the call; false when it was not taken (released, or the queue is full).
    pub fn call(&self, value: T) -> bool {
        match self.f.lock().as_ref() {
            Some(f) => f.call(value, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok,
            None => false,
        }
    }

    pub fn detach(&self) {
        self.f.lock().take();
    }
}
