//! zh-CN first, English too. Every user-facing string and every error code has an entry
//! here; `t` falls back to the key itself so a missing entry is visible, never a crash.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    /// First supported language in an `Accept-Language` header.
    pub fn from_accept_language(h: &str) -> Option<Lang> {
        h.split(',').find_map(|part| {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.starts_with("zh") {
                Some(Lang::Zh)
            } else if tag.starts_with("en") {
                Some(Lang::En)
            } else {
                None
            }
        })
    }
}

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| ENTRIES.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());

pub fn t(lang: Lang, key: &str) -> &str {
    match TABLE.get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

pub fn has(key: &str) -> bool {
    TABLE.contains_key(key)
}

const ENTRIES: &[(&str, &str, &str)] = &[
    // errors
    ("unauthenticated", "请先登录", "Please sign in first"),
    ("forbidden", "您没有执行此操作的权限", "You are not allowed to do this"),
    ("not_found", "未找到该记录", "No such record"),
    ("rate_limited", "请求过于频繁，请稍后再试", "Too many requests; please try again later"),
    (
        "account_locked",
        "登录失败次数过多，账户已暂时锁定，请稍后再试",
        "Too many failed sign-ins; the account is locked for a while",
    ),
    ("database_unavailable", "数据库暂时不可用，请稍后再试", "The database is unavailable; please try again later"),
    ("internal_error", "服务器内部错误，已记录，请稍后再试", "Internal error; it has been logged"),
    ("bad_json", "请求体不是有效的 JSON，或字段类型不正确", "The body is not valid JSON or a field has the wrong type"),
    ("bad_form", "表单数据无效", "The form data is not valid"),
    ("bad_encoding", "提交的内容不是有效的 UTF-8 文本", "The submitted text is not valid UTF-8"),
    ("bad_request", "请求格式不正确", "The request is malformed"),
    ("method_not_allowed", "此地址不支持该请求方法", "This address does not accept that method"),
    ("unsupported_media_type", "请求体的类型不受支持", "The body's content type is not supported"),
    ("bad_host", "请求的 Host 头无效", "The Host header is malformed"),
    (
        "self_approval",
        "不能审批自己承办的任务，应由上级领导审批",
        "You cannot approve a task you carry out yourself; the leader above decides",
    ),
    ("bad_query", "查询参数无效", "The query parameters are not valid"),
    ("body_too_large", "请求体过大", "The request body is too large"),
    ("unsupported_media_type", "不支持的内容类型", "Unsupported content type"),
    (
        "csrf_failed",
        "页面已过期或来源不明，请刷新后重试",
        "The form expired or came from elsewhere; reload and try again",
    ),
    ("token_scope", "该令牌没有此操作所需的权限范围", "This token's scope does not allow this"),
    ("bad_credentials", "用户名或密码错误", "Wrong username or password"),
    ("required", "此项为必填", "This field is required"),
    ("too_long", "内容过长", "Too long"),
    ("too_short", "内容过短", "Too short"),
    ("bad_value", "取值无效", "Not a valid value"),
    ("bad_date", "日期格式应为 YYYY-MM-DD", "Dates are written YYYY-MM-DD"),
    ("duplicate", "已存在相同的记录", "Such a record already exists"),
    ("already_a_task", "这条线索已交办为督办任务", "This lead is already a task"),
    ("already_judged", "您已评价过这条线索的办理结果", "You have already judged this outcome"),
    ("not_resolved", "办理结果通报后才能评价", "The outcome can be judged once it is published"),
    ("code_taken", "编码已被使用", "This code is already in use"),
    ("name_taken", "名称已被使用", "This name is already in use"),
    ("username_taken", "用户名已被使用", "This username is already taken"),
    ("unknown_reference", "引用的记录不存在", "A referenced record does not exist"),
    ("unknown_department", "部门不存在或已撤销", "No such active department"),
    ("unknown_division", "处室不存在或已撤销", "No such active division"),
    ("unknown_post", "岗位不存在或已撤销", "No such active post"),
    ("unknown_person", "人员不存在或已离岗", "No such active person"),
    ("unknown_user", "用户不存在", "No such user"),
    ("division_outside_department", "处室不属于所选部门", "The division is not in the chosen department"),
    ("quota_full", "该岗位编制已满", "This post's staffing quota is full"),
    ("quota_below_staff", "编制数不能少于在岗人数", "The quota cannot be below the number of people in post"),
    ("already_in_post", "此人已在该岗位", "This person already holds this post"),
    ("already_ended", "该任职已结束", "This assignment has already ended"),
    ("end_before_start", "结束日期不能早于开始日期", "The end date is before the start date"),
    ("not_a_leader", "此人不是市领导", "This person is not a city leader"),
    ("has_active_children", "请先撤销其下属的有效记录", "Deactivate its active parts first"),
    ("already_inactive", "记录已是撤销状态", "The record is already inactive"),
    ("already_active", "记录已是有效状态", "The record is already active"),
    ("weak_password", "密码至少 10 个字符", "Passwords have at least 10 characters"),
    ("cannot_disable_self", "不能停用自己的账户", "You cannot disable your own account"),
    ("parent_cycle", "上级部门不能是自己或下级", "A department cannot be under itself"),
    ("unknown_transition", "流程中没有这个操作", "The process has no such transition"),
    ("illegal_transition", "当前状态下不能进行此操作", "This cannot be done in the current state"),
    ("guard_failed", "条件未满足：事项下所有任务须已办结", "Not yet: every task of the matter must be done first"),
    ("matter_closed", "事项已办结，不能再交办任务", "The matter is closed; no new tasks"),
    ("deadline_past", "期限不能早于今天", "The deadline cannot be in the past"),
    (
        "assignee_outside_department",
        "责任人须为责任部门的在岗人员",
        "The responsible person must belong to the lead department",
    ),
    ("not_a_decider", "决策领导须为市领导或部门负责人", "The deciding leader must be a city leader or department head"),
    (
        "not_above_decider",
        "只能为本人或下级领导开启事项",
        "You can open matters only for yourself or a leader below you",
    ),
    ("extension_too_late", "期限已过，不能再申请延期", "The deadline has passed; an extension can no longer be asked"),
    ("extension_not_later", "新期限须晚于原期限", "The new deadline must be later than the current one"),
    ("extension_pending", "已有待审批的延期申请", "An extension request is already pending"),
    ("already_decided", "已经处理过", "Already decided"),
    ("bad_process", "流程定义无效", "The process definition is not valid"),
    ("file_too_large", "文件过大", "The file is too large"),
    (
        "file_type",
        "不允许的文件类型（允许 pdf、png、jpg、docx、xlsx、txt、csv）",
        "File type not allowed (pdf, png, jpg, docx, xlsx, txt, csv)",
    ),
    ("file_content_mismatch", "文件内容与扩展名不符", "The file's content does not match its extension"),
    ("empty_file", "文件为空", "The file is empty"),
    ("bad_file_name", "文件名无效", "Not a valid file name"),
    ("task.kind.execute", "执行", "Execute"),
    ("task.kind.research", "研究论证", "Research"),
    ("bad_email", "电子邮箱格式不正确", "Not a valid e-mail address"),
    ("bad_phone", "手机号码应为 11 位数字", "Mobile numbers have 11 digits"),
    ("invitation_unknown", "评价链接无效", "This rating link is not valid"),
    (
        "invitation_used",
        "该评价链接已使用过，每次服务只能评价一次",
        "This link was already used; each service is rated once",
    ),
    ("invitation_expired", "评价链接已过期", "This rating link has expired"),
    ("bad_level", "请为每一项选择 1–5 级评价", "Choose a level from 1 to 5 for every dimension"),
    ("self_rating", "不能评价自己或本处室的人员", "You cannot rate yourself or your own division"),
    ("not_your_service", "只能为本人办理的服务发放评价邀请", "You can only invite ratings of your own services"),
    ("bad_period", "期间格式应为 2019、2019-04 或 2019-Q2", "Periods are written 2019, 2019-04 or 2019-Q2"),
    ("interaction.counter", "窗口服务", "Counter service"),
    ("interaction.enquiry", "咨询答复", "Enquiry"),
    ("interaction.task", "任务办理", "Task"),
    ("interaction.lead", "线索办理", "Lead"),
    ("nav.evaluation", "服务评价", "Service ratings"),
    ("not_your_member", "只能退回本处室的其他成员", "You can only return another member of your own division"),
    ("already_in_pool", "此人已有未结束的退人记录", "This person already has an open case"),
    ("pool.study", "学习提升", "Study"),
    ("pool.practice", "到企业体悟实训", "Practical training in an enterprise"),
    ("pool.pass", "合格", "Pass"),
    ("pool.improving", "有进步", "Improving"),
    ("pool.fail", "不合格", "Fail"),
    ("markup_not_allowed", "请不要输入 HTML 标签或脚本", "HTML tags and scripts are not accepted"),
    ("unknown_category", "没有这个问题类别", "No such category"),
    ("location_required", "请填写地点或经纬度", "A place or coordinates are required"),
    ("bad_location", "经纬度无效", "Not valid coordinates"),
    ("bad_api_key", "api_key 无效", "Invalid api_key"),
    ("lead_linked", "该线索已合并到其他线索办理", "This lead is handled with the one it is linked to"),
    ("bad_link", "不能这样合并", "These leads cannot be linked"),
    ("nav.inbox", "通知", "Inbox"),
    ("nav.my_tasks", "我的任务", "My tasks"),
    ("nav.processes", "流程定义", "Processes"),
    ("nav.search", "搜索", "Search"),
    ("search.kind.lead", "线索", "Lead"),
    ("search.kind.matter", "事项", "Matter"),
    ("search.kind.task", "任务", "Task"),
    ("nav.search_index", "搜索索引", "Search index"),
    ("nav.search_placeholder", "搜索线索、事项、任务", "Search leads, matters, tasks"),
    ("nav.calendar", "工作日历", "Calendar"),
    // roles
    ("role.admin", "系统管理员", "Administrator"),
    ("role.leader", "市领导", "City leader"),
    ("role.dept_head", "部门负责人", "Department head"),
    ("role.division_head", "处长", "Division head"),
    ("role.staff", "工作人员", "Staff"),
    ("role.enterprise", "企业", "Enterprise"),
    ("role.evaluator", "第三方机构", "Third-party evaluator"),
    ("role.law_firm", "律师事务所", "Law firm"),
    ("role.association", "行业协会/商会", "Industry association"),
    ("role.supervisor", "监督人员", "Supervisor"),
    ("role.public", "社会公众", "Member of the public"),
    // visibility
    ("vis.public", "公开", "Public"),
    ("vis.internal", "内部", "Internal"),
    ("vis.confidential", "机密", "Confidential"),
    // department kinds
    ("kind.city_department", "市直部门", "City department"),
    ("kind.district", "区（市）", "District"),
    ("kind.party", "党委机构", "Party body"),
    ("kind.legislature", "人大/政协", "Congress / CPPCC"),
    ("kind.other", "其他", "Other"),
    ("divkind.general", "业务处室", "Division"),
    ("divkind.market_allocation", "市场配置促进处", "Market-allocation promotion division"),
    ("divkind.office", "办公室", "General office"),
    // the seven mechanisms
    ("m1", "顶格协调推进", "Top-level coordination"),
    (
        "m1.desc",
        "由上而下的重大事项协调、任务督办与中层干部评价",
        "Top-down matters and tasks, and the evaluation of middle managers",
    ),
    ("m2", "平台法双招双引", "Platforms for investment"),
    (
        "m2.desc",
        "平台、活动、签约项目与向社会开放的客商信息",
        "Platforms, events, signed projects and contacts opened as public data",
    ),
    ("m3", "企业家创意创新", "Entrepreneurs' ideas"),
    (
        "m3.desc",
        "企业创意由第三方论证，转化为一业一策、一企一策",
        "Ideas evaluated by third parties and turned into targeted support",
    ),
    ("m4", "重大决策公开答辩", "Public defense of decisions"),
    ("m4.desc", "政策公开答辩与年度公开质询", "Policy hearings and the yearly public inquiry"),
    ("m5", "市场配置资源", "Market allocation"),
    (
        "m5.desc",
        "市场配置促进处、行业协会商会与政企直通车",
        "Market-allocation divisions, associations and the direct line",
    ),
    ("m6", "购买法律服务督促政策落实", "Legal services for policy delivery"),
    ("m6.desc", "律师事务所五项服务与企业家满意度指数", "Five legal services and the entrepreneur satisfaction index"),
    ("m7", "协同监督", "Collaborative supervision"),
    ("m7.desc", "六类监督线索一个程序办理", "Leads from six channels under one procedure"),
    ("not_built", "本模块尚未上线", "This section is not built yet"),
    (
        "not_built.body",
        "这一机制将作为独立模块接入本系统，使用同一套组织、权限、审计与流程底座。上线前，此处不会显示任何数据。",
        "This mechanism will arrive as its own module on the same organisation, access, audit and workflow ground. Until then nothing is shown here.",
    ),
    // shell
    ("app.name", "再造 · 政务流程再造平台", "zaizao · government process reengineering"),
    ("app.short", "再造", "zaizao"),
    ("nav.home", "首页", "Home"),
    ("nav.mechanisms", "七项机制", "Seven mechanisms"),
    ("nav.org", "组织机构", "Organisation"),
    ("nav.people", "人员", "People"),
    ("nav.leaders", "市领导分管", "City leaders"),
    ("nav.users", "用户与角色", "Users and roles"),
    ("nav.audit", "审计日志", "Audit trail"),
    ("nav.account", "我的账户", "My account"),
    ("nav.api", "API 文档", "API docs"),
    ("nav.signout", "退出登录", "Sign out"),
    ("nav.signin", "登录", "Sign in"),
    ("nav.lang", "English", "中文"),
    ("nav.menu", "菜单", "Menu"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.intro",
        "政务流程再造平台：七项机制，一个系统。",
        "Government process reengineering: seven mechanisms, one system.",
    ),
    ("home.welcome", "欢迎，", "Welcome, "),
    ("home.your_role", "您的角色", "Your role"),
    ("home.your_department", "所在部门", "Your department"),
    ("home.quick", "常用入口", "Quick links"),
    ("home.stats", "组织概况", "Organisation at a glance"),
    (
        "home.role.admin",
        "维护组织机构、用户与角色，检查审计日志的完整性。",
        "Maintain the organisation, users and roles; check the audit trail's integrity.",
    ),
    (
        "home.role.leader",
        "您可以由上而下开启重大事项、主持答辩、回复政企直通车。",
        "Open matters top-down, chair hearings and answer the direct line.",
    ),
    (
        "home.role.dept_head",
        "查看本部门的组织架构、岗位编制与人员。",
        "See your department's structure, posts and people.",
    ),
    (
        "home.role.division_head",
        "管理本处室的任务与人员，查看本处室评价得分。",
        "Run your division's tasks and people and see its scores.",
    ),
    ("home.role.staff", "办理分配给您的任务与线索。", "Handle the tasks and leads assigned to you."),
    (
        "home.role.enterprise",
        "评价政务服务、提交创意、使用政企直通车、申请法律服务。",
        "Rate services, submit ideas, use the direct line and ask law firms for help.",
    ),
    ("home.role.evaluator", "对企业创意开展综合论证。", "Evaluate enterprises' ideas."),
    (
        "home.role.law_firm",
        "提供五项法律服务，提交政策未兑现告知。",
        "Deliver the five legal services and file non-fulfilment notices.",
    ),
    (
        "home.role.association",
        "接收公文、列席会议并发言。",
        "Receive documents and attend meetings with the right to speak.",
    ),
    (
        "home.role.supervisor",
        "提交并跟踪监督线索，组织工作小分队。",
        "File and follow supervision leads and run work teams.",
    ),
    (
        "home.role.public",
        "查看公开信息，提交线索并凭编号查询办理结果。",
        "Read what is published, submit leads and follow them by token.",
    ),
    // common
    ("common.save", "保存", "Save"),
    ("common.create", "新建", "Create"),
    ("common.edit", "编辑", "Edit"),
    ("common.cancel", "取消", "Cancel"),
    ("common.search", "搜索", "Search"),
    ("common.filter", "筛选", "Filter"),
    ("common.reset", "重置", "Reset"),
    ("common.all", "全部", "All"),
    ("common.name", "名称", "Name"),
    ("common.name_en", "英文名称", "English name"),
    ("common.code", "编码", "Code"),
    ("common.kind", "类型", "Kind"),
    ("common.status", "状态", "Status"),
    ("common.active", "有效", "Active"),
    ("common.inactive", "已撤销", "Inactive"),
    ("common.visibility", "可见范围", "Visibility"),
    ("common.actions", "操作", "Actions"),
    ("common.details", "详情", "Details"),
    ("common.deactivate", "撤销", "Deactivate"),
    ("common.reactivate", "恢复", "Reactivate"),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("common.page", "第 {} 页", "Page {}"),
    ("common.total", "共 {} 条", "{} in all"),
    ("common.export_csv", "导出 CSV", "Export CSV"),
    ("common.export_xlsx", "导出 Excel", "Export Excel"),
    ("common.empty", "暂无记录。", "Nothing here yet."),
    ("common.history", "变更历史", "History"),
    ("common.created_at", "创建时间", "Created"),
    ("common.updated_at", "更新时间", "Updated"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.back", "返回", "Back"),
    ("common.saved", "已保存", "Saved"),
    ("common.request_id", "请求编号", "Request id"),
    ("common.error", "出错了", "Something went wrong"),
    ("common.department", "部门", "Department"),
    ("common.division", "处室", "Division"),
    ("common.start_date", "开始日期", "Start date"),
    ("common.end_date", "结束日期", "End date"),
    ("common.optional", "（选填）", "(optional)"),
    ("common.none", "无", "None"),
];
