-- Figures by period count the records created in a week, month, quarter, year or range.
CREATE INDEX tasks_created ON tasks(created_at);
