//! A small connection pool: a semaphore bounds the holders, a mutex-guarded stack keeps
//! idle connections. Each slot has a stable number; a slot may be empty until its
//! connection is opened lazily. Connections go back on drop.

use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Pool<C> {
    idle: Mutex<Vec<(usize, Option<C>)>>,
    slots: Arc<Semaphore>,
}

pub struct Pooled<C: Send + 'static> {
    pub slot: usize,
    pub conn: Option<C>,
    pool: Arc<Pool<C>>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl<C: Send + 'static> Pool<C> {
    /// A pool of `size` slots, filled with `conns` (the rest start empty).
    pub fn new(size: usize, conns: Vec<C>) -> Arc<Self> {
        let mut conns: Vec<Option<C>> = conns.into_iter().map(Some).collect();
        conns.resize_with(size, || None);
        Arc::new(Pool {
            idle: Mutex::new(conns.into_iter().enumerate().rev().collect()),
            slots: Arc::new(Semaphore::new(size)),
        })
    }

    pub async fn get(self: &Arc<Self>) -> Pooled<C> {
        let permit = self.slots.clone().acquire_owned().await.ok();
        self.checkout(permit)
    }

    pub fn get_blocking(self: &Arc<Self>) -> Pooled<C> {
        let permit = loop {
            match self.slots.clone().try_acquire_owned() {
                Ok(p) => break Some(p),
                Err(tokio::sync::TryAcquireError::Closed) => break None,
                Err(tokio::sync::TryAcquireError::NoPermits) => std::thread::sleep(std::time::Duration::from_millis(2)),
            }
        };
        self.checkout(permit)
    }

    fn checkout(self: &Arc<Self>, permit: Option<OwnedSemaphorePermit>) -> Pooled<C> {
        let (slot, conn) = self.idle.lock().ok().and_then(|mut v| v.pop()).unwrap_or((0, None));
        Pooled { slot, conn, pool: self.clone(), _permit: permit }
    }
}

impl<C: Send + 'static> Drop for Pooled<C> {
    fn drop(&mut self) {
        if let Ok(mut idle) = self.pool.idle.lock() {
            idle.push((self.slot, self.conn.take()));
        }
    }
}
