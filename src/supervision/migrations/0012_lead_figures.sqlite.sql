-- The first feedback's day compared with the deadline, in China time.
UPDATE leads SET fed_back_on_time = 1 WHERE first_feedback_at IS NOT NULL AND deadline IS NOT NULL
    AND date(first_feedback_at / 1000 + 28800, 'unixepoch') <= deadline;

-- Existing leads, counted once (the triggers below keep the counts from now on).
INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
SELECT 'channel', l.channel, 0,
    SUM(CASE WHEN l.primary_id IS NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.fed_back_on_time = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN l.first_feedback_at - l.created_at ELSE 0 END),
    SUM(CASE WHEN l.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
FROM leads l GROUP BY l.channel;
INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
SELECT 'unit', CAST(COALESCE(l.unit_department_id, 0) AS TEXT), 0,
    SUM(CASE WHEN l.primary_id IS NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.fed_back_on_time = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.primary_id IS NULL AND l.first_feedback_at IS NOT NULL THEN l.first_feedback_at - l.created_at ELSE 0 END),
    0, 0
FROM leads l WHERE l.primary_id IS NULL GROUP BY COALESCE(l.unit_department_id, 0);
INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
SELECT 'unit', CAST(COALESCE(h.unit_department_id, 0) AS TEXT), 0, 0, 0, 0, 0, 0, 0,
    SUM(CASE WHEN l.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
FROM leads l JOIN leads h ON h.id = COALESCE(l.primary_id, l.id)
WHERE l.reporter_judgement IS NOT NULL GROUP BY COALESCE(h.unit_department_id, 0)
ON CONFLICT (grp, grp_key, part) DO UPDATE SET judged = excluded.judged, satisfied = excluded.satisfied;

CREATE TRIGGER leads_figures_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'channel', NEW.channel, NEW.id % 8,
        (CASE WHEN NEW.primary_id IS NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.fed_back_on_time = 1 THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN NEW.first_feedback_at - NEW.created_at ELSE 0 END),
        (CASE WHEN NEW.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
    WHERE NEW.primary_id IS NULL OR NEW.reporter_judgement IS NOT NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'unit', CAST(COALESCE(NEW.unit_department_id, 0) AS TEXT), NEW.id % 8,
        (CASE WHEN NEW.primary_id IS NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.fed_back_on_time = 1 THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN NEW.first_feedback_at - NEW.created_at ELSE 0 END),
        0,
        0
    WHERE NEW.primary_id IS NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    -- Judgements by unit go to the unit of the lead that handled the problem.
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'unit', CAST(COALESCE(h.unit_department_id, 0) AS TEXT), NEW.id % 8,
        0,
        0,
        0,
        0,
        0,
        0,
        (CASE WHEN NEW.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
    FROM leads h WHERE h.id = COALESCE(NEW.primary_id, NEW.id) AND NEW.reporter_judgement IS NOT NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
END;
CREATE TRIGGER leads_figures_update AFTER UPDATE OF primary_id, unit_department_id, state, first_feedback_at, fed_back_on_time, reporter_judgement, channel ON leads BEGIN
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'channel', OLD.channel, OLD.id % 8,
        -(CASE WHEN OLD.primary_id IS NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.fed_back_on_time = 1 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.first_feedback_at IS NOT NULL THEN OLD.first_feedback_at - OLD.created_at ELSE 0 END),
        -(CASE WHEN OLD.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
    WHERE OLD.primary_id IS NULL OR OLD.reporter_judgement IS NOT NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'unit', CAST(COALESCE(OLD.unit_department_id, 0) AS TEXT), OLD.id % 8,
        -(CASE WHEN OLD.primary_id IS NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.fed_back_on_time = 1 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.primary_id IS NULL AND OLD.first_feedback_at IS NOT NULL THEN OLD.first_feedback_at - OLD.created_at ELSE 0 END),
        0,
        0
    WHERE OLD.primary_id IS NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    -- Judgements by unit go to the unit of the lead that handled the problem.
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'unit', CAST(COALESCE(h.unit_department_id, 0) AS TEXT), OLD.id % 8,
        0,
        0,
        0,
        0,
        0,
        0,
        -(CASE WHEN OLD.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
    FROM leads h WHERE h.id = COALESCE(OLD.primary_id, OLD.id) AND OLD.reporter_judgement IS NOT NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'channel', NEW.channel, NEW.id % 8,
        (CASE WHEN NEW.primary_id IS NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.fed_back_on_time = 1 THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN NEW.first_feedback_at - NEW.created_at ELSE 0 END),
        (CASE WHEN NEW.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
    WHERE NEW.primary_id IS NULL OR NEW.reporter_judgement IS NOT NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'unit', CAST(COALESCE(NEW.unit_department_id, 0) AS TEXT), NEW.id % 8,
        (CASE WHEN NEW.primary_id IS NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.unit_department_id IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.fed_back_on_time = 1 THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.state IN ('notified', 'closed') THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.primary_id IS NULL AND NEW.first_feedback_at IS NOT NULL THEN NEW.first_feedback_at - NEW.created_at ELSE 0 END),
        0,
        0
    WHERE NEW.primary_id IS NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
    -- Judgements by unit go to the unit of the lead that handled the problem.
    INSERT INTO lead_figures (grp, grp_key, part, leads, transferred, fed_back_on_time, resolved, fed_back, feedback_ms, judged, satisfied)
    SELECT 'unit', CAST(COALESCE(h.unit_department_id, 0) AS TEXT), NEW.id % 8,
        0,
        0,
        0,
        0,
        0,
        0,
        (CASE WHEN NEW.reporter_judgement IS NOT NULL THEN 1 ELSE 0 END),
        (CASE WHEN NEW.reporter_judgement IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
    FROM leads h WHERE h.id = COALESCE(NEW.primary_id, NEW.id) AND NEW.reporter_judgement IS NOT NULL
    ON CONFLICT (grp, grp_key, part) DO UPDATE SET leads = lead_figures.leads + excluded.leads, transferred = lead_figures.transferred + excluded.transferred, fed_back_on_time = lead_figures.fed_back_on_time + excluded.fed_back_on_time, resolved = lead_figures.resolved + excluded.resolved, fed_back = lead_figures.fed_back + excluded.fed_back, feedback_ms = lead_figures.feedback_ms + excluded.feedback_ms, judged = lead_figures.judged + excluded.judged, satisfied = lead_figures.satisfied + excluded.satisfied;
END;
