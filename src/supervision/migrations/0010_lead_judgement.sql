-- The reporter's judgement of a lead's outcome (满意 / 基本满意 / 不满意), given once by
-- tracking token after the outcome is published; the satisfaction rate counts them.
ALTER TABLE leads ADD COLUMN reporter_judgement TEXT;
ALTER TABLE leads ADD COLUMN judgement_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN judged_at BIGINT;
