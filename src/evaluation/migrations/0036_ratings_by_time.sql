-- Figures by period count the records created in a week, month, quarter, year or range.
CREATE INDEX ratings_created ON ratings(created_at);
