-- An enterprise's account sees and corrects its own record in the registry.
ALTER TABLE users ADD COLUMN enterprise_id BIGINT REFERENCES enterprises(id);
