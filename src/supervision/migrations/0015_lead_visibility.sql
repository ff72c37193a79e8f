-- Leads carry the visibility every other record has, and the public paths (Open311,
-- the public pages) read them through the same access decision: only what came in
-- through public intake or was exposed in public is public; party-discipline leads and
-- those transferred to the discipline commission are confidential.
UPDATE leads SET visibility = 'public' WHERE source IN ('open311', 'web') AND to_discipline = 0;
UPDATE leads SET visibility = 'confidential' WHERE to_discipline = 1 OR channel = 'party';
CREATE INDEX leads_visibility ON leads(visibility, id);
