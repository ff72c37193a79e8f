-- Mechanism 7: supervision leads from six channels under one procedure.

-- Lead categories; the public intake (Open311) offers them as services.
CREATE TABLE lead_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '',
    department_id BIGINT REFERENCES departments(id),
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO lead_categories (code, name, name_en, description, keywords) VALUES
 ('POLICY', '惠企政策未兑现', 'Promised policy not delivered', '企业反映已承诺的惠企政策未兑现或兑现迟缓', '政策,兑现,补贴'),
 ('APPROVAL', '审批服务问题', 'Approval service problem', '行政审批、政务服务办理慢、多次跑、材料反复退回', '审批,办事,窗口'),
 ('STYLE', '作风问题', 'Work-style problem', '工作人员推诿扯皮、态度生硬、不作为慢作为', '作风,推诿,态度'),
 ('PROJECT', '项目推进滞后', 'Project behind schedule', '重点项目、签约项目推进滞后', '项目,落地,进度'),
 ('ENVIRONMENT', '城市管理与环境', 'City management and environment', '道路、市容、环境污染等城市管理问题', '道路,环境,市容');

CREATE TABLE leads (
    id {{PK}},
    channel TEXT NOT NULL,
    category_code TEXT NOT NULL REFERENCES lead_categories(code),
    description TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_contact TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    source_key_id BIGINT,
    unit_department_id BIGINT REFERENCES departments(id),
    to_discipline INTEGER NOT NULL DEFAULT 0,
    visibility TEXT NOT NULL DEFAULT 'internal',
    state TEXT NOT NULL,
    deadline TEXT,
    primary_id BIGINT REFERENCES leads(id),
    outcome TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX leads_state ON leads(state, id);
CREATE INDEX leads_unit ON leads(unit_department_id, state);
CREATE INDEX leads_category ON leads(category_code, created_at);
CREATE INDEX leads_primary ON leads(primary_id);

-- API keys for Open311 clients, issued by administrators; only digests are kept.
CREATE TABLE open311_keys (
    id {{PK}},
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
