-- Figures by period count the records created in a week, month, quarter, year or range.
CREATE INDEX leads_created ON leads(created_at);
