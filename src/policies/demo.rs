use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::registry::Demo;
pub fn seed(_: &mut Tx<'_>, _: &Demo<'_>) -> AppResult<()> {
    Ok(())
}
