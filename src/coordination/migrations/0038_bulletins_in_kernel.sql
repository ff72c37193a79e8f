-- The weekly 通报 of overdue tasks moves to the kernel's bulletins (migration 0037), keeping
-- its ids so that links to /coordination/bulletins/{id} still open it.
INSERT INTO bulletins (id, series, week, number, issued_at, items)
    SELECT id, 'overdue-tasks', week, number, issued_at, tasks FROM overdue_bulletins;
INSERT INTO bulletin_items (bulletin_id, record_id, title, unit, person, deadline, working_days_overdue)
    SELECT bulletin_id, task_id, title, department, person, deadline, working_days_overdue FROM overdue_bulletin_tasks;
DROP TABLE overdue_bulletin_tasks;
DROP TABLE overdue_bulletins;
