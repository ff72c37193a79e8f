use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::registry::Demo;

pub fn seed(_tx: &mut Tx<'_>, _demo: &Demo<'_>) -> AppResult<()> {
    Ok(())
}
