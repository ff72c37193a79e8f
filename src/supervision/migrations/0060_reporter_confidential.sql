-- 举报人保护: a reporter may ask that their identity be kept confidential. With it, as on
-- every party-discipline, discipline-commission or confidential lead, only the supervision
-- office and the discipline commission see who reported.
ALTER TABLE leads ADD COLUMN reporter_confidential INTEGER NOT NULL DEFAULT 0;
