-- 三员分立: the one all-powerful administrator role is replaced by three. Existing
-- administrators become system administrators; the security and audit administrators are
-- added afterwards (`zaizao user add --role security_admin|audit_admin`, see the README).
UPDATE users SET role = 'system_admin' WHERE role = 'admin';
